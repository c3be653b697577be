"""Casework schedule rules: reviews, overdue actions, follow-ups, long-open cases, budgets.

Every rule takes its parameters in a :class:`CaseworkSettings`; nothing here hard-codes a
period or an amount, because councils set their own (reviews "ranging from four to six weeks
up to three months", 003 section 4.1). The defaults come from the sources:

- reviews every 6 weeks: the rolling assessment runs "around four to six weeks initially"
  (003 section 4.1);
- follow-ups at +3, +6 and +12 months after closure (003 section 4.3);
- intensive cases still open at 9 months are flagged: "families who were still receiving
  intensive support after nine months were significantly more likely to be stepped-up to
  social care" (003 section 4.3);
- budget spend above a threshold needs approval; the sources give no figure, so the default
  is a placeholder each council should set.

Dates are ``datetime.date``; "as of" means at the start of that day, so something due on a
day is not overdue until the day after.
"""

from __future__ import annotations

import calendar
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class CaseworkSettings:
    """Parameters for the schedule rules.

    ``family_budget_limit`` is optional: when set, a spend that takes a family's running
    total above it also needs approval, however small the spend.
    """

    review_interval: timedelta = timedelta(weeks=6)
    follow_up_months: tuple[int, ...] = (3, 6, 12)
    intensive_flag_months: int = 9
    budget_approval_threshold: Decimal = Decimal("250.00")
    family_budget_limit: Decimal | None = None

    def __post_init__(self) -> None:
        if self.review_interval <= timedelta(0):
            raise ValueError("The review interval must be positive.")
        if any(m <= 0 for m in self.follow_up_months):
            raise ValueError("Follow-ups must be a positive number of months after closure.")
        if self.intensive_flag_months <= 0:
            raise ValueError("The intensive-case flag must be a positive number of months.")
        if self.budget_approval_threshold < 0:
            raise ValueError("The budget approval threshold cannot be negative.")
        if self.family_budget_limit is not None and self.family_budget_limit < 0:
            raise ValueError("The family budget limit cannot be negative.")


DEFAULT_SETTINGS = CaseworkSettings()


def add_months(start: date, months: int) -> date:
    """``start`` plus whole calendar months, clamped to the end of a shorter month.

    31 August + 3 months is 30 November; 31 August + 6 months is 28 (or 29) February.
    """
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


# --- Reviews --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseDates:
    """The dates of one case that the rules need.

    ``attached_on`` is when the family was attached to the programme (work started);
    ``last_review_on`` the latest completed review, if any; ``closed_on`` set once closed.
    ``intensive`` marks cases on the intensive (high or complex needs) level of support.
    """

    case: Hashable
    attached_on: date
    last_review_on: date | None = None
    closed_on: date | None = None
    intensive: bool = False

    def is_open_on(self, day: date) -> bool:
        return self.attached_on <= day and (self.closed_on is None or self.closed_on > day)


def next_review_due(
    attached_on: date, last_review_on: date | None, settings: CaseworkSettings = DEFAULT_SETTINGS
) -> date:
    """The date the next review is due: one interval after the last review, or attachment."""
    return (last_review_on or attached_on) + settings.review_interval


def review_due_dates(
    attached_on: date,
    count: int,
    settings: CaseworkSettings = DEFAULT_SETTINGS,
    *,
    reviews_done: Sequence[date] = (),
) -> list[date]:
    """The next ``count`` review due dates.

    Reviews already held (``reviews_done``, any order) reset the clock: dates are counted
    from the latest of them, or from attachment if none.
    """
    start = max(reviews_done, default=attached_on)
    return [start + settings.review_interval * n for n in range(1, count + 1)]


@dataclass(frozen=True)
class OverdueReview:
    case: Hashable
    due_on: date
    days_overdue: int


def overdue_reviews(
    cases: Iterable[CaseDates], as_of: date, settings: CaseworkSettings = DEFAULT_SETTINGS
) -> list[OverdueReview]:
    """Open cases whose next review was due before ``as_of``, most overdue first.

    A review due on ``as_of`` itself is not yet overdue. Closed cases are never overdue.
    Ties are ordered by the order the cases were given, so the output is stable.
    """
    overdue = []
    for case in cases:
        if not case.is_open_on(as_of):
            continue
        due_on = next_review_due(case.attached_on, case.last_review_on, settings)
        if due_on < as_of:
            overdue.append(OverdueReview(case.case, due_on, (as_of - due_on).days))
    return sorted(overdue, key=lambda item: -item.days_overdue)


@dataclass(frozen=True)
class Action:
    """An action in a family plan: due by ``due_on``; ``completed_on`` once done."""

    action: Hashable
    case: Hashable
    due_on: date
    completed_on: date | None = None


@dataclass(frozen=True)
class OverdueAction:
    action: Hashable
    case: Hashable
    due_on: date
    days_overdue: int


def overdue_actions(actions: Iterable[Action], as_of: date) -> list[OverdueAction]:
    """Actions not completed by ``as_of`` whose due date is before it, most overdue first.

    An action completed after ``as_of`` counts as not completed on that day, so the rule
    gives the same answer when re-run for a past date.
    """
    overdue = [
        OverdueAction(a.action, a.case, a.due_on, (as_of - a.due_on).days)
        for a in actions
        if a.due_on < as_of and (a.completed_on is None or a.completed_on > as_of)
    ]
    return sorted(overdue, key=lambda item: -item.days_overdue)


# --- Closure and long-open cases --------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """A sustainment follow-up after closure, ``months_after`` closing, due on ``due_on``."""

    months_after: int
    due_on: date


