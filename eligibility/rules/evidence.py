"""The evidence a rulebook reads: household members, partner records, recorded evidence.

These are plain frozen dataclasses so the rules stay pure: a service loads rows from the
database, builds a :class:`Household`, and hands it to the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from tafcase import identity

from .dates import Term, fmt, is_open_on


class Kind(StrEnum):
    """Partner dataset kinds (datasets.md) that carry criteria evidence.

    The engine compares kinds, relationships and purposes with ``==``, so a service may
    pass the plain strings it stores in the database.
    """

    SCHOOL_ATTENDANCE = "school_attendance"
    SCHOOL_EXCLUSIONS = "school_exclusions"
    ALTERNATIVE_PROVISION = "alternative_provision"
    ASB = "asb"
    OFFENDING = "offending"
    BENEFITS = "benefits"
    EMPLOYMENT = "employment"
    DOMESTIC_ABUSE = "domestic_abuse"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    HEALTH = "health"
    HOUSING = "housing"
    EARLY_YEARS = "early_years"
    NEET = "neet"


# Kinds whose rows are periods (start_date..end_date, blank end = ongoing); others are events.
PERIOD_KINDS = frozenset(
    {
        Kind.ALTERNATIVE_PROVISION,
        Kind.BENEFITS,
        Kind.EMPLOYMENT,
        Kind.CHILDRENS_SOCIAL_CARE,
        Kind.NEET,
    }
)

RECORDED_EVIDENCE = "recorded_evidence"

# Datasets whose names are more than their capitalised codes ("Asb" means nothing).
_KIND_NAMES: dict[str, str] = {
    "persons": "People (the local authority's spine)",
    "asb": "Anti-social behaviour",
    "childrens_social_care": "Children's social care",
    "neet": "Not in education, employment or training",
}


def kind_name(kind: str) -> str:
    """A partner dataset (or recorded evidence) in words: ``asb`` → ``Anti-social
    behaviour``, ``school_attendance`` → ``School attendance``."""
    return _KIND_NAMES.get(kind) or kind.replace("_", " ").capitalize()


class Relationship(StrEnum):
    PARENT_CARER = "parent_carer"
    CHILD = "child"
    OTHER_ADULT = "other_adult"


class Purpose(StrEnum):
    """Whether recorded evidence shows a need (eligibility) or a positive outcome (results)."""

    NEED = "need"
    OUTCOME = "outcome"


@dataclass(frozen=True)
class EvidenceRef:
    """A pointer to one piece of evidence behind a criterion or result.

    ``audit_sample`` is True for recorded evidence, which the claims process samples.
    """

    kind: str
    record_id: str
    date: date
    person_id: str | None = None
    audit_sample: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "record_id": self.record_id,
            "date": self.date.isoformat(),
            "person_id": self.person_id,
            "audit_sample": self.audit_sample,
        }


def cite(refs: Iterable[EvidenceRef]) -> str:
    """Name evidence for users, grouped by kind: ``School attendance records A1, A2``."""
    by_kind: dict[str, list[str]] = {}
    for ref in refs:
        ids = by_kind.setdefault(ref.kind, [])
        if ref.record_id not in ids:
            ids.append(ref.record_id)
    return "; ".join(
        f"{kind_name(kind)} record{'s' if len(ids) > 1 else ''} {', '.join(ids)}"
        for kind, ids in by_kind.items()
    )


@dataclass(frozen=True)
class Member:
    """A household member. Age bands are tafcase.identity's: without a date of birth,
    child/adult falls back to the relationship, and school-age or young-person tests are
    never met (age unknown)."""

    person_id: str
    dob: date | None
    relationship: Relationship
    name: str = ""
    expectant: bool = False

    def age_on(self, d: date) -> int | None:
        return None if self.dob is None else identity.age_on(self.dob, d)

    def is_child(self, d: date) -> bool:
        return identity.is_child(
            self.dob, d, listed_as_child=self.relationship == Relationship.CHILD
        )

    def is_adult(self, d: date) -> bool:
        return not self.is_child(d)

    def is_school_age(self, d: date) -> bool:
        age = self.age_on(d)
        return age is not None and identity.is_school_age(age)

    def is_under_school_age(self, d: date) -> bool:
        age = self.age_on(d)
        return age is not None and identity.is_under_school_age(age)

    def is_young_person(self, d: date) -> bool:
        age = self.age_on(d)
        return age is not None and identity.is_young_person_age(age)

    def describe(self, d: date) -> str:
        """``Jordan (age 12)``: the display name, or person id, with age at ``d``."""
        age = self.age_on(d)
        who = self.name or self.person_id
        return who if age is None else f"{who} (age {age})"


@dataclass(frozen=True)
class Record:
    """One partner record linked to a person.

    ``date`` is the kind's own date: ``incident_date`` (asb, domestic_abuse),
    ``outcome_date`` (offending: an offence is proven on its outcome date),
    ``start_date`` (exclusions, alternative_provision, benefits, employment,
    childrens_social_care, neet), ``recorded_date`` (health), ``event_date`` (housing,
    early_years) and the last day of the term (school_attendance, see
    :func:`attendance_record`). ``end_date`` is for period kinds; None means ongoing.
    ``attributes`` holds the kind's other columns (``role``, ``benefit``, ``status``...).
    """

    kind: Kind
    record_id: str
    person_id: str
    date: date
    # Below here `date` names the field above, so the type is spelt dt.date.
    end_date: dt.date | None = None
    agency: str = ""
    attributes: Mapping[str, str | int] = field(default_factory=dict)

    def attr(self, name: str) -> str:
        return str(self.attributes.get(name, ""))

    def number(self, name: str) -> int:
        return int(self.attributes.get(name, 0) or 0)

    def is_open_on(self, d: dt.date) -> bool:
        return is_open_on(self.date, self.end_date, d)

    @property
    def span(self) -> tuple[dt.date, dt.date | None]:
        """The days the record covers: its period (None = ongoing), or its single date."""
        return (self.date, self.end_date) if self.kind in PERIOD_KINDS else (self.date, self.date)

    @property
    def term(self) -> Term:
        return Term.of(self.attr("academic_year"), self.attr("term"))

    def ref(self) -> EvidenceRef:
        return EvidenceRef(str(self.kind), self.record_id, self.date, self.person_id)


def attendance_record(
    record_id: str,
    person_id: str,
    academic_year: str,
    term: str,
    *,
    possible: int,
    authorised: int,
    unauthorised: int,
    agency: str = "",
) -> Record:
    """A ``school_attendance`` record, dated on the last day of its term."""
    return Record(
        Kind.SCHOOL_ATTENDANCE,
        record_id,
        person_id,
        Term.of(academic_year, term).end,
        agency=agency,
        attributes={
            "academic_year": academic_year,
            "term": term,
            "sessions_possible": possible,
            "sessions_authorised_absent": authorised,
            "sessions_unauthorised_absent": unauthorised,
        },
    )


@dataclass(frozen=True)
class RecordedEvidence:
    """A practitioner's dated statement that a criterion is met (``purpose`` NEED) or that
    its outcome was achieved (OUTCOME). ``person_id`` None means the whole household.
    It is always shown as recorded evidence and flagged for audit sampling."""

    evidence_id: str
    criterion: str
    date: date
    source: str
    text: str
    person_id: str | None = None
    purpose: Purpose = Purpose.NEED

    def ref(self) -> EvidenceRef:
        return EvidenceRef(
            RECORDED_EVIDENCE, self.evidence_id, self.date, self.person_id, audit_sample=True
        )

    def describe(self) -> str:
        return f'recorded evidence from {self.source} on {fmt(self.date)}: "{self.text}"'


@dataclass(frozen=True)
class Household:
    """Everything the rulebook knows about one household as of an evaluation.

    Records and statements about people who are not members are ignored, so a stale link
    cannot make a household eligible.
    """

    members: tuple[Member, ...]
    records: tuple[Record, ...] = ()
    recorded_evidence: tuple[RecordedEvidence, ...] = ()
    taf_agencies: frozenset[str] = frozenset()
    household_id: str = ""
    # records_of's answers by kind: the rules ask for the same kind hundreds of times per
    # evaluation, and a household never changes (frozen), so each is worked out once.
    _records_by_kind: dict[Kind, tuple[tuple[Member, Record], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def member(self, person_id: str | None) -> Member | None:
        return next((m for m in self.members if m.person_id == person_id), None)

    def records_of(self, kind: Kind) -> tuple[tuple[Member, Record], ...]:
        """Records of one kind with their member, oldest first."""
        cached = self._records_by_kind.get(kind)
        if cached is not None:
            return cached
        pairs = []
        for record in self.records:
            if record.kind != kind:
                continue
            member = self.member(record.person_id)
            if member is not None:
                pairs.append((member, record))
        found = tuple(sorted(pairs, key=lambda pair: pair[1].date))
        self._records_by_kind[kind] = found
        return found

    def statements(self, criteria: Iterable[str], purpose: Purpose) -> tuple[RecordedEvidence, ...]:
        """Recorded evidence for any of ``criteria`` with ``purpose``, oldest first."""
        codes = set(criteria)
        return tuple(
            sorted(
                (
                    s
                    for s in self.recorded_evidence
                    if s.criterion in codes
                    and s.purpose == purpose
                    and (s.person_id is None or self.member(s.person_id) is not None)
                ),
                key=lambda s: s.date,
            )
        )
