"""Reads for partner data and data-match runs."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from eligibility import rules
from eligibility.datamatch.models import (
    KIND_CHOICES,
    KNOWN_TO_PROGRAMME,
    DatamatchRun,
    PartnerImport,
    RecordLink,
    ReviewItem,
)
from families.access import can_see_identifiers
from families.models import Family, Membership, Person
from tafcase import identity
from tafcase.accounts.models import LocalAuthority


def current_run(authority: LocalAuthority) -> DatamatchRun | None:
    return DatamatchRun.objects.filter(local_authority=authority, is_current=True).first()


def imports_in_force(authority: LocalAuthority, as_of) -> QuerySet[PartnerImport]:
    """Each partner's latest file of each kind taken on or before `as_of`: a new
    quarter's extract replaces the last one from the same agency."""
    return (
        PartnerImport.objects.filter(local_authority=authority, as_of__lte=as_of)
        .order_by("kind", "agency_id", "-as_of", "-uploaded_at", "-pk")
        .distinct("kind", "agency_id")
    )


def import_in_force(
    authority: LocalAuthority, *, kind: str, agency_id: int, as_of
) -> PartnerImport | None:
    """The file of `kind` from one agency that runs as of `as_of` read: the one a new
    file taken on `as_of` would replace."""
    return imports_in_force(authority, as_of).filter(kind=kind, agency_id=agency_id).first()


def _rule_records(links: QuerySet[RecordLink]) -> dict[int, list[rules.Record]]:
    # Plain tuples, not model instances: a council's quarter is hundreds of thousands.
    out: dict[int, list[rules.Record]] = defaultdict(list)
    rows = links.values_list(
        "person_id",
        "record__kind",
        "record__record_id",
        "record__event_date",
        "record__end_date",
        "record__agency__name",
        "record__attributes",
    )
    for person_id, kind, record_id, event_date, end_date, agency, attributes in rows.iterator(
        chunk_size=20000
    ):
        out[person_id].append(
            rules.Record(
                kind=rules.Kind(kind),
                record_id=record_id,
                person_id=str(person_id),
                date=event_date,  # type: ignore[arg-type]  # callers keep only dated records
                end_date=end_date,
                agency=agency,
                attributes=attributes,
            )
        )
    return out


def partner_records_for_run(run: DatamatchRun, person_ids) -> dict[int, list[rules.Record]]:
    """The rulebook's view of the partner records a run linked to these people, by
    person. Undated records are left out: no rule can place them in time."""
    return _rule_records(
        run.links.filter(person_id__in=person_ids, record__event_date__isnull=False).exclude(
            record__kind="persons"
        )
    )


def partner_records_for_people(person_ids) -> dict[int, list[rules.Record]]:
    """The same, from the authority's current run (what screening reads)."""
    return _rule_records(
        RecordLink.objects.filter(
            run__is_current=True, person_id__in=person_ids, record__event_date__isnull=False
        ).exclude(record__kind="persons")
    )


PARTNER_EVIDENCE_SHOWN = 50


def family_page_evidence(user, family: Family) -> dict[str, Any]:
    """The family page's section of partner records the data-match linked to the family's
    people: for those who may see identifiers (programme team and key workers), not every
    TAF partner."""
    if not can_see_identifiers(user):
        return {"partner_evidence": []}
    person_ids = Membership.objects.filter(family=family).values_list("person_id", flat=True)
    return {"partner_evidence": list(evidence_for_family(person_ids)[:PARTNER_EVIDENCE_SHOWN])}


def evidence_for_family(person_ids: Iterable[int]) -> QuerySet[RecordLink]:
    """Partner records behind a family's people, newest first, for the family page."""
    return (
        RecordLink.objects.filter(run__is_current=True, person_id__in=person_ids)
        .exclude(record__kind="persons")
        .select_related("record", "record__agency", "person", "record__partner_import")
        .order_by("-record__event_date", "record__kind")
    )


