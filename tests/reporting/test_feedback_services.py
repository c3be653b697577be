"""Writes for feedback and the quality sample: each stores what it should, once, audited;
refusals save nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reporting.feedback import rules, services
from reporting.feedback.models import (
    FamilyFeedback,
    FeedbackHandover,
    KeyPlayerFeedback,
    QualitySample,
    QualitySampleCase,
)
from reporting.rules import Period
from tafcase.audit.models import AuditEvent
from tafcase.errors import Conflict

# The feedback tests build on the outcomes `team` (the families world), which
# replaces the returns tests' own `team` from tests/reporting/conftest.py here.
from tests.families.conftest import make_family, world  # noqa: F401
from tests.outcomes.conftest import active, team  # noqa: F401
from tests.reporting.feedback_fixtures import (
    ANSWERS,
    KEY_PLAYER_ANSWERS,
    TODAY,
    closed_families,
    fb,  # noqa: F401
    hand_over,
)

pytestmark = pytest.mark.django_db


# --- family feedback -------------------------------------------------------------------


def test_a_handover_link_stores_the_answers_once_with_the_family_and_occasion(fb):
    w = fb.w
    handover, token = hand_over(w, review=fb.review)
    assert handover.token_digest == services.handover_digest(token) != token
    feedback = services.family_feedback_submit(
        token=token, answers=ANSWERS, answered_by="young_person", biggest_difference=" Kate. "
    )
    assert (feedback.family_id, feedback.occasion, feedback.review_id) == (
        w.family.pk,
        "review",
        fb.review.pk,
    )
    assert feedback.answered_on == TODAY and feedback.answered_by == "young_person"
    assert (feedback.satisfaction, feedback.key_worker_helpful) == (5, 2)
    assert feedback.biggest_difference == "Kate."
    handover.refresh_from_db()
    assert handover.used_at is not None
    with pytest.raises(services.HandoverUnavailable):
        services.family_feedback_submit(token=token, answers=ANSWERS)
    assert FamilyFeedback.objects.count() == 1


def test_starting_and_answering_are_audited_the_answer_without_a_user(fb):
    w = fb.w
    handover, token = hand_over(w)
    feedback = services.family_feedback_submit(token=token, answers=ANSWERS, ip="10.0.0.5")
    started = AuditEvent.objects.get(object_type="reporting.feedbackhandover")
    assert (started.actor, started.family_id, started.object_id) == (
        w.lead,
        w.family.pk,
        str(handover.pk),
    )
    given = AuditEvent.objects.get(object_type="reporting.familyfeedback")
    assert given.actor is None and given.family_id == w.family.pk
    assert given.object_id == str(feedback.pk) and given.ip == "10.0.0.5"
    assert w.lead.full_name in given.summary


def test_an_expired_link_saves_nothing(fb):
    _, token = hand_over(fb.w, at=timezone.now() - timedelta(minutes=services.HANDOVER_MINUTES + 1))
    with pytest.raises(services.HandoverUnavailable):
        services.family_feedback_submit(token=token, answers=ANSWERS)
    assert not FamilyFeedback.objects.exists()


def test_an_unknown_link_saves_nothing(fb):
    with pytest.raises(services.HandoverUnavailable):
        services.family_feedback_submit(token="x" * 43, answers=ANSWERS)
    assert not FamilyFeedback.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {**ANSWERS, "satisfaction": 6},
        {**ANSWERS, "plan_useful": 0},
        {**ANSWERS, "things_changed": "5"},
        {**ANSWERS, "key_worker_helpful": True},
        {k: v for k, v in ANSWERS.items() if k != "satisfaction"},
    ],
)
def test_an_answer_off_the_scale_is_refused_and_the_link_still_works(fb, bad):
    handover, token = hand_over(fb.w)
    with pytest.raises(ValidationError):
        services.family_feedback_submit(token=token, answers=bad)
    handover.refresh_from_db()
    assert handover.used_at is None and not FamilyFeedback.objects.exists()
    services.family_feedback_submit(token=token, answers=ANSWERS)
    assert FamilyFeedback.objects.count() == 1


def test_an_unknown_answered_by_is_refused(fb):
    _, token = hand_over(fb.w)
    with pytest.raises(ValidationError):
        services.family_feedback_submit(token=token, answers=ANSWERS, answered_by="dog")
    assert not FamilyFeedback.objects.exists()


def test_a_review_of_another_family_is_refused(fb):
    with pytest.raises(ValidationError):
        hand_over(fb.w, review=fb.other_review)
    assert not FeedbackHandover.objects.exists()


def test_a_review_cannot_be_the_occasion_of_closure_feedback(fb):
    with pytest.raises(ValidationError):
        hand_over(fb.w, occasion="closure", review=fb.review)
    with pytest.raises(ValidationError):
        hand_over(fb.w, occasion="sometime")
    assert not FeedbackHandover.objects.exists()


# --- key-player feedback ---------------------------------------------------------------


def test_key_player_feedback_is_once_per_person_per_quarter(fb):
    w = fb.w
    quarter = Period.containing(TODAY)
    kwargs = {
        "actor": w.lead,
        "authority": w.family.local_authority,
        "answered_as": "key_worker",
        "answers": KEY_PLAYER_ANSWERS,
    }
    first = services.key_player_feedback_submit(
        period=quarter, improvement=" More time. ", **kwargs
    )
    assert (first.period_start, first.period_end) == (quarter.start, quarter.end)
    assert first.improvement == "More time." and first.process_helps == 4
    with pytest.raises(Conflict):
        services.key_player_feedback_submit(period=quarter, **kwargs)
    services.key_player_feedback_submit(period=quarter.previous(), **kwargs)
    assert KeyPlayerFeedback.objects.filter(user=w.lead).count() == 2
    assert AuditEvent.objects.filter(object_type="reporting.keyplayerfeedback").count() == 2


def test_key_player_feedback_off_the_scale_or_as_an_unknown_role_is_refused(fb):
    w = fb.w
    kwargs = {"actor": w.lead, "authority": w.family.local_authority}
    period = Period.containing(TODAY)
    with pytest.raises(ValidationError):
        services.key_player_feedback_submit(
            period=period,
            answered_as="key_worker",
            answers={**KEY_PLAYER_ANSWERS, "support": 9},
            **kwargs,
        )
    with pytest.raises(ValidationError):
        services.key_player_feedback_submit(
            period=period, answered_as="chief", answers=KEY_PLAYER_ANSWERS, **kwargs
        )
    assert not KeyPlayerFeedback.objects.exists()


# --- the quality sample ----------------------------------------------------------------


def draw(w, start, end, **kw):
    return services.quality_sample_draw(
        actor=w.coordinator,
        authority=w.family.local_authority,
        period_start=start,
        period_end=end,
        **kw,
    )


def test_a_sample_draws_ten_percent_rounded_up_of_the_periods_closed_cases(fb, make_family):
    w = fb.w
    inside = closed_families(w, make_family, [10 + n for n in range(21)])
    closed_families(w, make_family, [200, 201], name="Earlier")
    sample = draw(w, TODAY - timedelta(days=60), TODAY, seed=42)
    assert (sample.closed_cases, sample.percent, sample.seed) == (21, 10, 42)
    drawn = sorted(sample.cases.values_list("closure_id", flat=True))
    assert len(drawn) == 3
    assert set(drawn) <= {c.pk for c in inside}
    expected = rules.draw_sample([c.pk for c in inside], percent=10, seed=42)
    assert drawn == expected
    event = AuditEvent.objects.get(object_type="reporting.qualitysample")
    assert event.actor == w.coordinator and "seed 42" in event.summary
    assert sorted(event.family_ids) == sorted(sample.cases.values_list("family_id", flat=True))


def test_the_same_seed_over_the_same_closures_draws_the_same_cases(fb, make_family):
    w = fb.w
    closed_families(w, make_family, [10 + n for n in range(30)])
    start, end = TODAY - timedelta(days=60), TODAY
    first = sorted(draw(w, start, end, seed=7).cases.values_list("closure_id", flat=True))
    QualitySample.objects.all().delete()
    again = sorted(draw(w, start, end, seed=7).cases.values_list("closure_id", flat=True))
    QualitySample.objects.all().delete()
    other = sorted(draw(w, start, end, seed=8).cases.values_list("closure_id", flat=True))
    assert first == again
    assert other != first


def test_a_family_closed_twice_in_the_period_is_one_case(fb, make_family):
    w = fb.w
    (closure,) = closed_families(w, make_family, [30])
    later = closure.family.closures.create(
        closed_on=TODAY - timedelta(days=5),
        reason="timescale",
        exit_plan="Again.",
        closed_by=w.coordinator,
    )
    sample = draw(w, TODAY - timedelta(days=60), TODAY, percent=100, seed=1)
    assert sample.closed_cases == 1
    assert list(sample.cases.values_list("closure_id", flat=True)) == [later.pk]


def test_a_period_with_nothing_closed_overlapping_or_out_of_order_is_refused(fb, make_family):
    w = fb.w
    with pytest.raises(ValidationError, match="No cases were closed"):
        draw(w, TODAY - timedelta(days=60), TODAY)
    closed_families(w, make_family, [10, 40])
    draw(w, TODAY - timedelta(days=30), TODAY)
    with pytest.raises(ValidationError, match="overlaps"):
        draw(w, TODAY - timedelta(days=60), TODAY - timedelta(days=30))
    with pytest.raises(ValidationError):
        draw(w, TODAY, TODAY - timedelta(days=1))
    with pytest.raises(ValidationError):
        draw(w, TODAY - timedelta(days=90), TODAY - timedelta(days=31), percent=0)
    assert QualitySample.objects.count() == 1


def test_another_authoritys_closures_are_never_drawn(fb, make_family, other_authority):
    w = fb.w
    (ours,) = closed_families(w, make_family, [10])
    (theirs,) = closed_families(w, make_family, [10], name="Theirs")
    theirs.family.local_authority = other_authority
    theirs.family.save(update_fields=["local_authority"])
    sample = draw(w, TODAY - timedelta(days=30), TODAY, percent=100)
    assert list(sample.cases.values_list("closure_id", flat=True)) == [ours.pk]


def review(w, case, actor=None, **kw):
    return services.quality_case_review(
        actor=actor or w.coordinator,
        case=case,
        engagement=kw.get("engagement", "good"),
        engagement_notes=" Saw the family weekly. ",
        multi_agency=kw.get("multi_agency", "requires_improvement"),
        multi_agency_notes="",
        multi_agency_gaps="No housing officer.",
        creativity=kw.get("creativity", "outstanding"),
        creativity_notes="",
    )


def test_a_sampled_case_is_reviewed_once(fb, make_family):
    w = fb.w
    closed_families(w, make_family, [10])
    case = draw(w, TODAY - timedelta(days=30), TODAY).cases.get()
    review(w, case, actor=w.auditor)
    case.refresh_from_db()
    assert (case.engagement, case.multi_agency, case.creativity) == (
        "good",
        "requires_improvement",
        "outstanding",
    )
    assert case.engagement_notes == "Saw the family weekly." and case.reviewed_by == w.auditor
    with pytest.raises(Conflict):
        review(w, QualitySampleCase.objects.get(pk=case.pk), engagement="inadequate")
    case.refresh_from_db()
    assert case.engagement == "good" and case.reviewed_by == w.auditor
    event = AuditEvent.objects.get(object_type="reporting.qualitysamplecase")
    assert event.actor == w.auditor and event.family_id == case.family_id


def test_a_review_without_every_rating_saves_nothing(fb, make_family):
    w = fb.w
    closed_families(w, make_family, [10])
    case = draw(w, TODAY - timedelta(days=30), TODAY).cases.get()
    with pytest.raises(ValidationError):
        review(w, case, creativity="")
    with pytest.raises(ValidationError):
        review(w, case, engagement="brilliant")
    case.refresh_from_db()
    assert not case.reviewed and case.engagement == ""
