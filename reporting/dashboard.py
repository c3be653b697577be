"""The programme dashboard (reporting.md §6 of the issue): caseload, throughput with
waiting times, what is overdue, and the claims pipeline. Counts only, in SQL: a fixed
number of queries whatever the data size."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max

from eligibility.models import Nomination
from families.models import Family
from outcomes.claims.selectors import Pipeline, pipeline
from outcomes.models import Action, Closure, FollowUp
from reporting.rules import Period


@dataclass(frozen=True)
class Caseload:
    active: int
    by_tier: list[tuple[str, int]]
    without_lead: int
    lead_professionals: int
    most_for_one: int

    @property
    def per_lead(self) -> float | None:
        if not self.lead_professionals:
            return None
        return (self.active - self.without_lead) / self.lead_professionals


@dataclass(frozen=True)
class Throughput:
    period: Period
    nominated: int
    attached: int
    closed: int
    days_to_attach: float | None  # mean, nomination sent to attachment
    days_open: float | None  # mean, attachment to closure, of cases closed


@dataclass(frozen=True)
class Overdue:
    reviews: int
    actions: int
    follow_ups: int


@dataclass(frozen=True)
class Dashboard:
    caseload: Caseload
    throughput: list[Throughput]
    overdue: Overdue
    claims: Pipeline


def _days(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 86400


def caseload(authority_id: int) -> Caseload:
    active = Family.objects.filter(local_authority_id=authority_id, status=Family.Status.ACTIVE)
    tiers = dict(Family.Tier.choices)
    by_tier = [
        (tiers.get(row["tier"], "Not set"), row["n"])
        for row in active.values("tier").annotate(n=Count("pk")).order_by("tier")
    ]
    per_lead = (
        active.exclude(lead_professional=None)
        .values("lead_professional")
        .annotate(n=Count("pk"))
        .aggregate(workers=Count("lead_professional"), most=Max("n"))
    )
    return Caseload(
        active=sum(n for _label, n in by_tier),
        by_tier=by_tier,
        without_lead=active.filter(lead_professional=None).count(),
        lead_professionals=per_lead["workers"] or 0,
        most_for_one=per_lead["most"] or 0,
    )


def throughput(authority_id: int, period: Period) -> Throughput:
    families = Family.objects.filter(local_authority_id=authority_id)
    span = (period.start, period.end)
    nominated = Nomination.objects.filter(
        local_authority_id=authority_id, submitted_at__date__range=span
    ).count()
    waits = (
        Nomination.objects.filter(
            local_authority_id=authority_id,
            family__programme_start__range=span,
            stage=Nomination.Stage.ACCEPTED,
        )
        .annotate(
            wait=ExpressionWrapper(
                F("family__programme_start") - F("submitted_at__date"),
                output_field=DurationField(),
            )
        )
        .aggregate(mean=Avg("wait"))
    )
    closed = (
        Closure.objects.filter(family__local_authority_id=authority_id, closed_on__range=span)
        .annotate(
            open_for=ExpressionWrapper(
                F("closed_on") - F("family__programme_start"), output_field=DurationField()
            )
        )
        .aggregate(n=Count("pk"), mean=Avg("open_for"))
    )
    return Throughput(
        period=period,
        nominated=nominated,
        attached=families.filter(programme_start__range=span).count(),
        closed=closed["n"],
        days_to_attach=_days(waits["mean"]),
        days_open=_days(closed["mean"]),
    )


def overdue(authority_id: int, today: date) -> Overdue:
    return Overdue(
        reviews=Family.objects.filter(
            local_authority_id=authority_id,
            status=Family.Status.ACTIVE,
            next_review_due__lt=today,
        ).count(),
        actions=Action.objects.filter(
            goal__family__local_authority_id=authority_id,
            goal__family__status=Family.Status.ACTIVE,
            due_on__lt=today,
            completed_on__isnull=True,
        )
        .exclude(status__in=["achieved", "not_achieved"])
        .count(),
        follow_ups=FollowUp.objects.filter(
            closure__family__local_authority_id=authority_id, due_on__lt=today, done_on=None
        ).count(),
    )


def dashboard(authority_id: int, today: date) -> Dashboard:
    now = Period.containing(today)
    return Dashboard(
        caseload=caseload(authority_id),
        throughput=[throughput(authority_id, p) for p in (now.previous(), now)],
        overdue=overdue(authority_id, today),
        claims=pipeline(authority_id),
    )
