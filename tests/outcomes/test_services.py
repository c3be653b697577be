"""Casework services and the rules they apply."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from families.models import Family
from outcomes import access, casework, selectors, services
from outcomes.models import Assessment, BudgetItem, Closure, FollowUp, Goal, Review
from tafcase.errors import StaleEdit
from tests.outcomes.conftest import TODAY

pytestmark = pytest.mark.django_db


def score(person, domain, value, **extra):
    return {"person": person, "domain": domain, "score": value, "rationale": "seen", **extra}


def test_baseline_then_review_rescoring_gives_distance_travelled(active):
    family = active.family
    baseline = services.assessment_start(actor=active.lead, family=family)
    assert baseline.occasion == 0
    services.assessment_save(
        actor=active.lead,
        assessment=baseline,
        expected_version=1,
        scores=[
            score(None, "family.housing", 4),
            score(active.child, "child.participation_learning_education_work", 5),
        ],
        family_view="We want the kids in school.",
        complete=True,
    )
    review = services.review_record(
        actor=active.lead, family=family, held_on=TODAY, decisions="Keep going", rescore=True
    )
    r1 = review.assessment
    assert r1.occasion == 1
    services.assessment_save(
        actor=active.lead,
        assessment=r1,
        expected_version=1,
        scores=[
            score(None, "family.housing", 2),
            score(active.child, "child.participation_learning_education_work", 5),
        ],
        complete=True,
    )
    # Each completed assessment keeps its mean score, which reporting reads.
    baseline.refresh_from_db()
    assert (baseline.mean_score, r1.mean_score) == (Decimal("4.50"), Decimal("3.50"))
    distance = selectors.distance_for(family)
    family_progress = next(p for p in distance.subjects if p.subject.key == "family")
    housing = next(d for d in family_progress.domains if d.domain == "family.housing")
    assert (housing.baseline, housing.latest, housing.change) == (4, 2, -2)
    charts = selectors.charts_for(family)
    assert charts and "<svg" in charts[0][1]
    # The review keeps its baseline's mean beside its own, and loses it while the
    # baseline is reopened to amend it, until the baseline is completed again.
    assert r1.baseline_mean == Decimal("4.50")
    services.assessment_amend(
        actor=active.lead, assessment=baseline, reason="Wrong visit", expected_version=2
    )
    r1.refresh_from_db()
    assert r1.baseline_mean is None
    services.assessment_save(
        actor=active.lead,
        assessment=baseline,
        expected_version=3,
        scores=[score(None, "family.housing", 3)],
        complete=True,
    )
    r1.refresh_from_db()
    assert r1.baseline_mean == Decimal("4.00")


def test_scores_are_1_to_5_and_only_for_members(active, make_family):
    assessment = services.assessment_start(actor=active.lead, family=active.family)
    with pytest.raises(ValidationError):
        services.assessment_save(
            actor=active.lead,
            assessment=assessment,
            expected_version=1,
            scores=[score(None, "family.housing", 6)],
        )
    stranger = make_family(active.lead, n_members=1).memberships.get().person
    with pytest.raises(ValidationError):
        services.assessment_save(
            actor=active.lead,
            assessment=assessment,
            expected_version=1,
            scores=[score(stranger, "child.participation_learning_education_work", 3)],
        )


def test_completing_without_scores_needs_the_panel_information_flag(active):
    assessment = services.assessment_start(actor=active.lead, family=active.family)
    with pytest.raises(ValidationError, match="Complete the open"):
        services.assessment_start(actor=active.lead, family=active.family)
    with pytest.raises(ValidationError, match="panel information"):
        services.assessment_save(
            actor=active.lead, assessment=assessment, expected_version=1, scores=[], complete=True
        )
    services.assessment_save(
        actor=active.lead,
        assessment=assessment,
        expected_version=1,
        scores=[],
        complete=True,
        no_formal_assessment=True,
    )
    assert Assessment.objects.get().status == "completed"


def test_two_people_saving_the_same_assessment_never_lose_data(active):
    assessment = services.assessment_start(actor=active.lead, family=active.family)
    services.assessment_save(
        actor=active.lead,
        assessment=assessment,
        expected_version=1,
        scores=[score(None, "family.housing", 3)],
    )
    stale = Assessment.objects.get(pk=assessment.pk)
    with pytest.raises(StaleEdit):
        services.assessment_save(
            actor=active.coordinator,
            assessment=stale,
            expected_version=1,
            scores=[score(None, "family.housing", 5)],
        )
    assert assessment.scores.get().score == 3


def test_review_schedules_the_next_one(active, settings):
    settings.CASEWORK_REVIEW_WEEKS = 6
    services.review_record(actor=active.lead, family=active.family, held_on=TODAY, decisions="ok")
    active.family.refresh_from_db()
    assert active.family.next_review_due == TODAY + timedelta(weeks=6)
    with pytest.raises(ValidationError):
        services.review_record(
            actor=active.lead,
            family=active.family,
            held_on=TODAY + timedelta(days=1),
            decisions="x",
        )


def test_overdue_reviews_actions_follow_ups_and_nine_month_flag(active, settings):
    family = active.family
    Family.objects.filter(pk=family.pk).update(programme_start=TODAY - timedelta(days=300))
    Review.objects.create(
        family=family, held_on=TODAY - timedelta(weeks=8), decisions="x", recorded_by=active.lead
    )
    goal = services.goal_add(
        actor=active.lead, family=family, title="School", criterion="education", target="95%"
    )
    late = services.action_add(
        actor=active.lead,
        goal=goal,
        description="Meet the head",
        due_on=TODAY - timedelta(days=3),
        owner_agency=active.agencies["police"],
    )
    services.action_add(
        actor=active.lead,
        goal=goal,
        description="Later",
        due_on=TODAY + timedelta(days=3),
        owner_person=active.parent,
    )
    Family.objects.filter(pk=family.pk).update(next_review_due=TODAY - timedelta(days=14))
    kinds = selectors.DueKind

    def due(user, kind, window=selectors.DueWindow.DUE_SOON):
        filters = selectors.CaseworkFilters(kind=kind, window=window)
        return list(selectors.casework_due(user, filters, TODAY))

    assert due(active.lead, kinds.REVIEWS) == [family]
    assert due(active.lead, kinds.ACTIONS, selectors.DueWindow.OVERDUE) == [late]
    assert due(active.lead, kinds.LONG_OPEN) == [family]  # intensive, 300 days
    # The coordinator sees the authority's; an outsider nothing.
    assert due(active.coordinator, kinds.ACTIONS, selectors.DueWindow.OVERDUE) == [late]
    assert not due(active.school, kinds.REVIEWS)


def test_budget_approval_threshold(active, settings):
    settings.BUDGET_APPROVAL_THRESHOLD = "250.00"
    at = services.spend_record(
        actor=active.lead,
        family=active.family,
        spent_on=TODAY,
        purpose="School uniform",
        amount=Decimal("250.00"),
    )
    above = services.spend_record(
        actor=active.lead,
        family=active.family,
        spent_on=TODAY,
        purpose="Washing machine",
        amount=Decimal("250.01"),
    )
    assert not at.needs_approval and above.needs_approval and above.awaiting_approval
    with pytest.raises(ValidationError):
        services.spend_approve(actor=active.lead, item=above)
    services.spend_approve(actor=active.coordinator, item=above)
    assert not BudgetItem.objects.get(pk=above.pk).awaiting_approval
    _, totals = selectors.budget_for(active.family)
    assert totals["total"] == Decimal("500.01")


def test_closure_schedules_follow_ups_and_needs_sign_off_by_someone_else(active):
    closed_on = date(2026, 1, 31)
    closure = services.case_close(
        actor=active.lead,
        family=active.family,
        closed_on=closed_on,
        reason=Closure.Reason.OUTCOMES_MET,
        exit_plan="School and police stay involved; family knows who to call.",
    )
    active.family.refresh_from_db()
    assert active.family.status == "closed" and active.family.programme_end == closed_on
    assert list(FollowUp.objects.values_list("months_after", "due_on")) == [
        (3, date(2026, 4, 30)),
        (6, date(2026, 7, 31)),
        (12, date(2027, 1, 31)),
    ]
    with pytest.raises(ValidationError):
        services.closure_sign_off(actor=active.lead, closure=closure)
    services.closure_sign_off(actor=active.coordinator, closure=closure)
    assert Closure.objects.get().signed_off_by == active.coordinator


def _close(active, **kw):
    return services.case_close(
        actor=active.lead,
        family=active.family,
        closed_on=TODAY,
        reason=Closure.Reason.OUTCOMES_MET,
        exit_plan="Family knows who to call.",
        **kw,
    )


def test_closure_keeps_the_plan_as_it_stood(active):
    for title, status in (("Walk to school", "achieved"), ("Rent paid", "in_progress")):
        services.goal_add(
            actor=active.lead, family=active.family, title=title, criterion="", target="Weekly"
        )
        Goal.objects.filter(title=title).update(status=status)
    closure = _close(active, open_goals_confirmed=True)
    assert (closure.goals, closure.goals_achieved) == (2, 1)


def test_closure_is_refused_while_spend_awaits_approval(active):
    item = services.spend_record(
        actor=active.lead, family=active.family, spent_on=TODAY, purpose="Beds", amount=Decimal(300)
    )
    with pytest.raises(ValidationError) as refused:
        _close(active, open_goals_confirmed=True)
    assert "1 budget spend totalling £300.00 is waiting for a coordinator's approval" in str(
        refused.value
    )
    assert Family.objects.get(pk=active.family.pk).status == "active"
    assert not Closure.objects.exists()
    services.spend_approve(actor=active.coordinator, item=item)
    _close(active)
    assert Family.objects.get(pk=active.family.pk).status == "closed"


def test_open_goals_must_be_confirmed_before_closing(active):
    for title in ("Walk Leo to school", "Tidy the garden", "Join a club"):
        services.goal_add(
            actor=active.lead, family=active.family, title=title, criterion="", target="x"
        )
    achieved = services.goal_add(
        actor=active.lead, family=active.family, title="Done already", criterion="", target="x"
    )
    services.goal_set_status(
        actor=active.lead, goal=achieved, status="achieved", expected_version=1
    )
    with pytest.raises(ValidationError) as warned:
        _close(active)
    message = warned.value.message_dict["open_goals_confirmed"][0]
    assert message.startswith(
        "3 goals are still open: “Walk Leo to school”, “Tidy the garden”, “Join a club”."
    )
    assert "Done already" not in message
    assert Family.objects.get(pk=active.family.pk).status == "active"
    _close(active, open_goals_confirmed=True)
    assert Family.objects.get(pk=active.family.pk).status == "closed"


def test_closure_check_wording():
    closure_check = casework.closure_check
    assert closure_check([], []) == casework.ClosureCheck()
    one = closure_check([Decimal("12.50")], ["Sleep"])
    assert one.blocked_by.startswith("1 budget spend totalling £12.50 is waiting")
    assert one.warning == "1 goal is still open: “Sleep”."
    two = closure_check([Decimal("1000"), Decimal("250")], [])
    assert two.blocked_by.startswith("2 budget spends totalling £1,250.00 are waiting")
    assert two.warning == ""


def test_stepping_down_needs_a_destination(active):
    with pytest.raises(ValidationError):
        services.case_close(
            actor=active.lead,
            family=active.family,
            closed_on=TODAY,
            reason=Closure.Reason.STEPPED_DOWN,
            exit_plan="x",
        )
    assert Family.objects.get(pk=active.family.pk).status == "active"


def test_tier_change_is_recorded_with_reason(active):
    change = services.tier_change(
        actor=active.lead, family=active.family, to_tier="monitoring", reason="Doing well"
    )
    assert (change.from_tier, change.to_tier) == ("high_complex", "monitoring")
    assert Family.objects.get(pk=active.family.pk).tier == "monitoring"


def test_partner_updates_only_their_own_agencys_actions(active):
    goal = services.goal_add(
        actor=active.lead, family=active.family, title="Safe", criterion="crime_asb", target="x"
    )
    police_action = services.action_add(
        actor=active.lead,
        goal=goal,
        description="Neighbourhood visit",
        due_on=TODAY,
        owner_agency=active.agencies["police"],
    )
    family_action = services.action_add(
        actor=active.lead, goal=goal, description="Call", due_on=TODAY, owner_person=active.parent
    )
    family = active.family
    assert access.can_update_action(active.police, police_action, family)
    assert not access.can_update_action(active.police, family_action, family)
    assert not access.can_update_action(active.auditor, police_action, family)
    assert access.action_for_user(active.police, police_action.pk, write=True) == police_action
    with pytest.raises(PermissionDenied):
        access.action_for_user(active.police, family_action.pk, write=True)


def test_action_owners_and_goal_members_belong_to_the_family(active, other_authority):
    from families import services as family_services

    stranger_family = family_services.family_create(
        actor=active.coordinator, local_authority=other_authority, name="Elsewhere"
    )
    stranger = family_services.member_add(
        actor=active.coordinator,
        family=stranger_family,
        role="child",
        forename="Not",
        surname="Here",
    ).person
    with pytest.raises(ValidationError):
        services.goal_add(
            actor=active.lead,
            family=active.family,
            title="Safe",
            criterion="crime_asb",
            target="x",
            members=[stranger],
        )
    with pytest.raises(ValidationError):
        services.goal_add(
            actor=active.lead, family=active.family, title="Safe", criterion="free text", target="x"
        )
    goal = services.goal_add(
        actor=active.lead, family=active.family, title="Safe", criterion="crime_asb", target="x"
    )
    with pytest.raises(ValidationError):
        services.action_add(
            actor=active.lead, goal=goal, description="x", due_on=TODAY, owner_person=stranger
        )
    with pytest.raises(ValidationError):
        services.action_add(
            actor=active.lead,
            goal=goal,
            description="x",
            due_on=TODAY,
            owner_agency=active.agencies["school"],
        )
    assert goal.actions.count() == 0
