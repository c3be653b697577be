"""Reads for casework: distance travelled, the plan, and what is overdue."""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum, TextChoices
from django.utils import timezone

from families.access import families_visible_to
from families.models import Family, Membership
from outcomes import casework
from outcomes.models import (
    Action,
    Assessment,
    AssessmentAmendment,
    BudgetItem,
    Closure,
    DomainScore,
    FollowUp,
    Goal,
)
from outcomes.services import casework_settings
from tafcase.accounts.authority import working_authority_id
from tafcase.accounts.models import Role

FAMILY = casework.FAMILY_SUBJECT


def subjects_for(family: Family, as_of: date) -> list[tuple[casework.Subject, object]]:
    """The family profile, then each current member as a child or an adult profile."""
    subjects: list[tuple[casework.Subject, object]] = [
        (casework.Subject(FAMILY, casework.Profile.FAMILY, "Whole family"), None)
    ]
    for m in (
        Membership.objects.filter(family=family, ended_on__isnull=True)
        .exclude(role=Membership.Role.WIDER_FAMILY)
        .select_related("person")
        .order_by("person__dob", "pk")
    ):
        person = m.person
        profile = casework.member_profile(
            person.dob, as_of, listed_as_child=m.role == Membership.Role.CHILD
        )
        subjects.append((casework.Subject(str(person.pk), profile, person.forename), person))
    return subjects


@dataclass(frozen=True)
class PreviousScore:
    """A domain's latest score before this assessment, for the re-scoring form."""

    score: int
    label: str
    occasion: str
    on: date


def previous_scores(assessment: Assessment) -> dict[str, PreviousScore]:
    """Each subject-and-domain's latest score from the family's earlier assessments,
    keyed like the assessment form (``<subject>-<domain>``). Absent when never scored."""
    previous: dict[str, PreviousScore] = {}
    scale = casework.APPENDIX_D
    rows = (
        DomainScore.objects.filter(
            assessment__family_id=assessment.family_id,
            assessment__occasion__lt=assessment.occasion,
        )
        .order_by("assessment__occasion", "pk")
        .values_list(
            "person_id",
            "domain",
            "score",
            "assessment__occasion",
            "assessment__completed_on",
            "assessment__started_on",
        )
    )
    # Later occasions overwrite earlier ones, leaving the latest score of each.
    for person_id, domain, score, occasion, completed_on, started_on in rows:
        key = f"{person_id or FAMILY}-{domain}"
        previous[key] = PreviousScore(
            score=score,
            label=scale.scale_label(score),
            occasion=casework.occasion_label(occasion),
            on=completed_on or started_on,
        )
    return previous


def assessment_summary(
    assessment: Assessment, subjects: list[tuple[casework.Subject, object]]
) -> list[tuple[casework.Subject, list[tuple[casework.Domain, DomainScore | None, str]]]]:
    """Each subject with each of its domains, the score recorded (or None) and its
    wording, for the read-only view of a completed assessment."""
    recorded = {
        (str(s.person_id) if s.person_id else FAMILY, s.domain): s for s in assessment.scores.all()
    }
    return [
        (
            subject,
            [
                (
                    domain,
                    score := recorded.get((subject.key, domain.code)),
                    casework.APPENDIX_D.scale_label(score.score) if score else "",
                )
                for domain in casework.APPENDIX_D.for_profile(subject.profile)
            ],
        )
        for subject, _ in subjects
    ]


@dataclass(frozen=True)
class AmendmentShown:
    """An amendment with what the assessment said before it, in words."""

    amendment: AssessmentAmendment
    completed_on: date | None
    scores: list[tuple[str, str, str, str]]  # who, domain, score in words, reason


def amendments_for(
    assessment: Assessment, subjects: list[tuple[casework.Subject, object]]
) -> list[AmendmentShown]:
    """The assessment's amendments, newest first, each with the scores it replaced."""
    names = {subject.key: subject.name for subject, _ in subjects}
    scale = casework.APPENDIX_D
    shown = []
    for amendment in assessment.amendments.select_related("amended_by"):
        before = amendment.previous
        scores = []
        for row in before.get("scores", []):
            domain = row["domain"]
            scores.append(
                (
                    names.get(str(row["person"] or FAMILY), "A former member"),
                    scale.domain(domain).label if scale.has_domain(domain) else domain,
                    f"{row['score']} – {scale.scale_label(row['score'])}",
                    row.get("rationale", ""),
                )
            )
        completed_on = before.get("completed_on")
        shown.append(
            AmendmentShown(
                amendment=amendment,
                completed_on=date.fromisoformat(completed_on) if completed_on else None,
                scores=scores,
            )
        )
    return shown


