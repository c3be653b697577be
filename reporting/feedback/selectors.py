"""Reads for feedback and the case-quality sample, and the figures the report cards'
"How well did we do it?" rows call (reporting.md §1).

The `*_figures` functions take an authority and a list of periods, each a (start, end)
pair of dates, both inclusive, of whole months; periods may overlap (a quarter and its
year). Each runs ONE query whatever the number of periods or rows. They return
{measure: {period index: Value}}, where a count is Value(n) and a percentage measure is
Value(numerator, denominator) (reporting.rules).
Every period is present, with zeros when nothing was recorded in it.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse

from families.access import can_change_family
from families.models import Family
from outcomes.models import Closure, Review
from reporting.feedback.models import (
    GOOD_OR_BETTER,
    FamilyFeedback,
    KeyPlayerFeedback,
    Occasion,
    QualitySample,
    QualitySampleCase,
)
from reporting.feedback.questions import KEY_PLAYER_HEADLINE, POSITIVE
from reporting.rules import Value, sum_by_month
from tafcase.accounts.models import User

Dates = tuple[date, date]
Figures = dict[str, dict[int, Value]]

# Family feedback measures.
RESPONSES = "responses"
SATISFIED = "satisfied"  # satisfaction 4 or 5
CHANGED_A_LOT = "changed_a_lot"  # things changed "a lot" or "quite a lot" (4 or 5)
KEY_WORKER_HELPFUL = "key_worker_helpful"  # key worker "very helpful" or "helpful" (4 or 5)
FAMILY_MEASURES = {
    SATISFIED: "satisfaction",
    CHANGED_A_LOT: "things_changed",
    KEY_WORKER_HELPFUL: "key_worker_helpful",
}
# Key-player measures.
POSITIVE_MEASURE = "positive"  # agrees or strongly agrees that the process helps
# Quality-sample measures: cases reviewed, and of those rated Good or Outstanding per aspect.
REVIEWED = "reviewed"
ENGAGEMENT_GOOD = "engagement_good"
MULTI_AGENCY_GOOD = "multi_agency_good"
CREATIVITY_GOOD = "creativity_good"
ASPECT_MEASURES = {
    ENGAGEMENT_GOOD: "engagement",
    MULTI_AGENCY_GOOD: "multi_agency",
    CREATIVITY_GOOD: "creativity",
}


def _in(field: str, period: Dates) -> Q:
    start, end = period
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


def _span(field: str, periods: Sequence[Dates]) -> Q:
    """Rows in any of the periods, so the scan reads only those."""
    return _in(field, (min(s for s, _ in periods), max(e for _, e in periods)))


def _figures(
    rows: QuerySet, date_field: str, periods: Sequence[Dates], count_name: str, measures: dict
) -> Figures:
    """Count the rows per period (`count_name`) and, per measure, those matching its
    condition (a Q), in one query: grouped by month and the months summed into the
    periods (rules.sum_by_month), which are whole months and may overlap."""
    result: Figures = {count_name: {}, **{name: {} for name in measures}}
    if not periods:
        return result
    months = (
        rows.filter(_span(date_field, periods))
        .order_by()
        .annotate(month=TruncMonth(date_field))
        .values("month")
        .annotate(
            **{count_name: Count("pk")},
            **{name: Count("pk", filter=condition) for name, condition in measures.items()},
        )
    )
    totals = sum_by_month(((row.pop("month"), row) for row in months), periods)
    for index in range(len(periods)):
        found = totals.get(index, {})
        count = int(found.get(count_name, 0))
        result[count_name][index] = Value(count)
        for name in measures:
            result[name][index] = Value(found.get(name, 0), count)
    return result


def family_feedback_figures(authority_id: int, periods: Sequence[Dates]) -> Figures:
    """Families' answers given in each period: RESPONSES (a count), and SATISFIED,
    CHANGED_A_LOT and KEY_WORKER_HELPFUL (answers of 4 or 5, over the responses)."""
    return _figures(
        FamilyFeedback.objects.filter(family__local_authority_id=authority_id),
        "answered_on",
        periods,
        RESPONSES,
        {name: Q(**{f"{field}__in": POSITIVE}) for name, field in FAMILY_MEASURES.items()},
    )


def key_player_feedback_figures(authority_id: int, periods: Sequence[Dates]) -> Figures:
    """Key workers' and panel members' answers about the quarters that start in each
    period: RESPONSES (a count) and POSITIVE_MEASURE (agreeing the process helps them
    support families, over the responses)."""
    return _figures(
        KeyPlayerFeedback.objects.filter(local_authority_id=authority_id),
        "period_start",
        periods,
        RESPONSES,
        {POSITIVE_MEASURE: Q(**{f"{KEY_PLAYER_HEADLINE}__in": POSITIVE})},
    )


def quality_review_figures(authority_id: int, periods: Sequence[Dates]) -> Figures:
    """Sampled cases closed in each period and reviewed: REVIEWED (a count), and per
    aspect the share rated Good or Outstanding (ENGAGEMENT_GOOD, MULTI_AGENCY_GOOD,
    CREATIVITY_GOOD)."""
    return _figures(
        QualitySampleCase.objects.filter(
            sample__local_authority_id=authority_id, reviewed_at__isnull=False
        ),
        "closure__closed_on",
        periods,
        REVIEWED,
        {name: Q(**{f"{field}__in": GOOD_OR_BETTER}) for name, field in ASPECT_MEASURES.items()},
    )


# --- pages ---------------------------------------------------------------------------


def family_page_feedback(user, family: Family) -> dict[str, Any]:
    """The family page's "Family feedback" link, for those who may change the family."""
    if not can_change_family(user, family):
        return {}
    return {"family_feedback_url": reverse("reporting:feedback:start", args=[family.pk])}


