"""Reads for nominations, screening and panels. Rules stay pure in eligibility.rules:
these functions load what they need and build the plain values the rules take."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from eligibility import rules
from eligibility.datamatch.selectors import partner_records_for_people
from eligibility.models import (
    AgendaItem,
    FrameworkVersion,
    Nomination,
    PanelMeeting,
    RecordedEvidence,
)
from families import selectors as family_selectors
from families.models import Family, Involvement, Membership, Person
from tafcase.accounts.models import Agency, LocalAuthority, Role, User

RELATIONSHIPS: dict[str, rules.Relationship] = {
    Membership.Role.PARENT_CARER: rules.Relationship.PARENT_CARER,
    Membership.Role.CHILD: rules.Relationship.CHILD,
    Membership.Role.OTHER_ADULT: rules.Relationship.OTHER_ADULT,
}


# --- frameworks -----------------------------------------------------------------------


def active_framework(authority: LocalAuthority) -> FrameworkVersion | None:
    return FrameworkVersion.objects.filter(local_authority=authority, is_active=True).first()


def framework_in_force(authority: LocalAuthority) -> rules.Framework:
    """The authority's active framework, or the built-in default until one is chosen."""
    row = active_framework(authority)
    return row.framework if row else rules.DEFAULT_FRAMEWORK


def criteria_choices(authority: LocalAuthority) -> list[tuple[str, str]]:
    framework = framework_in_force(authority)
    return [(c.code, c.label) for c in (*framework.active_national, *framework.active_local)]


# --- evidence and households ----------------------------------------------------------


def households_for(families: list[Family], as_of: date) -> dict[int, rules.Household]:
    """The rulebook's view of each family as of a date, in a fixed number of queries:
    members living in the household, the partner records the current data-match linked
    to them, recorded evidence and TAF agencies."""
    ids = [f.pk for f in families]
    members: dict[int, list[rules.Member]] = defaultdict(list)
    memberships = (
        Membership.objects.filter(family_id__in=ids, role__in=list(RELATIONSHIPS))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=as_of))
        .select_related("person")
        .order_by("family_id", "pk")
    )
    for m in memberships:
        members[m.family_id].append(
            rules.Member(
                person_id=str(m.person_id),
                dob=m.person.dob,
                relationship=RELATIONSHIPS[m.role],
                name=m.person.forename,
            )
        )
    evidence = recorded_evidence_by_family(ids, as_of)
    people = [int(m.person_id) for ms in members.values() for m in ms]
    records = partner_records_for_people(people)
    agencies: dict[int, set[str]] = defaultdict(set)
    taf = Involvement.objects.filter(family_id__in=ids, started_on__lte=as_of).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=as_of)
    )
    for family_id, agency in taf.values_list("family_id", "agency__name"):
        agencies[family_id].add(agency)
    return {
        f.pk: rules.Household(
            members=tuple(members[f.pk]),
            records=tuple(r for m in members[f.pk] for r in records.get(int(m.person_id), ())),
            recorded_evidence=tuple(evidence[f.pk]),
            taf_agencies=frozenset(agencies[f.pk]),
            household_id=f.reference,
        )
        for f in families
    }


def recorded_evidence_by_family(family_ids, as_of: date) -> dict[int, list]:
    """Practitioners' recorded evidence as the rulebook reads it, by family."""
    evidence: dict[int, list[rules.RecordedEvidence]] = defaultdict(list)
    for e in RecordedEvidence.objects.filter(family_id__in=family_ids, evidence_date__lte=as_of):
        evidence[e.family_id].append(
            rules.RecordedEvidence(
                evidence_id=str(e.pk),
                criterion=e.criterion,
                date=e.evidence_date,
                source=e.source,
                text=e.text,
                person_id=str(e.person_id) if e.person_id else None,
                purpose=rules.Purpose(e.purpose),
            )
        )
    return evidence


def screening_preview(nomination: Nomination, as_of: date) -> rules.Decision:
    """What the rulebook in force decides for the nominated family today."""
    household = households_for([nomination.family], as_of)[nomination.family_id]
    return rules.evaluate(household, as_of, framework_in_force(nomination.local_authority))


def evidence_for(nomination: Nomination) -> QuerySet[RecordedEvidence]:
    return nomination.family.evidence.select_related("person", "recorded_by").order_by(
        "criterion", "evidence_date"
    )


# --- nominations ----------------------------------------------------------------------


def panel_chairs_of(authority: LocalAuthority) -> QuerySet[User]:
    """Who may chair the authority's panels: its panel chairs and coordinators."""
    return User.objects.filter(
        is_active=True,
        roles__overlap=[Role.PANEL_CHAIR, Role.COORDINATOR],
        authorities=authority,
    ).order_by("full_name", "pk")


def agencies_for(authority: LocalAuthority) -> QuerySet[Agency]:
    """The authority's own agencies and the ones that serve several (police, health…)."""
    return Agency.objects.filter(
        Q(local_authority=authority) | Q(local_authority__isnull=True)
    ).order_by("name")