def distance_for(family: Family) -> casework.DistanceTravelled:
    subjects = [s for s, _ in subjects_for(family, timezone.localdate())]
    profiles = {s.key: s.profile for s in subjects}
    records = [
        casework.ScoreRecord(
            subject=str(person_id) if person_id else FAMILY,
            domain=domain,
            occasion=occasion,
            score=score,
            more_need_found=more,
        )
        for person_id, domain, occasion, score, more in DomainScore.objects.filter(
            assessment__family=family
        ).values_list("person_id", "domain", "assessment__occasion", "score", "more_need_found")
        # A score counts while its domain is on the subject's profile today: a child who
        # has turned 18 is scored as an adult from then on.
        if _on_profile(profiles.get(str(person_id) if person_id else FAMILY), domain)
    ]
    return casework.distance_travelled(casework.APPENDIX_D, subjects, records)


def _on_profile(profile: casework.Profile | None, domain: str) -> bool:
    domains = casework.APPENDIX_D
    return (
        profile is not None
        and domains.has_domain(domain)
        and domains.domain(domain).profile == profile
    )


def charts_for(family: Family) -> list[tuple[casework.SubjectProgress, str]]:
    """Each subject's progress with its server-side SVG chart."""
    distance = distance_for(family)
    return [
        (
            progress,
            casework.render_distance_chart(
                progress, casework.APPENDIX_D.scale, id_prefix=f"dt-{progress.subject.key}"
            ),
        )
        for progress in distance.subjects
        if any(d.baseline is not None or d.latest is not None for d in progress.domains)
    ]


def plan_for(family: Family) -> QuerySet[Goal]:
    return family.goals.prefetch_related(
        "members", "actions__owner_agency", "actions__owner_person"
    )


def budget_for(family: Family) -> tuple[list[tuple[BudgetItem, Decimal | int]], dict]:
    """Each item with the running total after it, and the total and agreed amounts."""
    items = list(family.budget_items.select_related("approved_by", "recorded_by"))
    running: list[tuple[BudgetItem, Decimal | int]] = []
    total: Decimal | int = 0
    for item in items:
        total += item.amount
        running.append((item, total))
    approved = sum(i.amount for i in items if not i.awaiting_approval)
    return running, {"total": total, "agreed": approved}


# --- casework due -----------------------------------------------------------------------
#
# One definition of "when is a review due": the family's stored `next_review_due`, set at
# allocation and again by every review (services.review_record). The caseload, the family
# page and this list all read that field, so they cannot disagree about the same family.


class DueKind(TextChoices):
    REVIEWS = "reviews", "Reviews"
    ACTIONS = "actions", "Plan actions"
    FOLLOW_UPS = "follow_ups", "Follow-ups after closure"
    LONG_OPEN = "long_open", "Intensive cases open nine months or more"


class DueWindow(TextChoices):
    DUE_SOON = "soon", "Overdue or due in the next 14 days"
    OVERDUE = "overdue", "Overdue"
    NEXT_14 = "14", "Due in the next 14 days"
    NEXT_28 = "28", "Due in the next 28 days"


@dataclass(frozen=True)
class CaseworkFilters:
    """What the casework due list is narrowed to; None means no narrowing."""

    kind: str = DueKind.REVIEWS
    window: str = DueWindow.DUE_SOON
    worker: Any = None
    agency: Any = None
    locality: Any = None


# Each window as the schedule rule's bounds: (include overdue, days ahead).
_WINDOW_BOUNDS: dict[str, tuple[bool, int]] = {
    DueWindow.DUE_SOON: (True, 14),
    DueWindow.OVERDUE: (True, -1),
    DueWindow.NEXT_14: (False, 14),
    DueWindow.NEXT_28: (False, 28),
}


def due_window_filter(field: str, window: str, today: date) -> Q:
    """The rows whose `field` (a due date) falls in the window (casework.due_bounds)."""
    include_overdue, days_ahead = _WINDOW_BOUNDS.get(window, _WINDOW_BOUNDS[DueWindow.DUE_SOON])
    earliest, latest = casework.due_bounds(
        today, include_overdue=include_overdue, days_ahead=days_ahead
    )
    within = Q(**{f"{field}__lte": latest})
    return within if earliest is None else within & Q(**{f"{field}__gte": earliest})


def casework_families(user) -> QuerySet[Family]:
    """Key workers: families they lead or key-work. Coordinators: those of the authority
    they are working in."""
    families = families_visible_to(user)
    authority_id = working_authority_id(user)
    if user.has_role(Role.COORDINATOR) and authority_id is not None:
        return families.filter(local_authority_id=authority_id)
    key_worked = Family.key_workers.through.objects.filter(family=OuterRef("pk"), user=user)
    return families.filter(Q(lead_professional=user) | Q(Exists(key_worked)))


