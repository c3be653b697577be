"""Writes for feedback and the case-quality sample. Each runs in one transaction and
writes its audit row; answers, once given, are never changed (there is no edit here).

Who may call them is decided by the views through reporting.feedback.access; these check
what the records themselves require (a review belongs to the family, a link is unused, a
case is reviewed once)."""

import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from families.models import Family
from outcomes.models import Closure, Review
from reporting.feedback import rules
from reporting.feedback.models import (
    FamilyFeedback,
    FeedbackHandover,
    KeyPlayerFeedback,
    Occasion,
    QualitySample,
    QualitySampleCase,
    Rating,
)
from reporting.feedback.questions import FAMILY_QUESTIONS, KEY_PLAYER_QUESTIONS
from reporting.rules import Period
from tafcase.accounts.models import LocalAuthority, User
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record
from tafcase.errors import Conflict, set_once, unique_violation

# How long a hand-over link works: one home visit.
HANDOVER_MINUTES = 120


class HandoverUnavailable(Exception):
    """The hand-over link is unknown, already used or expired: nothing was saved."""


def handover_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _scales(answers: dict[str, Any], questions) -> dict[str, int]:
    values = {}
    for question in questions:
        value = answers.get(question.field)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise ValidationError({question.field: "Choose an answer."})
        values[question.field] = value
    return values


# --- family feedback -------------------------------------------------------------------


@transaction.atomic
def family_feedback_handover_start(
    *,
    actor: User,
    family: Family,
    occasion: str,
    review: Review | None = None,
    closure: Closure | None = None,
    token: str | None = None,
    at: datetime | None = None,
) -> tuple[FeedbackHandover, str]:
    """Make a one-time link to the family questionnaire; returns it and its secret (shown
    only in the link, kept only as a digest). `token` and `at` are for demo data; pages
    never pass them."""
    if occasion not in Occasion.values:
        raise ValidationError({"occasion": "Choose when the feedback is given."})
    if review is not None and (occasion != Occasion.REVIEW or review.family_id != family.pk):
        raise ValidationError({"occasion": "That review is not one of this family's."})
    if closure is not None and (occasion != Occasion.CLOSURE or closure.family_id != family.pk):
        raise ValidationError({"occasion": "That closure is not one of this family's."})
    now = at or timezone.now()
    token = token or secrets.token_urlsafe(32)
    handover = FeedbackHandover.objects.create(
        family=family,
        occasion=occasion,
        review=review,
        closure=closure,
        token_digest=handover_digest(token),
        started_by=actor,
        started_at=now,
        expires_at=now + timedelta(minutes=HANDOVER_MINUTES),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=handover,
        family_id=family.pk,
        summary=f"Family feedback handed over ({handover.get_occasion_display().lower()})",
    )
    return handover, token


def handover_open(token: str, *, at: datetime | None = None) -> FeedbackHandover:
    """The unused, unexpired hand-over with this secret; HandoverUnavailable otherwise."""
    handover = FeedbackHandover.objects.filter(token_digest=handover_digest(token)).first()
    if (
        handover is None
        or handover.used_at is not None
        or handover.expires_at <= (at or timezone.now())
    ):
        raise HandoverUnavailable
    return handover


@transaction.atomic
def family_feedback_submit(
    *,
    token: str,
    answers: dict[str, Any],
    answered_by: str = "",
    biggest_difference: str = "",
    ip: str | None = None,
    at: datetime | None = None,
) -> FamilyFeedback:
    """Store the family's answers given through a hand-over link, and spend the link: a
    second submission (a double tap, the back button) is refused with HandoverUnavailable
    and saves nothing. The audit row has no actor: the family answered, not a user."""
    now = at or timezone.now()
    scales = _scales(answers, FAMILY_QUESTIONS)
    if answered_by not in ("", *FamilyFeedback.AnsweredBy.values):
        raise ValidationError({"answered_by": "Choose who is answering."})
    handover = handover_open(token, at=now)
    if not set_once(FeedbackHandover, handover.pk, "used_at", used_at=now):
        raise HandoverUnavailable
    feedback = FamilyFeedback.objects.create(
        handover=handover,
        family_id=handover.family_id,
        occasion=handover.occasion,
        review_id=handover.review_id,
        closure_id=handover.closure_id,
        answered_on=timezone.localdate(now),
        answered_at=now,
        answered_by=answered_by,
        biggest_difference=biggest_difference.strip(),
        **scales,
    )
    audit_record(
        actor=None,
        action=AuditEvent.Action.CREATED,
        obj=feedback,
        family_id=handover.family_id,
        summary=f"Family feedback given on a link handed over by {handover.started_by}",
        ip=ip,
    )
    return feedback


# --- key-player feedback ---------------------------------------------------------------