def known_families_like(nomination: Nomination) -> QuerySet[Family]:
    """Families of the nomination's authority, other than its own, with one of its members
    in them: the same strong identifier, or the same name and date of birth (any letter
    case). For the coordinator at screening, who decides whether to merge."""
    match = Q()
    people = Person.objects.filter(memberships__family_id=nomination.family_id)
    for person in people:
        for field in ("upn", "nino", "nhs_number", "la_person_id"):
            if getattr(person, field):
                match |= Q(**{field: getattr(person, field)})
        if person.dob:
            match |= Q(
                forename__iexact=person.forename, surname__iexact=person.surname, dob=person.dob
            )
    if not match:
        return Family.objects.none()
    known = Person.objects.filter(match, local_authority_id=nomination.local_authority_id)
    return (
        Family.objects.filter(
            local_authority_id=nomination.local_authority_id, memberships__person__in=known
        )
        .exclude(pk=nomination.family_id)
        .select_related("lead_professional")
        .distinct()
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class QueueRow:
    stage: str
    label: str
    count: int
    oldest_days: int | None


def nomination_queue(nominations: QuerySet[Nomination]) -> list[QueueRow]:
    """Open nominations by stage with the age of the oldest, for the coordinator."""
    now = timezone.now()
    stages = {
        r["stage"]: r
        for r in nominations.filter(stage__in=Nomination.OPEN_STAGES)
        .values("stage")
        .annotate(n=Count("pk"), oldest=Min("stage_changed_at"))
    }
    return [
        QueueRow(
            stage,
            Nomination.Stage(stage).label,
            stages[stage]["n"] if stage in stages else 0,
            (now - stages[stage]["oldest"]).days if stage in stages else None,
        )
        for stage in Nomination.OPEN_STAGES
    ]


def overridden(nominations: QuerySet[Nomination]) -> QuerySet[Nomination]:
    """Nominations whose screening went against the rulebook, for the override report."""
    return nominations.filter(
        Q(screenings__outcome="eligible", screenings__rulebook_eligible=False)
        | Q(screenings__outcome="not_eligible", screenings__rulebook_eligible=True)
    ).distinct()


def with_list_columns(nominations: QuerySet[Nomination]) -> QuerySet[Nomination]:
    return nominations.select_related("family", "referrer_agency")


# --- panels and allocation ------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    user: User
    families: int
    weighted: float
    capacity: float

    @property
    def label(self) -> str:
        # The caseload's weight too: it decides whether the panel may allocate.
        weighted = f", weighted caseload {self.weighted:.1f} of {self.capacity:.0f}"
        return family_selectors.lead_professional_label(self.user, self.families, more=weighted)

    def would_exceed(self, level: str) -> bool:
        return self.weighted + caseload_weight(level) > self.capacity


def caseload_weight(tier: str) -> float:
    """How much of a key worker's capacity one active family of this tier takes: intensive
    (high or complex) counts 1, lighter tiers less (settings.CASELOAD_WEIGHTS)."""
    return settings.CASELOAD_WEIGHTS.get(tier or "", 1.0)


def lead_candidates(authority: LocalAuthority) -> list[Candidate]:
    """Key workers of the authority with their current weighted caseloads, lightest first."""
    workers = list(family_selectors.key_workers_of(authority))
    loads: dict[int, list[tuple[str, int]]] = defaultdict(list)
    counts = (
        Family.objects.filter(lead_professional__in=workers, status=Family.Status.ACTIVE)
        .values_list("lead_professional_id", "tier")
        .annotate(n=Count("pk"))
    )
    for user_id, tier, n in counts:
        loads[user_id].append((tier, n))
    candidates = [
        Candidate(
            user=w,
            families=sum(n for _, n in loads[w.pk]),
            weighted=sum(caseload_weight(t) * n for t, n in loads[w.pk]),
            capacity=settings.CASELOAD_CAPACITY,
        )
        for w in workers
    ]
    return sorted(candidates, key=lambda c: (c.weighted, c.user.pk))


def nominations_waiting_for(panel: PanelMeeting) -> QuerySet[Nomination]:
    """Eligible nominations of the panel's authority not yet on this panel's agenda."""
    return (
        Nomination.objects.filter(
            local_authority_id=panel.local_authority_id, stage=Nomination.Stage.ELIGIBLE
        )
        .exclude(items__panel=panel)
        .select_related("family__locality")
        .prefetch_related("screenings")
        .order_by("submitted_at", "pk")
    )


def priority_facts(nomination: Nomination) -> tuple[int, int]:
    """Local criteria met and agencies involved, as its latest screening found them.
    Reads the prefetched screenings (newest first)."""
    screenings = list(nomination.screenings.all())
    priority = screenings[0].decision.get("priority", {}) if screenings else {}
    return priority.get("local_criteria_met", 0), priority.get("agencies_involved", 0)


def agenda(panel) -> QuerySet[AgendaItem]:
    return panel.items.select_related(
        "nomination__family__locality", "lead_professional", "decided_by"
    ).order_by("position")