def _narrowed(families: QuerySet[Family], filters: CaseworkFilters) -> QuerySet[Family]:
    if filters.worker is not None:
        key_worked = Family.key_workers.through.objects.filter(
            family=OuterRef("pk"), user=filters.worker
        )
        families = families.filter(Q(lead_professional=filters.worker) | Q(Exists(key_worked)))
    if filters.agency is not None:
        families = families.filter(lead_professional__agency=filters.agency)
    if filters.locality is not None:
        families = families.filter(locality=filters.locality)
    return families


def casework_due(user, filters: CaseworkFilters, today: date | None = None) -> QuerySet:
    """The rows of one kind of casework due, limited to what the user works with and the
    filters, in date order (the most overdue first). Rows are Family (reviews, long-open),
    Action or FollowUp objects, with what their row shows selected."""
    today = today or timezone.localdate()
    families = _narrowed(casework_families(user), filters)
    active = families.filter(status=Family.Status.ACTIVE)
    if filters.kind == DueKind.ACTIONS:
        return (
            Action.objects.filter(goal__family__in=active, completed_on__isnull=True)
            .exclude(status__in=[Goal.Status.ACHIEVED, Goal.Status.NOT_ACHIEVED])
            .filter(due_window_filter("due_on", filters.window, today))
            .select_related("goal__family", "owner_agency", "owner_person")
            .order_by("due_on", "pk")
        )
    if filters.kind == DueKind.FOLLOW_UPS:
        return (
            FollowUp.objects.filter(closure__family__in=families, done_on__isnull=True)
            .filter(due_window_filter("due_on", filters.window, today))
            .select_related("closure__family")
            .order_by("due_on", "pk")
        )
    if filters.kind == DueKind.LONG_OPEN:
        return (
            active.filter(
                tier=Family.Tier.HIGH_COMPLEX,
                programme_start__lte=casework.long_open_attached_by(today, casework_settings()),
            )
            .select_related("lead_professional")
            .order_by("programme_start", "pk")
        )
    return (
        active.filter(due_window_filter("next_review_due", filters.window, today))
        .select_related("lead_professional")
        .order_by("next_review_due", "pk")
    )


def casework_due_counts(user, filters: CaseworkFilters, today: date | None = None) -> dict:
    """How many rows each kind has under the same filters: one query a kind."""
    return {
        kind: casework_due(user, replace(filters, kind=kind), today).count() for kind in DueKind
    }


@dataclass(frozen=True)
class DueRow:
    """One row of the casework due list or its CSV, whatever kind of record it is."""

    family: Family
    what: str
    who: str
    due_on: date | None
    person_id: int | None = None


def due_rows(kind: str, records) -> list[DueRow]:
    """Rows for records that `casework_due` returned for `kind`."""
    months = casework_settings().intensive_flag_months
    if kind == DueKind.ACTIONS:
        return [
            DueRow(a.goal.family, a.description, str(a.owner), a.due_on, a.owner_person_id)
            for a in records
        ]
    if kind == DueKind.FOLLOW_UPS:
        return [
            DueRow(
                f.closure.family,
                f"Follow-up {f.months_after} months after closure",
                "",
                f.due_on,
            )
            for f in records
        ]
    if kind == DueKind.LONG_OPEN:
        return [
            DueRow(
                f,
                f"Intensive support for {months} months or more",
                str(f.lead_professional or ""),
                casework.add_months(f.programme_start, months),
            )
            for f in records
        ]
    return [DueRow(f, "Review", str(f.lead_professional or ""), f.next_review_due) for f in records]


# --- waiting for a coordinator ------------------------------------------------------------


def spend_awaiting_approval(user) -> QuerySet[BudgetItem]:
    """Spend over the approval threshold that nobody has approved yet, oldest first."""
    return (
        BudgetItem.objects.filter(
            family__in=casework_families(user), needs_approval=True, approved_by__isnull=True
        )
        .select_related("family", "recorded_by")
        .order_by("recorded_at", "pk")
    )


def closures_awaiting_sign_off(user) -> QuerySet[Closure]:
    """Closed cases whose closure a coordinator has not yet signed off, oldest first."""
    return (
        Closure.objects.filter(family__in=casework_families(user), signed_off_by__isnull=True)
        .select_related("family", "closed_by")
        .order_by("closed_on", "pk")
    )


def spend_awaiting_totals(user) -> dict:
    """How many items are waiting and their total in pounds, in one query."""
    totals = spend_awaiting_approval(user).aggregate(count=Count("pk"), amount=Sum("amount"))
    return {"count": totals["count"], "amount": totals["amount"] or Decimal(0)}
