"""Small builders for rulebook tests: one evaluation date, a cast of members, records."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from eligibility.rules import (
    CriterionResult,
    Framework,
    Household,
    Kind,
    Member,
    Purpose,
    Record,
    RecordedEvidence,
    Relationship,
    attendance_record,
    evaluate,
)

D = date(2026, 8, 1)  # the evaluation date used throughout


def days(n: int) -> relativedelta:
    return relativedelta(days=n)


def months(n: int) -> relativedelta:
    return relativedelta(months=n)


def person(
    pid: str,
    age: int,
    relationship: Relationship | None = None,
    name: str = "",
    on: date = D,
    expectant: bool = False,
) -> Member:
    """A member whose birthday falls on ``on``, so they are exactly ``age`` that day."""
    if relationship is None:
        relationship = Relationship.CHILD if age < 18 else Relationship.PARENT_CARER
    return Member(pid, on - relativedelta(years=age), relationship, name or pid, expectant)


PARENT = person("P1", 40, name="Sam")
CHILD = person("C1", 12, name="Jordan")
YOUNG = person("Y1", 19, Relationship.OTHER_ADULT, name="Alex")
TODDLER = person("T1", 2, name="Mia")
FAMILY = (PARENT, CHILD, YOUNG, TODDLER)


def rec(
    kind: Kind,
    rid: str,
    pid: str,
    when: date,
    end: date | None = None,
    agency: str = "",
    **attributes: str | int,
) -> Record:
    return Record(kind, rid, pid, when, end, agency, attributes)


def attendance(
    rid: str, pid: str, year: str, term: str, possible: int, auth: int, unauth: int
) -> Record:
    return attendance_record(
        rid, pid, year, term, possible=possible, authorised=auth, unauthorised=unauth
    )


def terms(pid: str, auth: int, unauth: int, possible: int = 100, prefix: str = "A") -> tuple:
    """Attendance for the three most recent terms before D, the same each term."""
    return tuple(
        attendance(f"{prefix}{i}", pid, "2025/26", term, possible, auth, unauth)
        for i, term in enumerate(("autumn", "spring", "summer"), start=1)
    )


def said(
    eid: str,
    criterion: str,
    when: date,
    pid: str | None = None,
    purpose: Purpose = Purpose.NEED,
) -> RecordedEvidence:
    return RecordedEvidence(
        eid, criterion, when, "Family support worker", "Seen at home visit", pid, purpose
    )


def household(
    *records: Record,
    members: tuple[Member, ...] = FAMILY,
    statements: tuple[RecordedEvidence, ...] = (),
    taf: frozenset[str] = frozenset(),
) -> Household:
    return Household(members, tuple(records), statements, taf)


def criterion(framework: Framework, code: str, home: Household, as_of: date = D) -> CriterionResult:
    """The result for one criterion (national or local) of ``framework``."""
    decision = evaluate(home, as_of, framework)
    return next(c for c in decision.criteria if c.code == code)


def ids(result: CriterionResult) -> set[str]:
    return {e.record_id for e in result.evidence}


def case_ids(cases: list) -> list[str]:
    """Readable test ids for (code, records, met, evidence) rows: what is met by what."""

    def summary(r: Record) -> str:
        values = "/".join(str(v) for v in r.attributes.values())
        return f"{r.person_id}:{r.kind}[{values}]@{r.date.isoformat()}"

    return [
        f"{code}-{'met' if met else 'not_met'}-by-{'+'.join(map(summary, records)) or 'nothing'}"
        for code, records, met, _ in cases
    ]