def review_queue(authority: LocalAuthority) -> QuerySet[ReviewItem]:
    return ReviewItem.objects.filter(
        run__local_authority=authority, run__is_current=True, status=ReviewItem.Status.OPEN
    ).select_related("record", "record__agency")


def link_rates(run: DatamatchRun) -> list[dict]:
    """Records by kind and how they were linked, for the run page."""
    rows = (
        run.links.values("record__kind", "method").annotate(n=Count("pk")).order_by("record__kind")
    )
    table: dict[str, dict] = {}
    for row in rows:
        table.setdefault(row["record__kind"], {})[row["method"]] = row["n"]
    names = dict(KIND_CHOICES)
    return [{"kind": names.get(kind, kind), **methods} for kind, methods in table.items()]


@dataclass(frozen=True)
class EligibleSplit:
    """A run's eligible households, split by whether the programme already knows them."""

    households: int
    eligible: int
    already_known: int

    @property
    def newly_identified(self) -> int:
        return self.eligible - self.already_known

    @property
    def newly_identified_percent(self) -> int | None:
        """The newly identified share of the eligible households, rounded; None when
        none were eligible."""
        return round(100 * self.newly_identified / self.eligible) if self.eligible else None


def eligible_split(run: DatamatchRun) -> EligibleSplit:
    """How many of a run's households were eligible and, of those, how many belong to a
    family already known to the programme (nominated, on the programme or closed) as the
    family stands today: one query. A council reads a run as the families it newly
    identifies, which is the rest."""
    counts = run.households.aggregate(
        n_households=Count("pk"),
        n_eligible=Count("pk", filter=Q(eligible=True)),
        n_known=Count("pk", filter=Q(eligible=True, family__status__in=KNOWN_TO_PROGRAMME)),
    )
    return EligibleSplit(
        households=counts["n_households"],
        eligible=counts["n_eligible"],
        already_known=counts["n_known"],
    )


def run_sources(run: DatamatchRun) -> list[dict]:
    """The files a run read, as its report recorded them, with the dataset named in words
    and the as-of date as a date (the report stores ISO text)."""
    names = dict(KIND_CHOICES)
    return [
        {**s, "kind": names.get(s["kind"], s["kind"]), "as_of": date.fromisoformat(s["as_of"])}
        for s in run.report.get("sources", ())
    ]


def people_search(authority: LocalAuthority, text: str, limit: int = 20) -> QuerySet[Person]:
    """People of the authority by name and, optionally, a date of birth (as the search box
    takes it: YYYY-MM-DD or DD/MM/YYYY),
    for linking a reviewed record to someone the linker did not suggest."""
    words = text.split()
    people = Person.objects.filter(local_authority=authority)
    for word in words:
        try:
            people = people.filter(dob=identity.parse_date(word, lenient=True))
        except identity.IdentityError:
            people = people.filter(Q(forename__istartswith=word) | Q(surname__istartswith=word))
    return people.order_by("surname", "forename", "pk")[:limit] if words else people.none()


def match_in_words(candidate: dict[str, Any]) -> str:
    """A reviewer's one-sentence reading of why the linker suggested someone: how likely
    it is the same person and which details agreed or disagreed. The weights themselves
    stay in the explanation, shown behind a disclosure."""
    steps = [e for e in candidate.get("explanation", ()) if e.get("comparison") != "prior"]
    probability = candidate.get("match_probability")
    if probability is None:
        details = "; ".join(e["level"] for e in steps) or "a reviewer's decision"
        return f"Suggested because of an identifier ({details})."
    agree = [e["level"] for e in steps if (e.get("match_weight") or 0) > 0]
    disagree = [e["level"] for e in steps if (e.get("match_weight") or 0) < 0]
    sentence = f"About {round(probability * 100)}% likely to be the same person."
    if agree:
        sentence += f" Details that agree: {'; '.join(agree)}."
    if disagree:
        sentence += f" Details that count against: {'; '.join(disagree)}."
    return sentence