def closure_follow_ups(
    closed_on: date, settings: CaseworkSettings = DEFAULT_SETTINGS
) -> list[FollowUp]:
    """Follow-ups to schedule when a case closes, in date order (month-ends clamped)."""
    return [
        FollowUp(months, add_months(closed_on, months))
        for months in sorted(set(settings.follow_up_months))
    ]


@dataclass(frozen=True)
class LongOpenCase:
    """An intensive case still open on ``as_of``, ``flagged_from`` being when it passed the mark."""

    case: Hashable
    attached_on: date
    flagged_from: date
    days_past: int


def long_open_intensive_cases(
    cases: Iterable[CaseDates], as_of: date, settings: CaseworkSettings = DEFAULT_SETTINGS
) -> list[LongOpenCase]:
    """Intensive cases open on ``as_of`` that have been open for the flag period or longer.

    A case attached on 15 January is flagged from 15 October (9 months) onwards, including
    that day. A case closed on or before ``as_of`` is not flagged. Longest-open first.
    """
    flagged = []
    for case in cases:
        if not case.intensive or not case.is_open_on(as_of):
            continue
        flagged_from = add_months(case.attached_on, settings.intensive_flag_months)
        if flagged_from <= as_of:
            flagged.append(
                LongOpenCase(case.case, case.attached_on, flagged_from, (as_of - flagged_from).days)
            )
    return sorted(flagged, key=lambda item: -item.days_past)


# --- Budget ---------------------------------------------------------------------------------

OVER_SPEND_THRESHOLD = "over_spend_threshold"
OVER_FAMILY_LIMIT = "over_family_limit"


@dataclass(frozen=True)
class Spend:
    """One item of personalised budget spend for a family (``amount`` in pounds)."""

    spend: Hashable
    family: Hashable
    spent_on: date
    amount: Decimal


@dataclass(frozen=True)
class SpendCheck:
    """A spend with the family's running total after it and whether it needs approval.

    ``reasons`` names why approval is needed (:data:`OVER_SPEND_THRESHOLD`,
    :data:`OVER_FAMILY_LIMIT`); it is empty when none is needed.
    """

    spend: Hashable
    family: Hashable
    spent_on: date
    amount: Decimal
    running_total: Decimal
    reasons: tuple[str, ...]

    @property
    def needs_approval(self) -> bool:
        return bool(self.reasons)


def spend_needs_approval(
    amount: Decimal,
    settings: CaseworkSettings = DEFAULT_SETTINGS,
    *,
    family_total_before: Decimal = Decimal(0),
) -> tuple[str, ...]:
    """Why this spend needs approval; empty if it does not.

    A spend of exactly the threshold does not need approval; a penny more does. With a
    family limit set, so does any spend that takes the family's total above the limit.
    """
    if amount <= 0:
        raise ValueError("A spend must be a positive amount.")
    reasons = []
    if amount > settings.budget_approval_threshold:
        reasons.append(OVER_SPEND_THRESHOLD)
    limit = settings.family_budget_limit
    if limit is not None and family_total_before + amount > limit:
        reasons.append(OVER_FAMILY_LIMIT)
    return tuple(reasons)


def check_spends(
    spends: Iterable[Spend], settings: CaseworkSettings = DEFAULT_SETTINGS
) -> list[SpendCheck]:
    """Each spend with its family's running total and approval reasons.

    Spends are taken in date order (ties keep the given order), each family's total
    running separately. The result is in that same date order.
    """
    totals: dict[Hashable, Decimal] = {}
    checks = []
    for spend in sorted(spends, key=lambda s: s.spent_on):
        before = totals.get(spend.family, Decimal(0))
        reasons = spend_needs_approval(spend.amount, settings, family_total_before=before)
        totals[spend.family] = before + spend.amount
        checks.append(
            SpendCheck(
                spend=spend.spend,
                family=spend.family,
                spent_on=spend.spent_on,
                amount=spend.amount,
                running_total=totals[spend.family],
                reasons=reasons,
            )
        )
    return checks


def family_spend_totals(spends: Iterable[Spend]) -> dict[Hashable, Decimal]:
    """Total spend per family."""
    totals: dict[Hashable, Decimal] = {}
    for spend in spends:
        totals[spend.family] = totals.get(spend.family, Decimal(0)) + spend.amount
    return totals


@dataclass(frozen=True)
class ClosureCheck:
    """What stands in the way of closing a case. ``blocked_by`` refuses the closure;
    ``warning`` needs the worker to confirm before it goes ahead. Empty when clear."""

    blocked_by: str = ""
    warning: str = ""


def closure_check(awaiting_approval: Sequence[Decimal], open_goals: Sequence[str]) -> ClosureCheck:
    """Spend still waiting for approval blocks closure (the budget must be settled while
    the case is open); goals not achieved or closed off only warn, since families often
    leave the programme with some goals still in progress."""
    blocked_by = ""
    if awaiting_approval:
        n = len(awaiting_approval)
        blocked_by = (
            f"{n} budget spend{'s' if n != 1 else ''} totalling "
            f"£{sum(awaiting_approval, Decimal(0)):,.2f} {'are' if n != 1 else 'is'} waiting "
            "for a coordinator's approval. Get the spend approved before closing the case."
        )
    warning = ""
    if open_goals:
        n = len(open_goals)
        titles = ", ".join(f"“{title}”" for title in open_goals)
        warning = f"{n} goal{'s are' if n != 1 else ' is'} still open: {titles}."
    return ClosureCheck(blocked_by=blocked_by, warning=warning)
