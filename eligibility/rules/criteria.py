"""Criterion rules: is a headline problem, outcome or local criterion met as of D?

Each rule is a pure function ``(Context, options) -> Finding`` registered by name; a
framework's :class:`~.framework.CriterionSpec` names the rules (with options) that can
meet it. :func:`evaluate_criterion` runs them, adds recorded evidence, and writes the
plain-English explanation users see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from .dates import Term, Window, fmt, terms_ending_by
from .evidence import EvidenceRef, Household, Kind, Member, Purpose, Record, cite
from .framework import CriterionSpec, Parameters


@dataclass(frozen=True)
class Context:
    """What every rule sees: the household, the date D, the parameters and the look-back."""

    household: Household
    as_of: date
    params: Parameters

    @property
    def look_back(self) -> Window:
        return Window.ending(self.as_of, self.params.look_back_months)

    def records(self, kind: Kind, who: str = "any") -> tuple[tuple[Member, Record], ...]:
        """Records of ``kind`` whose member is ``who`` at D (see :func:`is_who`)."""
        return tuple(
            (m, r) for m, r in self.household.records_of(kind) if is_who(m, who, self.as_of)
        )


@dataclass(frozen=True)
class Finding:
    """A rule's answer. ``reasons`` explain the evidence when met, or near misses when not."""

    met: bool
    evidence: tuple[EvidenceRef, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's outcome for a household as of D, with the evidence behind it."""

    code: str
    label: str
    met: bool
    evidence: tuple[EvidenceRef, ...]
    explanation: str
    local: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "label": self.label,
            "met": self.met,
            "local": self.local,
            "evidence": [e.to_dict() for e in self.evidence],
            "explanation": self.explanation,
        }


