"""Reads for casework: distance travelled, the plan, and what is overdue."""

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from families.access import families_visible_to
from families.models import Family, Membership
from outcomes import casework
from outcomes.models import (
    Action,
    Assessment,
    AssessmentAmendment,
    BudgetItem,
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


# --- dashboard ------------------------------------------------------------------------


def _my_families(user) -> QuerySet[Family]:
    """Key workers: families they lead or key-work. Coordinators: those of the authority
    they are working in."""
    families = families_visible_to(user)
    authority_id = working_authority_id(user)
    if user.has_role(Role.COORDINATOR) and authority_id is not None:
        return families.filter(local_authority_id=authority_id)
    return families.filter(Q(lead_professional=user) | Q(key_workers=user)).distinct()


def dashboard(user) -> dict:
    """What is overdue or due for the families this user works with, using the same
    schedule rules as everything else (outcomes.casework.schedule)."""
    today = timezone.localdate()
    rules = casework_settings()
    families = _my_families(user)
    active = list(
        families.filter(status=Family.Status.ACTIVE)
        .annotate(last_review=Max("reviews__held_on"))
        .select_related("lead_professional")
    )
    # Keyed as the schedule rules key cases and actions: by any hashable id.
    by_id: dict[Hashable, Family] = {f.pk: f for f in active}
    cases = [
        casework.CaseDates(
            case=f.pk,
            attached_on=f.programme_start or today,
            last_review_on=f.last_review,
            intensive=f.tier == Family.Tier.HIGH_COMPLEX,
        )
        for f in active
    ]
    actions = list(
        Action.objects.filter(goal__family__in=active, completed_on__isnull=True)
        .exclude(status__in=[Goal.Status.ACHIEVED, Goal.Status.NOT_ACHIEVED])
        .select_related("goal__family", "owner_agency", "owner_person")
    )
    by_action: dict[Hashable, Action] = {a.pk: a for a in actions}
    overdue_actions = casework.overdue_actions(
        [casework.Action(a.pk, a.goal.family_id, a.due_on) for a in actions], today
    )
    follow_ups = FollowUp.objects.filter(
        closure__family__in=families, done_on__isnull=True, due_on__lte=today + timedelta(days=14)
    ).select_related("closure__family")
    return {
        "overdue_reviews": [
            (by_id[r.case], r) for r in casework.overdue_reviews(cases, today, rules)
        ],
        "overdue_actions": [(by_action[a.action], a) for a in overdue_actions],
        "follow_ups": list(follow_ups),
        "long_open": [
            (by_id[c.case], c) for c in casework.long_open_intensive_cases(cases, today, rules)
        ],
    }