@transaction.atomic
def key_player_feedback_submit(
    *,
    actor: User,
    authority: LocalAuthority,
    period: Period,
    answered_as: str,
    answers: dict[str, Any],
    improvement: str = "",
    at: datetime | None = None,
) -> KeyPlayerFeedback:
    """A key worker's or panel member's answers about one quarter; once per person, per
    authority, per quarter (a second is refused, saving nothing)."""
    scales = _scales(answers, KEY_PLAYER_QUESTIONS)
    if answered_as not in KeyPlayerFeedback.AnsweredAs.values:
        raise ValidationError({"answered_as": "Choose what you are answering as."})
    taken = KeyPlayerFeedback.objects.filter(
        user=actor, local_authority=authority, period_start=period.start
    )
    if taken.exists():
        raise Conflict(f"You have already given feedback for {period.label}.")
    try:
        with transaction.atomic():
            feedback = KeyPlayerFeedback.objects.create(
                local_authority=authority,
                user=actor,
                answered_as=answered_as,
                period_start=period.start,
                period_end=period.end,
                answered_at=at or timezone.now(),
                improvement=improvement.strip(),
                **scales,
            )
    except IntegrityError as error:
        if unique_violation(error, "key_player_feedback_once_a_period"):
            raise Conflict(f"You have already given feedback for {period.label}.") from None
        raise
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=feedback,
        summary=f"Key-player feedback for {period.label}",
    )
    return feedback


# --- the case-quality sample -----------------------------------------------------------


def closed_cases(authority_id: int, start: date, end: date) -> list[int]:
    """The closures a quality sample draws from: each family of the authority closed in
    the period, once (its last closure in it, should it have closed twice)."""
    return list(
        Closure.objects.filter(
            family__local_authority_id=authority_id, closed_on__gte=start, closed_on__lte=end
        )
        .order_by("family_id", "-closed_on", "-pk")
        .distinct("family_id")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def quality_sample_draw(
    *,
    actor: User,
    authority: LocalAuthority,
    period_start: date,
    period_end: date,
    percent: int = rules.DEFAULT_SAMPLE_PERCENT,
    seed: int | None = None,
    at: datetime | None = None,
) -> QualitySample:
    """Draw `percent` of the cases closed in the period (at least one) from a stored seed:
    drawing again with that seed over the same closures gives the same cases. Refused when
    the period is out of order, nothing was closed in it, or it overlaps a sample already
    drawn (so no case is reviewed, or counted, twice)."""
    if period_end < period_start:
        raise ValidationError({"period_end": "The end of the period must be after its start."})
    if not 1 <= percent <= 100:
        raise ValidationError({"percent": "The sample must be from 1% to 100% of cases."})
    # One draw at a time per authority, so two overlapping draws cannot both pass the check.
    LocalAuthority.objects.select_for_update().get(pk=authority.pk)
    overlapping = QualitySample.objects.filter(
        local_authority=authority, period_start__lte=period_end, period_end__gte=period_start
    ).first()
    if overlapping is not None:
        raise ValidationError(
            f"A sample already covers {overlapping.period_start:%-d %B %Y} to "
            f"{overlapping.period_end:%-d %B %Y}, which overlaps this period."
        )
    population = closed_cases(authority.pk, period_start, period_end)
    if not population:
        raise ValidationError("No cases were closed in this period, so there is nothing to sample.")
    seed = seed if seed is not None else secrets.randbelow(2**31)
    chosen = rules.draw_sample(population, percent=percent, seed=seed)
    sample = QualitySample.objects.create(
        local_authority=authority,
        period_start=period_start,
        period_end=period_end,
        percent=percent,
        seed=seed,
        closed_cases=len(population),
        drawn_by=actor,
        drawn_at=at or timezone.now(),
    )
    families = dict(Closure.objects.filter(pk__in=chosen).values_list("pk", "family_id"))
    QualitySampleCase.objects.bulk_create(
        QualitySampleCase(sample=sample, closure_id=pk, family_id=families[pk]) for pk in chosen
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=sample,
        family_ids=families.values(),
        summary=f"Quality sample drawn: {len(chosen)} of {len(population)} closed cases, "
        f"seed {seed}",
    )
    return sample


REVIEW_ASPECTS = ("engagement", "multi_agency", "creativity")


@transaction.atomic
def quality_case_review(
    *,
    actor: User,
    case: QualitySampleCase,
    engagement: str,
    engagement_notes: str,
    multi_agency: str,
    multi_agency_notes: str,
    multi_agency_gaps: str,
    creativity: str,
    creativity_notes: str,
    at: datetime | None = None,
) -> QualitySampleCase:
    """Record the review of a sampled case: each aspect rated, with notes. A case is
    reviewed once; a second review (another reviewer got there first, or the form was sent
    twice) is refused with Conflict and changes nothing."""
    ratings = {"engagement": engagement, "multi_agency": multi_agency, "creativity": creativity}
    for aspect, rating in ratings.items():
        if rating not in Rating.values:
            raise ValidationError({aspect: "Choose a rating."})
    now = at or timezone.now()
    values = {
        **ratings,
        "engagement_notes": engagement_notes.strip(),
        "multi_agency_notes": multi_agency_notes.strip(),
        "multi_agency_gaps": multi_agency_gaps.strip(),
        "creativity_notes": creativity_notes.strip(),
    }
    if not set_once(
        QualitySampleCase, case.pk, "reviewed_at", reviewed_at=now, reviewed_by=actor, **values
    ):
        raise Conflict("This case has already been reviewed.")
    for name, value in values.items():
        setattr(case, name, value)
    case.reviewed_at, case.reviewed_by = now, actor
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATED,
        obj=case,
        family_id=case.family_id,
        changes={aspect: [None, rating] for aspect, rating in ratings.items()},
        summary="Closed case reviewed for quality",
    )
    return case