Rule = Callable[[Context, Mapping[str, Any]], Finding]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register a rule under the name frameworks use for it."""

    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn

    return register


def is_who(member: Member, who: str, d: date) -> bool:
    """Member filter used by rule options: any, child, adult, school_age, young_person."""
    tests: dict[str, Callable[[date], bool]] = {
        "any": lambda _d: True,
        "child": member.is_child,
        "adult": member.is_adult,
        "school_age": member.is_school_age,
        "young_person": member.is_young_person,
    }
    return tests[who](d)


def pct_at_least(part: int, whole: int, threshold_pct: float) -> bool:
    """Exact ``part / whole >= threshold%`` (no float rounding at the boundary)."""
    return whole > 0 and Fraction(part, whole) * 100 >= Fraction(str(threshold_pct))


def pct_text(part: int, whole: int) -> str:
    value = Fraction(part, whole) * 100 if whole else Fraction(0)
    return f"{float(value):.3g}%"


def _found(
    ctx: Context, pairs: Iterable[tuple[Member, Record]], describe: Callable[[Record], str]
) -> Finding:
    """A finding met by each of ``pairs``, one reason per person naming their records."""
    by_person: dict[str, tuple[Member, list[Record]]] = {}
    for member, record in pairs:
        by_person.setdefault(member.person_id, (member, []))[1].append(record)
    reasons = tuple(
        f"{member.describe(ctx.as_of)} {'; '.join(describe(r) for r in records)} "
        f"({cite(r.ref() for r in records)})"
        for member, records in by_person.values()
    )
    evidence = tuple(r.ref() for _, records in by_person.values() for r in records)
    return Finding(bool(evidence), evidence, reasons)


@rule("proven_offence")
def proven_offence(ctx: Context, options: Mapping[str, Any]) -> Finding:
    """A proven offence (by its outcome date) in the look-back. ``who`` child means the
    offender was under 18 when the offence was committed (youth offending)."""
    who = options.get("who", "any")
    pairs = [
        (m, r)
        for m, r in ctx.records(Kind.OFFENDING)
        if r.attr("proven").upper() == "Y"
        and ctx.look_back.contains(r.date)
        and is_who(m, who, offence_date(r))
    ]
    return _found(ctx, pairs, lambda r: f"has a proven offence (outcome {fmt(r.date)})")


def offence_date(record: Record) -> date:
    """When the offence was committed, falling back to the outcome date if unknown."""
    raw = record.attr("offence_date")
    return date.fromisoformat(raw) if raw else record.date


@rule("asb_perpetrator")
def asb_perpetrator(ctx: Context, options: Mapping[str, Any]) -> Finding:
    pairs = [
        (m, r)
        for m, r in ctx.records(Kind.ASB)
        if r.attr("role") == "perpetrator" and ctx.look_back.contains(r.date)
    ]
    return _found(ctx, pairs, lambda r: f"was an ASB perpetrator on {fmt(r.date)}")


def absence(records: Iterable[Record], measure: str) -> tuple[int, int]:
    """(sessions absent by ``measure``, sessions possible) summed over attendance records."""
    absent = possible = 0
    for r in records:
        possible += r.number("sessions_possible")
        absent += r.number("sessions_unauthorised_absent")
        if measure == "overall":
            absent += r.number("sessions_authorised_absent")
    return absent, possible


def attendance_in(ctx: Context, member: Member, terms: Iterable[Term]) -> tuple[Record, ...]:
    wanted = {(t.academic_year, t.name) for t in terms}
    return tuple(
        r
        for m, r in ctx.household.records_of(Kind.SCHOOL_ATTENDANCE)
        if m == member and (r.attr("academic_year"), r.attr("term")) in wanted
    )


def exclusions_in(
    ctx: Context, member: Member, window: Window
) -> tuple[tuple[Record, ...], tuple[Record, ...]]:
    """(suspensions, permanent exclusions) for ``member`` starting inside ``window``."""
    records = [
        r
        for m, r in ctx.household.records_of(Kind.SCHOOL_EXCLUSIONS)
        if m == member and window.contains(r.date)
    ]
    return (
        tuple(r for r in records if r.attr("exclusion_type") == "suspension"),
        tuple(r for r in records if r.attr("exclusion_type") == "permanent"),
    )


@rule("education")
def education(ctx: Context, options: Mapping[str, Any]) -> Finding:
    """A school-age child with absence at or over the threshold across their most recent
    terms, enough suspensions or a permanent exclusion in those terms, or open
    alternative provision at D."""
    p = ctx.params
    terms = terms_ending_by(ctx.as_of, p.attendance_terms)
    span = Window(terms[0].start - timedelta(days=1), ctx.as_of)
    term_names = ", ".join(t.label for t in terms)
    evidence: list[EvidenceRef] = []
    reasons: list[str] = []
    notes: list[str] = []
    for member in ctx.household.members:
        if not member.is_school_age(ctx.as_of):
            continue
        who = member.describe(ctx.as_of)
        attendance = attendance_in(ctx, member, terms)
        absent, possible = absence(attendance, p.absence_measure)
        kind = "sessions" if p.absence_measure == "overall" else "sessions unauthorised"
        said = (
            f"{who} missed {pct_text(absent, possible)} of {kind} over {term_names} "
            f"({cite(r.ref() for r in attendance)})"
        )
        if pct_at_least(absent, possible, p.absence_threshold_pct):
            evidence += [r.ref() for r in attendance]
            reasons.append(said)
        elif attendance:
            notes.append(f"{said}, below {p.absence_threshold_pct:g}%")
        suspensions, permanent = exclusions_in(ctx, member, span)
        if len(suspensions) >= p.suspensions_threshold:
            evidence += [r.ref() for r in suspensions]
            reasons.append(
                f"{who} had {len(suspensions)} suspensions ({cite(r.ref() for r in suspensions)})"
            )
        if permanent:
            evidence += [r.ref() for r in permanent]
            reasons.append(f"{who} was permanently excluded ({cite(r.ref() for r in permanent)})")
        provision = [
            r
            for m, r in ctx.household.records_of(Kind.ALTERNATIVE_PROVISION)
            if m == member and r.is_open_on(ctx.as_of)
        ]
        if provision:
            evidence += [r.ref() for r in provision]
            reasons.append(
                f"{who} is in alternative provision ({cite(r.ref() for r in provision)})"
            )
    return Finding(bool(reasons), tuple(evidence), tuple(reasons or notes))


@rule("social_care_status")
def social_care_status(ctx: Context, options: Mapping[str, Any]) -> Finding:
    """A child with one of ``statuses`` open at D or ended within the look-back."""
    statuses = set(options["statuses"])
    pairs = [
        (m, r)
        for m, r in ctx.records(Kind.CHILDRENS_SOCIAL_CARE, "child")
        if r.attr("status") in statuses and ctx.look_back.overlaps(r.date, r.end_date)
    ]
    return _found(ctx, pairs, _period("has social care status", "status"))


def _period(text: str, attribute: str) -> Callable[[Record], str]:
    def describe(r: Record) -> str:
        until = f"to {fmt(r.end_date)}" if r.end_date else "ongoing"
        return f"{text} {r.attr(attribute)} from {fmt(r.date)}, {until}"

    return describe


@rule("early_years_event")
def early_years_event(ctx: Context, options: Mapping[str, Any]) -> Finding:
    events = set(options["events"])
    pairs = [
        (m, r)
        for m, r in ctx.records(Kind.EARLY_YEARS, options.get("who", "any"))
        if r.attr("event") in events and ctx.look_back.contains(r.date)
    ]
    return _found(ctx, pairs, lambda r: f"has early years {r.attr('event')} ({fmt(r.date)})")


@rule("out_of_work_benefit")
def out_of_work_benefit(ctx: Context, options: Mapping[str, Any]) -> Finding:
    """An adult with an out-of-work benefit open at D."""
    pairs = [
        (m, r)
        for m, r in ctx.records(Kind.BENEFITS, "adult")
        if r.attr("benefit") in ctx.params.out_of_work_benefits and r.is_open_on(ctx.as_of)
    ]
    return _found(ctx, pairs, _period("has out-of-work benefit", "benefit"))


@rule("neet_at_date")
def neet_at_date(ctx: Context, options: Mapping[str, Any]) -> Finding:
    """A young person (16-24) recorded NEET at D."""
    pairs = [
        (m, r)
        for m, r in ctx.records(Kind.NEET, "young_person")
        if r.attr("status") == "NEET" and r.is_open_on(ctx.as_of)
    ]
    return _found(ctx, pairs, _period("is", "status"))


@rule("housing_event")
def housing_event(ctx: Context, options: Mapping[str, Any]) -> Finding:
    events = set(options["events"])
    pairs = [
        (m, r)
        for m, r in ctx.records(Kind.HOUSING)
        if r.attr("event") in events and ctx.look_back.contains(r.date)
    ]
    return _found(ctx, pairs, lambda r: f"has housing {r.attr('event')} ({fmt(r.date)})")


@rule("domestic_abuse")
def domestic_abuse(ctx: Context, options: Mapping[str, Any]) -> Finding:
    """A domestic abuse record in the look-back; ``roles`` limits it (default: any role)."""
    roles = set(options.get("roles", ()))
    pairs = [
        (m, r)
        for m, r in ctx.records(Kind.DOMESTIC_ABUSE, options.get("who", "any"))
        if (not roles or r.attr("role") in roles) and ctx.look_back.contains(r.date)
    ]
    return _found(
        ctx, pairs, lambda r: f"is in a domestic abuse incident as {r.attr('role')} ({fmt(r.date)})"
    )


@rule("health_need")
def health_need(ctx: Context, options: Mapping[str, Any]) -> Finding:
    """A health record in the look-back; ``needs`` limits it (default: any need)."""
    needs = set(options.get("needs", ()))
    pairs = [
        (m, r)
        for m, r in ctx.records(Kind.HEALTH, options.get("who", "any"))
        if (not needs or r.attr("need") in needs) and ctx.look_back.contains(r.date)
    ]
    return _found(ctx, pairs, lambda r: f"has health need {r.attr('need')} ({fmt(r.date)})")


@rule("cp_step_down")
def cp_step_down(ctx: Context, options: Mapping[str, Any]) -> Finding:
    """A child's CP plan ended and a CIN episode started within ``within_days`` after it,
    both inside the look-back."""
    days = timedelta(days=int(options["within_days"]))
    care = ctx.records(Kind.CHILDRENS_SOCIAL_CARE, "child")
    pairs: list[tuple[Member, Record]] = []
    for member, cp in care:
        if cp.attr("status") != "CP" or not ctx.look_back.contains(cp.end_date):
            continue
        assert cp.end_date is not None  # contains() is False for None
        for other, cin in care:
            if (
                other == member
                and cin.attr("status") == "CIN"
                and cp.end_date <= cin.date <= cp.end_date + days
                and ctx.look_back.contains(cin.date)
            ):
                pairs += [(member, cp), (member, cin)]
    return _found(ctx, pairs, _period("had", "status"))


def evaluate_criterion(
    spec: CriterionSpec, household: Household, as_of: date, params: Parameters, local: bool = False
) -> CriterionResult:
    """Evaluate one criterion as of ``as_of``: met from data by any of its rules, or by
    recorded evidence (coded with the criterion or ``also_recorded``) in the look-back."""
    ctx = Context(household, as_of, params)
    findings = [RULES[ref.rule](ctx, ref.options) for ref in spec.rules]
    statements = [
        s
        for s in household.statements((spec.code, *spec.also_recorded), Purpose.NEED)
        if ctx.look_back.contains(s.date)
    ]
    if statements:
        findings.append(
            Finding(
                True,
                tuple(s.ref() for s in statements),
                tuple(
                    f"{s.describe()} ({cite([s.ref()])}, flagged for audit sampling)"
                    for s in statements
                ),
            )
        )
    met = [f for f in findings if f.met]
    evidence = tuple(e for f in met for e in f.evidence)
    if met:
        explanation = f"Met: {'; '.join(r for f in met for r in f.reasons)}."
    else:
        notes = [r for f in findings for r in f.reasons]
        source = (
            "recorded evidence" if not spec.rules else "qualifying records or recorded evidence"
        )
        explanation = f"Not met: no {source} from {ctx.look_back.describe()}"
        explanation += f" ({'; '.join(notes)})." if notes else "."
    return CriterionResult(
        spec.code, spec.label, bool(met), evidence, f"{spec.label}: {explanation}", local
    )