def feedback_occasions(family: Family) -> list[tuple[str, str]]:
    """What a family's feedback can be about, as form choices: each recorded review and
    closure (newest first), and a review not recorded yet (feedback is often asked at the
    meeting itself)."""
    choices = [(Occasion.REVIEW.value, "A review or Team Around the Family meeting held today")]
    for review in Review.objects.filter(family=family).order_by("-held_on", "-pk")[:6]:
        choices.append((f"review-{review.pk}", f"The review on {review.held_on:%-d %B %Y}"))
    for closure in Closure.objects.filter(family=family).order_by("-closed_on", "-pk")[:3]:
        choices.append((f"closure-{closure.pk}", f"Closure on {closure.closed_on:%-d %B %Y}"))
    return choices


def family_feedback_given(family: Family) -> list[FamilyFeedback]:
    """The family's answers so far, newest first."""
    return list(FamilyFeedback.objects.filter(family=family).order_by("-answered_at", "-pk"))


def key_player_feedback_given(user: User) -> list[KeyPlayerFeedback]:
    return list(
        KeyPlayerFeedback.objects.filter(user=user)
        .select_related("local_authority")
        .order_by("-period_start", "local_authority__name")[:8]
    )


def quality_samples(authority_id: int) -> list[QualitySample]:
    """The authority's samples, newest period first, with how many cases each has and how
    many are reviewed."""
    return list(
        QualitySample.objects.filter(local_authority_id=authority_id)
        .select_related("drawn_by")
        .annotate(
            case_count=Count("cases"),
            reviewed_count=Count("cases", filter=Q(cases__reviewed_at__isnull=False)),
        )
        .order_by("-period_start", "-pk")
    )


def quality_sample_cases(sample: QualitySample) -> list[QualitySampleCase]:
    return list(
        QualitySampleCase.objects.filter(sample=sample)
        .select_related("family", "closure", "reviewed_by")
        .order_by("closure__closed_on", "pk")
    )
