"""Outcome rules: has a problem present at attachment been turned around, and held?

Each rule compares the sustain window with the baseline (A - 6 months, A] and returns a
:class:`Progress`. The sustain window never starts before the anchor (the attachment
date, or case closure for SF2022), so evidence dated on or before attachment can never
count towards a result. ``clears_on`` is the earliest as-of date on which the outcome
could hold if nothing new is recorded against it: the basis for "in progress until".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Any

from .criteria import Context as CriterionContext
from .criteria import (
    absence,
    attendance_in,
    exclusions_in,
    is_who,
    offence_date,
    pct_at_least,
    pct_text,
)
from .dates import (
    ONE_DAY,
    Term,
    Window,
    terms_ending_in,
    terms_starting_after,
)
from .employment import continuous_employment
from .evidence import Kind, Member, Purpose, Record, cite
from .framework import CriterionSpec, RuleRef
from .progress import OutcomeCheck, OutcomeContext, Progress, cited

OutcomeRule = Callable[[OutcomeContext, CriterionSpec, Mapping[str, Any]], Progress]
OUTCOMES: dict[str, OutcomeRule] = {}


def outcome(name: str) -> Callable[[OutcomeRule], OutcomeRule]:
    def register(fn: OutcomeRule) -> OutcomeRule:
        OUTCOMES[name] = fn
        return fn

    return register


def _cap(baseline: int, max_pct: float) -> int:
    """Most records allowed in the sustain window: ``max_pct`` of the baseline, rounded down."""
    return int(Fraction(baseline) * Fraction(str(max_pct)) / 100)


def _clears_at_most(octx: OutcomeContext, dates: Sequence[date], cap: int) -> date | None:
    """When no more than ``cap`` of ``dates`` remain in the sustain window."""
    if len(dates) <= cap:
        return None
    ordered = sorted(dates)
    return octx.after(ordered[len(ordered) - cap - 1])


def _latest(dates: Iterable[date | None]) -> date:
    return max(d for d in dates if d is not None)


def _combine(parts: Sequence[Progress]) -> Progress:
    """All parts must hold; it can first hold when the last part does."""
    failing = [p.clears_on for p in parts if not p.holds]
    return Progress(
        not failing,
        tuple(e for p in parts for e in p.evidence),
        tuple(r for p in parts for r in p.reasons),
        _latest(failing) if failing else None,
    )


def _count_cut(
    octx: OutcomeContext, what: str, during: list[Record], before: list[Record], max_pct: float
) -> Progress:
    cap = _cap(len(before), max_pct)
    clears = _clears_at_most(octx, [r.date for r in during], cap)
    reason = (
        f"{what}: {len(during)} from {octx.sustain.describe()}{cited(during)} against "
        f"{len(before)} in the baseline{cited(before)}; at most {cap} allowed"
    )
    return Progress(clears is None, tuple(r.ref() for r in during), (reason,), clears)


@outcome("crime_reduction")
def crime_reduction(
    octx: OutcomeContext, spec: CriterionSpec, options: Mapping[str, Any]
) -> Progress:
    """ASB-perpetrator records cut to the allowed share of baseline, proven youth offences
    likewise, and (unless ``adult_offence_allowed``) no proven offence by an adult."""
    p = octx.params

    def asb(window: Window) -> list[Record]:
        return [r for _, r in octx.records(Kind.ASB, window) if r.attr("role") == "perpetrator"]

    def offences(window: Window, who: str) -> list[Record]:
        return [
            r
            for m, r in octx.records(Kind.OFFENDING, window)
            if r.attr("proven").upper() == "Y" and is_who(m, who, offence_date(r))
        ]

    parts = [
        _count_cut(
            octx,
            "ASB-perpetrator records",
            asb(octx.sustain),
            asb(octx.baseline),
            p.asb_max_pct_of_baseline,
        ),
        _count_cut(
            octx,
            "Proven offences by under-18s",
            offences(octx.sustain, "child"),
            offences(octx.baseline, "child"),
            p.youth_offending_max_pct_of_baseline,
        ),
    ]
    if not options.get("adult_offence_allowed", False):
        adult = offences(octx.sustain, "adult")
        parts.append(
            Progress(
                not adult,
                tuple(r.ref() for r in adult),
                (
                    f"Proven offences by adults: {len(adult)}"
                    + (f" ({cite(r.ref() for r in adult)})" if adult else ""),
                ),
                octx.after(_latest(r.date for r in adult)) if adult else None,
            )
        )
    return _combine(parts)


def _term_absence(
    octx: OutcomeContext, member: Member, terms: Sequence[Term], ctx: CriterionContext
) -> tuple[Progress, ...]:
    """Per term: absence below the threshold, with attendance data present."""
    p = octx.params
    who = member.describe(octx.as_of)
    parts = []
    for term in terms:
        records = attendance_in(ctx, member, [term])
        absent, possible = absence(records, p.absence_measure)
        if not records:
            parts.append(
                Progress(False, (), (f"{who}: no attendance for {term.label} yet",), octx.next_day)
            )
            continue
        high = pct_at_least(absent, possible, p.absence_threshold_pct)
        parts.append(
            Progress(
                not high,
                tuple(r.ref() for r in records),
                (f"{who} missed {pct_text(absent, possible)} in {term.label}{cited(records)}",),
                octx.after(term.end) if high else None,
            )
        )
    return tuple(parts)


def _exclusions(
    octx: OutcomeContext, member: Member, window: Window, ctx: CriterionContext
) -> Progress:
    p = octx.params
    suspensions, permanent = exclusions_in(ctx, member, window)
    cap = p.suspensions_threshold - 1
    clears = [_clears_at_most(octx, [r.date for r in suspensions], cap)]
    clears += [octx.after(r.date) for r in permanent]
    failing = [d for d in clears if d is not None]
    refs = tuple(r.ref() for r in (*suspensions, *permanent))
    reason = (
        f"{member.describe(octx.as_of)}: {len(suspensions)} suspensions and "
        f"{len(permanent)} permanent exclusions{cited((*suspensions, *permanent))}"
    )
    return Progress(not failing, refs, (reason,), _latest(failing) if failing else None)


@outcome("attendance_sustained")
def attendance_sustained(
    octx: OutcomeContext, spec: CriterionSpec, options: Mapping[str, Any]
) -> Progress:
    """Every school-age child: absence below the threshold in each term ending in the sustain
    window (attendance must have been received), no permanent exclusion and fewer
    suspensions than the threshold in the window."""
    ctx = CriterionContext(octx.household, octx.as_of, octx.params)
    parts: list[Progress] = []
    terms = terms_ending_in(octx.sustain)
    for member in octx.household.members:
        if member.is_school_age(octx.as_of):
            parts += _term_absence(octx, member, terms, ctx)
            parts.append(_exclusions(octx, member, octx.sustain, ctx))
    return _combine(parts) if parts else Progress(True, (), ("No school-age children at D",))


@outcome("attendance_three_terms")
def attendance_three_terms(
    octx: OutcomeContext, spec: CriterionSpec, options: Mapping[str, Any]
) -> Progress:
    """TF2012: every school-age child, over the three most recent consecutive terms wholly
    after attachment, has absence below the threshold and fewer suspensions than the
    threshold."""
    p = octx.params
    ctx = CriterionContext(octx.household, octx.as_of, p)
    after = [
        t for t in terms_ending_in(Window(octx.attachment, octx.as_of)) if t.start > octx.attachment
    ]
    if len(after) < p.attendance_terms:
        third = terms_starting_after(octx.attachment, p.attendance_terms)[-1]
        return Progress(
            False, (), (f"Fewer than {p.attendance_terms} whole terms since attachment",), third.end
        )
    terms = after[-p.attendance_terms :]
    span = Window(terms[0].start - ONE_DAY, terms[-1].end)
    next_term_end = terms[-1].following().end
    parts: list[Progress] = []
    for member in octx.household.members:
        if not member.is_school_age(octx.as_of):
            continue
        records = attendance_in(ctx, member, terms)
        absent, possible = absence(records, p.absence_measure)
        high = pct_at_least(absent, possible, p.absence_threshold_pct) or len(records) < len(terms)
        who = member.describe(octx.as_of)
        parts.append(
            Progress(
                not high,
                tuple(r.ref() for r in records),
                (
                    f"{who} missed {pct_text(absent, possible)} over "
                    f"{', '.join(t.label for t in terms)}{cited(records)}",
                ),
                next_term_end if high else None,
            )
        )
        suspensions, _ = exclusions_in(ctx, member, span)
        many = len(suspensions) >= p.suspensions_threshold
        parts.append(
            Progress(
                not many,
                tuple(r.ref() for r in suspensions),
                (f"{who}: {len(suspensions)} suspensions in those terms",),
                next_term_end if many else None,
            )
        )
    return _combine(parts) if parts else Progress(True, (), ("No school-age children at D",))


@outcome("no_child_protection")
def no_child_protection(
    octx: OutcomeContext, spec: CriterionSpec, options: Mapping[str, Any]
) -> Progress:
    """No CP or LAC open in the sustain window, and no CIN or CP starting in it."""
    window = octx.sustain
    blocking: list[tuple[Record, date]] = []
    for _, r in octx.household.records_of(Kind.CHILDRENS_SOCIAL_CARE):
        status = r.attr("status")
        if status in ("CP", "LAC") and window.overlaps(r.date, r.end_date):
            # Still open: the earliest it could end is today.
            blocking.append((r, octx.after(r.end_date or octx.as_of)))
        elif status == "CIN" and window.contains(r.date):
            blocking.append((r, octx.after(r.date)))
    refs = tuple(r.ref() for r, _ in blocking)
    reason = (
        f"Child protection or care in the window ({cite(refs)})"
        if blocking
        else f"No CP or LAC open and no new CIN or CP from {window.describe()}"
    )
    return Progress(
        not blocking, refs, (reason,), _latest(d for _, d in blocking) if blocking else None
    )


@outcome("no_domestic_abuse")
def no_domestic_abuse(
    octx: OutcomeContext, spec: CriterionSpec, options: Mapping[str, Any]
) -> Progress:
    records = [r for _, r in octx.records(Kind.DOMESTIC_ABUSE, octx.sustain)]
    refs = tuple(r.ref() for r in records)
    reason = (
        f"Domestic abuse recorded in the window ({cite(refs)})"
        if records
        else f"No domestic abuse recorded from {octx.sustain.describe()}"
    )
    return Progress(
        not records,
        refs,
        (reason,),
        octx.after(_latest(r.date for r in records)) if records else None,
    )


@outcome("recorded_outcome")
def recorded_outcome(
    octx: OutcomeContext, spec: CriterionSpec, options: Mapping[str, Any]
) -> Progress:
    """Recorded evidence of the outcome, dated in the sustain window."""
    statements = [
        s
        for s in octx.household.statements((spec.code,), Purpose.OUTCOME)
        if octx.sustain.contains(s.date)
    ]
    if not statements:
        return Progress(
            False,
            (),
            (f"No recorded evidence of progress from {octx.sustain.describe()}",),
            octx.next_day,
        )
    return Progress(
        True,
        tuple(s.ref() for s in statements),
        tuple(
            f"{s.describe()} ({cite([s.ref()])}, flagged for audit sampling)" for s in statements
        ),
    )


@outcome("work_progress")
def work_progress(
    octx: OutcomeContext, spec: CriterionSpec, options: Mapping[str, Any]
) -> Progress:
    """An adult in continuous employment, a young person EET throughout the sustain window,
    or recorded evidence of progress to work. Any one is enough."""
    employment = continuous_employment(octx.household, octx.attachment, octx.as_of, octx.params)
    options_tried = [employment, _eet_throughout(octx), recorded_outcome(octx, spec, {})]
    held = [p for p in options_tried if p.holds]
    if held:
        return held[0]
    return Progress(
        False,
        (),
        tuple(r for p in options_tried for r in p.reasons),
        min(p.clears_on for p in options_tried if p.clears_on is not None),
    )


def _eet_throughout(octx: OutcomeContext) -> Progress:
    window = octx.sustain
    for member in octx.household.members:
        if not member.is_young_person(octx.as_of):
            continue
        eet = [
            r
            for m, r in octx.household.records_of(Kind.NEET)
            if m == member and r.attr("status") == "EET"
        ]
        if octx.full_period and window.covered_by(r.span for r in eet):
            refs = tuple(r.ref() for r in eet if window.overlaps(*r.span))
            return Progress(
                True,
                refs,
                (
                    f"{member.describe(octx.as_of)} was EET throughout "
                    f"{window.describe()} ({cite(refs)})",
                ),
            )
    return Progress(
        False, (), ("No young person EET throughout the sustain window",), octx.after(octx.as_of)
    )


def check_outcome(
    spec: CriterionSpec, octx: OutcomeContext, or_recorded: bool = False
) -> OutcomeCheck:
    """Run ``spec``'s outcome rule (recorded evidence if it has none). With ``or_recorded``,
    recorded evidence of the outcome is an alternative to the rule (SF2022)."""
    ref = spec.outcome or RuleRef("recorded_outcome")
    progress = OUTCOMES[ref.rule](octx, spec, ref.options)
    if not progress.holds and or_recorded and ref.rule != "recorded_outcome":
        recorded = recorded_outcome(octx, spec, {})
        if recorded.holds:
            progress = recorded
    state = "holds" if progress.holds else "does not hold yet"
    explanation = f"{spec.label}: {state} — {'; '.join(progress.reasons)}."
    return OutcomeCheck(
        spec.code, spec.label, progress.holds, progress.evidence, explanation, progress.clears_on
    )
