"""Casework schedule rules: reviews, what is due, follow-ups, long-open cases, budgets.

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


def due_bounds(as_of: date, *, include_overdue: bool, days_ahead: int) -> tuple[date | None, date]:
    """The inclusive range of due dates a "due" list shows on ``as_of``.

    Overdue means due before ``as_of``: something due on ``as_of`` itself is due, not yet
    overdue. ``include_overdue`` opens the range to every earlier date; ``days_ahead``
    sets its end (``-1`` with ``include_overdue`` gives the overdue alone).
    """
    earliest = None if include_overdue else as_of
    return earliest, as_of + timedelta(days=days_ahead)


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


def long_open_attached_by(as_of: date, settings: CaseworkSettings = DEFAULT_SETTINGS) -> date:
    """The latest attachment date of an intensive case flagged as long open on ``as_of``.

    A case attached on 15 January is flagged from 15 October (9 months) onwards, including
    that day; so every case attached on or before the returned date is flagged. Month ends
    clamp: attached 31 May, a case is flagged from 28 February.
    """
    months = settings.intensive_flag_months
    latest = add_months(as_of, -months)
    # add_months clamps to a month's end, so later days may reach as_of too.
    while add_months(latest + timedelta(days=1), months) <= as_of:
        latest += timedelta(days=1)
    return latest


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
