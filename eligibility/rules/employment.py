"""Employment results: continuous employment (TF2015) and consecutive weeks (TF2012).

A week counts when employment covers all seven days of it, no out-of-work benefit is
open on any of them, and it lies wholly after attachment, so work before attachment can
never count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


Span = tuple[date, date | None]


@dataclass(frozen=True)
class WorkHistory:
    """One adult's employment and out-of-work benefit periods (None end = ongoing)."""

    work: tuple[Span, ...]
    benefit: tuple[Span, ...]

    @classmethod
    def of(cls, household: Household, member: Member, params: Parameters) -> WorkHistory:
        def spans(kind: Kind, keep: Callable[[Record], bool]) -> tuple[Span, ...]:
            return tuple(r.span for m, r in household.records_of(kind) if m == member and keep(r))

        return cls(
            spans(Kind.EMPLOYMENT, lambda r: True),
            spans(Kind.BENEFITS, lambda r: r.attr("benefit") in params.out_of_work_benefits),
        )

    def in_work_off_benefit(self, day: date) -> bool:
        return any(is_open_on(s, e, day) for s, e in self.work) and not any(
            is_open_on(s, e, day) for s, e in self.benefit
        )

    def good_days(self, window: Window) -> frozenset[date]:
        """Days in ``window`` spent in work with no out-of-work benefit open."""
        return frozenset(day for day in window.days() if self.in_work_off_benefit(day))

    def qualifying_weeks(
        self, attachment: date, as_of: date, weeks: int, good: frozenset[date] | None = None
    ) -> int:
        """How many of the ``weeks`` weeks ending on ``as_of`` count as employed.
        ``good`` may pass :meth:`good_days` already worked out for a wider window."""
        if good is None:
            good = self.good_days(Window(as_of - timedelta(weeks=weeks), as_of))
        return sum(
            1
            for week in weeks_before(as_of, weeks)
            if week.start >= attachment and all(day in good for day in week.days())
        )


def _employment_records(
    household: Household, member: Member, window: Window
) -> tuple[EvidenceRef, ...]:
    return tuple(
        r.ref()
        for m, r in household.records_of(Kind.EMPLOYMENT)
        if m == member and window.overlaps(*r.span)
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
        history = WorkHistory.of(household, member, params)
        count = history.qualifying_weeks(attachment, as_of, of)
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
        earliest.append(_first_met(history, attachment, as_of, need, of))
    return Progress(False, (), tuple(reasons), min(earliest))


def _first_met(history: WorkHistory, attachment: date, as_of: date, need: int, of: int) -> date:
    """The first later date on which enough weeks count if current jobs carry on; if that
    never happens, the soonest a job starting tomorrow could get there."""
    horizon = timedelta(weeks=of)
    good = history.good_days(Window(as_of - horizon, as_of + horizon))
    if good:  # with no day in work there is nothing to project
        # Not only ongoing jobs: a later D can also line the weeks up better with past work.
        for days in range(1, horizon.days + 1):
            later = as_of + timedelta(days=days)
            if history.qualifying_weeks(attachment, later, of, good) >= need:
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
        history = WorkHistory.of(household, member, params)
        best = run = 0
        period = Window(attachment, as_of)
        for day in period.days():
            run = run + 1 if history.in_work_off_benefit(day) else 0
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
