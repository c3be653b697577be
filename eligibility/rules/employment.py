"""Employment results: continuous employment (TF2015) and consecutive weeks (TF2012).

A week counts when employment covers all seven days of it, no out-of-work benefit is
open on any of them, and it lies wholly after attachment, so work before attachment can
never count.
"""

from __future__ import annotations

from datetime import date, timedelta

from .dates import Window, fmt, is_open_on, weeks_before
from .evidence import EvidenceRef, Household, Kind, Member, Record, cite
from .framework import Parameters
from .progress import Progress, cited


def claimants_at(
    household: Household, d: date, params: Parameters
) -> list[tuple[Member, list[Record]]]:
    """Adults with an out-of-work benefit open on ``d``, with those benefit records."""
    found: dict[str, tuple[Member, list[Record]]] = {}
    for member, r in household.records_of(Kind.BENEFITS):
        if (
            member.is_adult(d)
            and r.attr("benefit") in params.out_of_work_benefits
            and r.is_open_on(d)
        ):
            found.setdefault(member.person_id, (member, []))[1].append(r)
    return list(found.values())


def _spans(
    household: Household, member: Member, kind: Kind, params: Parameters
) -> list[tuple[date, date | None]]:
    return [
        r.span
        for m, r in household.records_of(kind)
        if m == member
        and (kind != Kind.BENEFITS or r.attr("benefit") in params.out_of_work_benefits)
    ]


def _employment_records(
    household: Household, member: Member, window: Window
) -> tuple[EvidenceRef, ...]:
    return tuple(
        r.ref()
        for m, r in household.records_of(Kind.EMPLOYMENT)
        if m == member and window.overlaps(*r.span)
    )


def qualifying_weeks(
    household: Household,
    member: Member,
    attachment: date,
    as_of: date,
    weeks: int,
    params: Parameters,
) -> int:
    """How many of the ``weeks`` weeks ending on ``as_of`` count as employed."""
    work = _spans(household, member, Kind.EMPLOYMENT, params)
    benefit = _spans(household, member, Kind.BENEFITS, params)
    return sum(
        1
        for week in weeks_before(as_of, weeks)
        if week.start >= attachment
        and week.covered_by(work)
        and not any(week.overlaps(s, e) for s, e in benefit)
    )


def continuous_employment(
    household: Household, attachment: date, as_of: date, params: Parameters
) -> Progress:
    """TF2015: an adult on an out-of-work benefit at attachment is employed in enough of the
    weeks before D (26 of 30 after a job-search benefit, otherwise 13 of 16)."""
    claimants = claimants_at(household, attachment, params)
    if not claimants:
        return Progress(False, (), ("No adult was on an out-of-work benefit at attachment",), None)
    reasons: list[str] = []
    earliest: list[date] = []
    for member, benefits in claimants:
        searching = any(b.attr("benefit") in params.job_search_benefits for b in benefits)
        need, of = (
            (params.employment_weeks_job_search, params.employment_window_job_search)
            if searching
            else (params.employment_weeks_other, params.employment_window_other)
        )
        count = qualifying_weeks(household, member, attachment, as_of, of, params)
        window = Window(as_of - timedelta(weeks=of), as_of)
        said = (
            f"{member.describe(as_of)} was on "
            f"{', '.join(b.attr('benefit') for b in benefits)} at attachment{cited(benefits)} "
            f"and was employed in {count} of the {of} weeks "
            f"to {fmt(as_of)}, {need} needed"
        )
        refs = _employment_records(household, member, window)
        if count >= need:
            return Progress(True, refs, (f"{said} ({cite(refs)})",))
        reasons.append(said)
        earliest.append(_first_met(household, member, attachment, as_of, need, of, params))
    return Progress(False, (), tuple(reasons), min(earliest))


def _first_met(
    household: Household,
    member: Member,
    attachment: date,
    as_of: date,
    need: int,
    of: int,
    params: Parameters,
) -> date:
    """The first later date on which enough weeks count if ongoing records carry on; if that
    never happens, the soonest a job starting tomorrow could get there."""
    for days in range(1, 7 * of + 1):
        later = as_of + timedelta(days=days)
        if qualifying_weeks(household, member, attachment, later, of, params) >= need:
            return later
    return max(as_of, attachment) + timedelta(weeks=need)


def consecutive_employment(
    household: Household, attachment: date, as_of: date, params: Parameters
) -> Progress:
    """TF2012: an adult on an out-of-work benefit at attachment has been off out-of-work
    benefits and in work for a run of consecutive weeks after attachment."""
    claimants = claimants_at(household, attachment, params)
    if not claimants:
        return Progress(False, (), ("No adult was on an out-of-work benefit at attachment",), None)
    need = timedelta(weeks=params.consecutive_employment_weeks).days
    reasons: list[str] = []
    earliest: list[date] = []
    for member, _ in claimants:
        work = _spans(household, member, Kind.EMPLOYMENT, params)
        benefit = _spans(household, member, Kind.BENEFITS, params)
        best = run = 0
        period = Window(attachment, as_of)
        for day in period.days():
            in_work = any(is_open_on(s, e, day) for s, e in work)
            on_benefit = any(is_open_on(s, e, day) for s, e in benefit)
            run = run + 1 if in_work and not on_benefit else 0
            best = max(best, run)
        said = (
            f"{member.describe(as_of)}'s longest run in work and off out-of-work benefits "
            f"since attachment is {best} days, {need} needed"
        )
        refs = _employment_records(household, member, period)
        if best >= need:
            return Progress(True, refs, (f"{said} ({cite(refs)})",))
        reasons.append(said)
        earliest.append(as_of + timedelta(days=need - run))
    return Progress(False, (), tuple(reasons), min(earliest))
