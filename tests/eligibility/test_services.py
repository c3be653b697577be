"""Nominations, screening and panel decisions through the services."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from eligibility import selectors, services
from eligibility.models import AgendaItem, FrameworkVersion, Nomination, PanelMeeting, Screening
from families import access
from families import services as family_services
from families.models import Family, StatusChange
from tests.eligibility.conftest import TODAY, members

S = Family.Status
pytestmark = pytest.mark.django_db


def test_nomination_creates_family_members_consent_and_evidence(pw, nominate):
    nomination = nominate("crime_asb", "health")
    family = nomination.family
    assert nomination.stage == Nomination.Stage.SUBMITTED
    assert family.status == S.NOMINATED
    assert [m.person.forename for m in family.memberships.order_by("pk")] == ["Robin", "Sam"]
    assert family.consents.get().given_by.forename == "Robin"
    assert sorted(family.evidence.values_list("criterion", flat=True)) == ["crime_asb", "health"]
    assert nomination.believed_criteria == ["crime_asb", "health"]
    assert not nomination.is_re_referral


def test_referral_without_consent_is_refused_and_writes_nothing(pw, authority):
    with pytest.raises(ValidationError, match="consent is needed"):
        services.nomination_submit(
            actor=pw.referrer,
            local_authority=authority,
            route=Nomination.Route.REFERRAL,
            family_name="No consent family",
            members=members("Noconsent"),
            reason="x",
        )
    assert not Family.objects.exists()
    assert not Nomination.objects.exists()


def test_data_identification_needs_no_consent_at_nomination(pw, authority):
    nomination = services.nomination_submit(
        actor=pw.coordinator,
        local_authority=authority,
        route=Nomination.Route.DATA,
        family_name="Data family",
        members=members("Data"),
        reason="Identified by the quarterly data-match.",
    )
    assert nomination.family.status == S.NOMINATED
    assert not nomination.family.consents.exists()


def test_closed_family_is_recognised_as_a_re_referral_when_the_coordinator_merges(pw, nominate):
    first = nominate("crime_asb", "health")
    family = first.family
    for status in (S.SCREENING, S.ELIGIBLE, S.AWAITING_PANEL, S.ACTIVE, S.CLOSED):
        family_services.family_transition(actor=pw.coordinator, family=family, to_status=status)
    again = nominate("education")
    # Submitting changes nothing about the known family: a new record, awaiting screening.
    assert again.family != family
    family.refresh_from_db()
    assert family.status == S.CLOSED
    assert list(selectors.known_families_like(again)) == [family]
    started = again.family
    again = services.nomination_merge(actor=pw.coordinator, nomination=again, into=family)
    assert again.family == family
    assert again.is_re_referral
    assert again.family_status_before == S.CLOSED
    # The same people are recognised, not added twice; the started record is gone.
    assert family.memberships.count() == 2
    assert not Family.objects.filter(pk=started.pk).exists()
    assert family.evidence.filter(nomination=again).exists()
    family.refresh_from_db()
    assert family.status == S.NOMINATED


def test_merging_into_an_active_family_passes_it_to_its_lead_professional(pw, nominate):
    family = nominate("crime_asb").family
    for status in (S.SCREENING, S.ELIGIBLE, S.AWAITING_PANEL, S.ACTIVE):
        family_services.family_transition(actor=pw.coordinator, family=family, to_status=status)
    again = services.nomination_merge(
        actor=pw.coordinator, nomination=nominate("health"), into=family
    )
    assert again.stage == Nomination.Stage.ALREADY_ALLOCATED
    family.refresh_from_db()
    assert family.status == S.ACTIVE


def test_merging_into_a_family_with_an_open_nomination(pw, nominate):
    first = nominate("crime_asb")
    second = services.nomination_merge(
        actor=pw.coordinator, nomination=nominate("health"), into=first.family
    )
    assert second.family == first.family
    assert second.stage == Nomination.Stage.MERGED
    assert first.family.evidence.count() == 2


def test_nomination_never_reveals_an_unseen_family(pw, nominate):
    """A partner's nomination whose members match people of a family they cannot see
    (same NI number, or the same name and date of birth in another letter case) creates a
    family record of its own and leaves the known family as it was."""
    known = nominate("crime_asb").family
    for status in (S.SCREENING, S.NOT_ELIGIBLE):
        family_services.family_transition(actor=pw.coordinator, family=known, to_status=status)
    people_before = set(known.memberships.values_list("person_id", flat=True))
    consents_before = known.consents.count()
    again = nominate("health", surname="NOMINEE")
    assert again.family != known
    assert again.stage == Nomination.Stage.SUBMITTED
    assert not again.is_re_referral
    known.refresh_from_db()
    assert known.status == S.NOT_ELIGIBLE
    assert set(known.memberships.values_list("person_id", flat=True)) == people_before
    assert known.consents.count() == consents_before


def test_merge_is_refused_across_authorities_and_after_screening(pw, nominate, other_authority):
    known = nominate("crime_asb").family
    elsewhere = family_services.family_create(
        actor=pw.coordinator, local_authority=other_authority, name="Elsewhere"
    )
    again = nominate("health")
    with pytest.raises(ValidationError):
        services.nomination_merge(actor=pw.coordinator, nomination=again, into=elsewhere)
    services.nomination_screen(
        actor=pw.coordinator, nomination=again, outcome="eligible", override_reason="Known risk"
    )
    with pytest.raises(ValidationError):
        services.nomination_merge(actor=pw.coordinator, nomination=again, into=known)


def test_member_index_out_of_range_is_refused(pw, authority):
    from tests.eligibility.conftest import evidence, members

    criteria = [{**evidence("crime_asb")[0], "member": -1}]
    with pytest.raises(ValidationError):
        services.nomination_submit(
            actor=pw.referrer,
            local_authority=authority,
            route=Nomination.Route.REFERRAL,
            family_name="Indexed",
            members=members("Indexed"),
            reason="x",
            criteria=criteria,
            consent_given_on=TODAY,
            consent_given_by=0,
        )
    assert not Family.objects.filter(name="Indexed").exists()


def test_evidence_for_unknown_criterion_or_future_date_is_refused(pw, nominate):
    family = nominate("crime_asb").family
    with pytest.raises(ValidationError):
        services.evidence_record(
            actor=pw.coordinator,
            family=family,
            criterion="no_such_thing",
            evidence_date=TODAY,
            source="x",
            text="x",
        )
    with pytest.raises(ValidationError):
        services.evidence_record(
            actor=pw.coordinator,
            family=family,
            criterion="health",
            evidence_date=date(TODAY.year + 1, 1, 1),
            source="x",
            text="x",
        )


# --- screening ------------------------------------------------------------------------


def test_screening_stores_decision_with_framework_version_and_explanation(pw, nominate):
    nomination = nominate("crime_asb", "health")
    screening = services.nomination_screen(
        actor=pw.coordinator, nomination=nomination, outcome="eligible"
    )
    assert screening.rulebook_eligible
    assert not screening.overridden
    assert screening.framework.code == "TF2015" and screening.framework.version == 1
    assert screening.decision["framework"] == {"code": "TF2015", "version": 1}
    by_code = {c["code"]: c for c in screening.decision["national"]}
    assert by_code["crime_asb"]["met"] and by_code["health"]["met"]
    assert not by_code["education"]["met"]
    assert by_code["crime_asb"]["evidence"][0]["kind"] == "recorded_evidence"
    assert "crime_asb seen" in by_code["crime_asb"]["explanation"]
    nomination.refresh_from_db()
    assert nomination.stage == Nomination.Stage.ELIGIBLE
    assert nomination.family.status == S.ELIGIBLE


def test_disagreeing_with_the_rulebook_needs_a_reason(pw, nominate):
    nomination = nominate("crime_asb")  # one of six: not eligible under TF2015
    with pytest.raises(ValidationError) as error:
        services.nomination_screen(actor=pw.coordinator, nomination=nomination, outcome="eligible")
    assert "override_reason" in error.value.error_dict
    screening = services.nomination_screen(
        actor=pw.coordinator,
        nomination=nomination,
        outcome="eligible",
        override_reason="Police intelligence not yet in the data.",
    )
    assert screening.overridden and not screening.rulebook_eligible


def test_not_eligible_needs_an_onward_route(pw, nominate):
    nomination = nominate("crime_asb")
    with pytest.raises(ValidationError) as error:
        services.nomination_screen(
            actor=pw.coordinator, nomination=nomination, outcome="not_eligible"
        )
    assert "onward_route" in error.value.error_dict
    screening = services.nomination_screen(
        actor=pw.coordinator,
        nomination=nomination,
        outcome="not_eligible",
        onward_route=Screening.OnwardRoute.YOUTH_OFFENDING,
    )
    assert screening.nomination.family.status == S.NOT_ELIGIBLE
    assert not screening.overridden


def test_screened_nomination_cannot_be_screened_again(pw, eligible):
    nomination = eligible()
    with pytest.raises(ValidationError, match="cannot be screened again"):
        services.nomination_screen(actor=pw.coordinator, nomination=nomination, outcome="eligible")


# --- frameworks -----------------------------------------------------------------------


def test_editing_parameters_makes_a_new_active_version(pw, authority, nominate):
    row = services.framework_ensure(actor=pw.coordinator, authority=authority)
    new = services.framework_set_parameters(
        actor=pw.coordinator, row=row, changes={"min_national": 1}
    )
    row.refresh_from_db()
    assert (row.version, row.is_active) == (1, False)
    assert (new.version, new.is_active) == (2, True)
    assert new.framework.parameters.min_national == 1
    screening = services.nomination_screen(
        actor=pw.coordinator, nomination=nominate("crime_asb"), outcome="eligible"
    )
    assert screening.rulebook_eligible
    assert screening.framework == new


def test_invalid_parameter_is_refused(pw, authority):
    row = services.framework_ensure(actor=pw.coordinator, authority=authority)
    with pytest.raises(ValidationError):
        services.framework_set_parameters(
            actor=pw.coordinator, row=row, changes={"absence_measure": "sometimes"}
        )
    assert FrameworkVersion.objects.count() == 1


def test_local_criteria_added_and_retired_by_version(pw, authority):
    row = services.framework_ensure(actor=pw.coordinator, authority=authority)
    v2 = services.framework_save_local(
        actor=pw.coordinator, row=row, code="young_carer", label="A child who is a young carer"
    )
    assert "young_carer" in dict(selectors.criteria_choices(authority))
    v3 = services.framework_retire_local(actor=pw.coordinator, row=v2, code="young_carer")
    assert v3.version == 3
    assert "young_carer" not in dict(selectors.criteria_choices(authority))
    assert any(c.code == "young_carer" for c in v3.framework.local)  # kept, retired


def test_switching_framework(pw, authority):
    services.framework_ensure(actor=pw.coordinator, authority=authority)
    row = services.framework_activate(actor=pw.coordinator, authority=authority, code="SF2022")
    assert selectors.active_framework(authority) == row
    assert selectors.framework_in_force(authority).code == "SF2022"


# --- panels ---------------------------------------------------------------------------


def test_agenda_is_built_in_priority_order(pw, panel, eligible):
    low = eligible("crime_asb", "health", surname="Low")
    high = eligible("crime_asb", "health", "parent_mental_health", surname="High")
    added = services.agenda_build(actor=pw.coordinator, panel=panel)
    assert added == 2
    items = list(selectors.agenda(panel))
    assert [i.nomination for i in items] == [high, low]
    assert items[0].local_criteria_met == 1
    high.family.refresh_from_db()
    assert high.family.status == S.AWAITING_PANEL


def test_reordering_needs_a_reason_and_is_recorded(pw, panel, eligible):
    eligible(surname="One")
    eligible(surname="Two")
    services.agenda_build(actor=pw.coordinator, panel=panel)
    first, second = selectors.agenda(panel)
    with pytest.raises(ValidationError):
        services.agenda_move(actor=pw.chair, item=second, to_position=1, reason=" ")
    services.agenda_move(actor=pw.chair, item=second, to_position=1, reason="Court date next week")
    assert [i.pk for i in selectors.agenda(panel)] == [second.pk, first.pk]
    assert AgendaItem.objects.get(pk=second.pk).reorder_reason == "Court date next week"


def test_sorting_uses_likelihood_ratings(pw, panel, eligible):
    eligible(surname="One")
    eligible(surname="Two")
    services.agenda_build(actor=pw.coordinator, panel=panel)
    first, second = selectors.agenda(panel)
    services.agenda_rate(actor=pw.chair, item=second, likelihood=3)
    services.agenda_sort(actor=pw.chair, panel=panel)
    assert [i.pk for i in selectors.agenda(panel)] == [second.pk, first.pk]


def test_accepting_allocates_lead_and_makes_family_active(pw, panel, eligible):
    nomination = eligible()
    services.agenda_build(actor=pw.coordinator, panel=panel)
    item = selectors.agenda(panel).get()
    services.agenda_decide(
        actor=pw.chair,
        item=item,
        decision="accept",
        level="high_complex",
        lead_professional=pw.kw1,
        reasons="Two headline problems and a parent with mental health concerns.",
    )
    family = Family.objects.get(pk=nomination.family_id)
    assert family.status == S.ACTIVE
    assert family.lead_professional == pw.kw1
    assert family.tier == "high_complex"
    assert family.programme_start == TODAY
    # The first review is scheduled at allocation: the caseload and casework read it.
    assert family.next_review_due == TODAY + timedelta(weeks=settings.CASEWORK_REVIEW_WEEKS)
    assert access.families_visible_to(pw.kw1).filter(pk=family.pk).exists()
    nomination.refresh_from_db()
    assert nomination.stage == Nomination.Stage.ACCEPTED
    assert StatusChange.objects.filter(family=family, to_status=S.ACTIVE).exists()


def test_family_accepted_at_a_later_dated_panel_is_attached_from_the_decision_day(
    pw, panel, eligible
):
    PanelMeeting.objects.filter(pk=panel.pk).update(meets_on=TODAY + timedelta(days=14))
    panel.refresh_from_db()
    nomination = eligible()
    services.agenda_build(actor=pw.coordinator, panel=panel)
    services.agenda_decide(
        actor=pw.chair,
        item=selectors.agenda(panel).get(),
        decision="accept",
        level="high_complex",
        lead_professional=pw.kw1,
        reasons="Two headline problems.",
    )
    family = Family.objects.get(pk=nomination.family_id)
    assert family.programme_start == TODAY
    assert family.programme_start != panel.meets_on


def test_allocation_over_capacity_needs_confirmation(pw, panel, eligible, settings, authority):
    settings.CASELOAD_CAPACITY = 1.0
    eligible(surname="One")
    eligible(surname="Two")
    services.agenda_build(actor=pw.coordinator, panel=panel)
    one, two = selectors.agenda(panel)
    services.agenda_decide(
        actor=pw.chair,
        item=one,
        decision="accept",
        level="high_complex",
        lead_professional=pw.kw1,
        reasons="ok",
    )
    candidate = next(c for c in selectors.lead_candidates(authority) if c.user == pw.kw1)
    assert (candidate.families, candidate.weighted) == (1, 1.0)
    with pytest.raises(ValidationError, match="over capacity"):
        services.agenda_decide(
            actor=pw.chair,
            item=two,
            decision="accept",
            level="monitoring",
            lead_professional=pw.kw1,
            reasons="ok",
        )
    item = services.agenda_decide(
        actor=pw.chair,
        item=two,
        decision="accept",
        level="monitoring",
        lead_professional=pw.kw1,
        reasons="ok",
        allow_over_capacity=True,
    )
    assert item.over_capacity


def test_caseload_weights_by_tier(pw, panel, eligible, authority):
    eligible(surname="One")
    eligible(surname="Two")
    services.agenda_build(actor=pw.coordinator, panel=panel)
    for item, level in zip(selectors.agenda(panel), ("high_complex", "monitoring"), strict=True):
        services.agenda_decide(
            actor=pw.chair,
            item=item,
            decision="accept",
            level=level,
            lead_professional=pw.kw2,
            reasons="ok",
        )
    candidates = selectors.lead_candidates(authority)
    assert candidates[0].user == pw.kw1  # lightest first
    kw2 = next(c for c in candidates if c.user == pw.kw2)
    assert kw2.weighted == pytest.approx(1.5)


def test_panel_without_quorum_cannot_decide(pw, panel, eligible):
    eligible()
    services.agenda_build(actor=pw.coordinator, panel=panel)
    services.panel_record_attendance(actor=pw.chair, panel=panel, agencies=[])
    with pytest.raises(ValidationError, match="not quorate"):
        services.agenda_decide(
            actor=pw.chair, item=selectors.agenda(panel).get(), decision="decline", reasons="x"
        )


def test_accepting_without_consent_is_refused(pw, panel, authority):
    nomination = services.nomination_submit(
        actor=pw.coordinator,
        local_authority=authority,
        route=Nomination.Route.DATA,
        family_name="Data family",
        members=members("Data"),
        reason="data",
        criteria=[
            {"code": "crime_asb", "evidence_date": TODAY, "text": "x"},
            {"code": "health", "evidence_date": TODAY, "text": "y"},
        ],
    )
    services.nomination_screen(actor=pw.coordinator, nomination=nomination, outcome="eligible")
    services.agenda_build(actor=pw.coordinator, panel=panel)
    with pytest.raises(ValidationError, match="consent"):
        services.agenda_decide(
            actor=pw.chair,
            item=selectors.agenda(panel).get(),
            decision="accept",
            level="monitoring",
            lead_professional=pw.kw1,
            reasons="ok",
        )


def test_deferred_family_returns_to_next_agenda(pw, panel, eligible, authority):
    nomination = eligible()
    services.agenda_build(actor=pw.coordinator, panel=panel)
    services.agenda_decide(
        actor=pw.chair, item=selectors.agenda(panel).get(), decision="defer", reasons="More info"
    )
    nomination.refresh_from_db()
    assert nomination.stage == Nomination.Stage.ELIGIBLE
    later = services.panel_create(
        actor=pw.coordinator,
        local_authority=authority,
        meets_on=TODAY,
        chair=pw.chair,
        member_agencies=list(panel.member_agencies.all()),
        quorum=1,
    )
    assert services.agenda_build(actor=pw.coordinator, panel=later) == 1
    assert services.agenda_build(actor=pw.coordinator, panel=panel) == 0


def test_decline_and_refer(pw, panel, eligible):
    declined, referred = eligible(surname="Dec"), eligible(surname="Ref")
    services.agenda_build(actor=pw.coordinator, panel=panel)
    items = {i.nomination_id: i for i in selectors.agenda(panel)}
    services.agenda_decide(
        actor=pw.chair, item=items[declined.pk], decision="decline", reasons="Needs met elsewhere"
    )
    with pytest.raises(ValidationError):
        services.agenda_decide(
            actor=pw.chair, item=items[referred.pk], decision="refer_elsewhere", reasons="x"
        )
    services.agenda_decide(
        actor=pw.chair,
        item=items[referred.pk],
        decision="refer_elsewhere",
        reasons="x",
        referred_to="Youth offending service",
    )
    for nomination, stage in ((declined, "declined"), (referred, "referred_elsewhere")):
        nomination.refresh_from_db()
        assert nomination.stage == stage
        assert nomination.family.status == S.NOT_ELIGIBLE


def test_decided_item_cannot_be_decided_again(pw, panel, eligible):
    eligible()
    services.agenda_build(actor=pw.coordinator, panel=panel)
    item = selectors.agenda(panel).get()
    services.agenda_decide(actor=pw.chair, item=item, decision="decline", reasons="x")
    with pytest.raises(ValidationError, match="already decided"):
        services.agenda_decide(actor=pw.chair, item=item, decision="decline", reasons="x")


def test_data_migration_attaches_earlier_acceptances_from_the_decision_day(pw, panel, eligible):
    import importlib

    from django.apps import apps
    from django.utils import timezone

    migration = importlib.import_module("eligibility.migrations.0003_attach_from_decision_day")
    later = TODAY + timedelta(days=7)
    PanelMeeting.objects.filter(pk=panel.pk).update(meets_on=later)
    panel.refresh_from_db()
    carried, corrected = eligible(surname="Carried"), eligible(surname="Corrected")
    services.agenda_build(actor=pw.coordinator, panel=panel)
    for item in selectors.agenda(panel):
        services.agenda_decide(
            actor=pw.chair,
            item=item,
            decision="accept",
            level="high_complex",
            lead_professional=pw.kw1,
            reasons="Good chance of turnaround.",
        )
    decided_on = TODAY - timedelta(days=2)
    AgendaItem.objects.filter(panel=panel).update(decided_at=timezone.now() - timedelta(days=2))
    # As the old code left it: attached from the panel's later date; one since corrected.
    Family.objects.filter(pk=carried.family_id).update(programme_start=later)
    Family.objects.filter(pk=corrected.family_id).update(programme_start=TODAY)
    migration.attach_from_decision_day(apps, None)
    assert Family.objects.get(pk=carried.family_id).programme_start == decided_on
    assert Family.objects.get(pk=corrected.family_id).programme_start == TODAY
