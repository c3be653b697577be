"""Schedule rules: reviews, due windows, follow-ups, long-open cases, budget approval."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from outcomes.casework import (
    OVER_FAMILY_LIMIT,
    OVER_SPEND_THRESHOLD,
    CaseworkSettings,
    Spend,
    add_months,
    check_spends,
    closure_follow_ups,
    due_bounds,
    family_spend_totals,
    long_open_attached_by,
    next_review_due,
    review_due_dates,
    spend_needs_approval,
)

ATTACHED = date(2026, 1, 5)
FOUR_WEEKS = CaseworkSettings(review_interval=timedelta(weeks=4))


def test_reviews_fall_due_every_six_weeks_from_attachment_by_default():
    assert review_due_dates(ATTACHED, 3) == [
        date(2026, 2, 16),
        date(2026, 3, 30),
        date(2026, 5, 11),
    ]


def test_a_changed_interval_changes_the_due_dates():
    assert review_due_dates(ATTACHED, 2, FOUR_WEEKS) == [date(2026, 2, 2), date(2026, 3, 2)]


def test_a_held_review_restarts_the_clock_from_the_latest_review():
    held = [date(2026, 2, 20), date(2026, 2, 10)]
    assert review_due_dates(ATTACHED, 1, reviews_done=held) == [date(2026, 4, 3)]
    assert next_review_due(ATTACHED, date(2026, 2, 20)) == date(2026, 4, 3)
    assert next_review_due(ATTACHED, None) == date(2026, 2, 16)


def in_bounds(due_on: date, bounds: tuple[date | None, date]) -> bool:
    earliest, latest = bounds
    return (earliest is None or earliest <= due_on) and due_on <= latest


AS_OF = date(2026, 3, 9)


@pytest.mark.parametrize(
    ("due_on", "overdue", "due_in_14_days", "either"),
    [
        (date(2026, 1, 1), True, False, True),
        (date(2026, 3, 8), True, False, True),  # the day before: overdue
        (date(2026, 3, 9), False, True, True),  # due today: due, not yet overdue
        (date(2026, 3, 23), False, True, True),  # 14 days on: still in the window
        (date(2026, 3, 24), False, False, False),
    ],
)
def test_due_bounds_at_the_edges(due_on, overdue, due_in_14_days, either):
    assert in_bounds(due_on, due_bounds(AS_OF, include_overdue=True, days_ahead=-1)) is overdue
    assert (
        in_bounds(due_on, due_bounds(AS_OF, include_overdue=False, days_ahead=14)) is due_in_14_days
    )
    assert in_bounds(due_on, due_bounds(AS_OF, include_overdue=True, days_ahead=14)) is either


def test_a_review_held_sets_the_next_one_interval_after_it():
    assert next_review_due(ATTACHED, None, FOUR_WEEKS) == date(2026, 2, 2)
    assert next_review_due(ATTACHED, date(2026, 2, 1), FOUR_WEEKS) == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("closed_on", "expected"),
    [
        (date(2026, 1, 15), [date(2026, 4, 15), date(2026, 7, 15), date(2027, 1, 15)]),
        (date(2026, 8, 31), [date(2026, 11, 30), date(2027, 2, 28), date(2027, 8, 31)]),
        (date(2027, 8, 31), [date(2027, 11, 30), date(2028, 2, 29), date(2028, 8, 31)]),
        (date(2026, 11, 30), [date(2027, 2, 28), date(2027, 5, 30), date(2027, 11, 30)]),
    ],
)
def test_follow_ups_at_3_6_and_12_months_clamp_to_month_end(closed_on, expected):
    follow_ups = closure_follow_ups(closed_on)
    assert [f.months_after for f in follow_ups] == [3, 6, 12]
    assert [f.due_on for f in follow_ups] == expected


def test_follow_up_months_are_configurable_and_returned_in_order():
    settings = CaseworkSettings(follow_up_months=(12, 1))
    assert [
        (f.months_after, f.due_on) for f in closure_follow_ups(date(2026, 1, 31), settings)
    ] == [
        (1, date(2026, 2, 28)),
        (12, date(2027, 1, 31)),
    ]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [(date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2026, 12, 15), 1, date(2027, 1, 15))],
)
def test_add_months_crosses_year_and_clamps(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("as_of", "flagged"),
    [(date(2026, 10, 4), False), (date(2026, 10, 5), True), (date(2026, 12, 1), True)],
)
def test_intensive_case_is_flagged_from_nine_months_open(as_of, flagged):
    assert (long_open_attached_by(as_of) >= ATTACHED) is flagged


@pytest.mark.parametrize(
    ("as_of", "months", "expected"),
    [
        (date(2026, 10, 5), 9, date(2026, 1, 5)),
        # Attached 29, 30 or 31 May: flagged from 28 February, the month's end.
        (date(2027, 2, 28), 9, date(2026, 5, 31)),
        (date(2027, 2, 27), 9, date(2026, 5, 27)),
        (date(2026, 8, 5), 6, date(2026, 2, 5)),
    ],
)
def test_long_open_attached_by_is_the_exact_inverse_of_the_flag(as_of, months, expected):
    settings = CaseworkSettings(intensive_flag_months=months)
    latest = long_open_attached_by(as_of, settings)
    assert latest == expected
    assert add_months(latest, months) <= as_of
    assert add_months(latest + timedelta(days=1), months) > as_of


@pytest.mark.parametrize(
    ("amount", "needs"),
    [("249.99", False), ("250.00", False), ("250.01", True), ("1000", True)],
)
def test_spend_needs_approval_only_above_the_threshold(amount, needs):
    reasons = spend_needs_approval(Decimal(amount))
    assert reasons == ((OVER_SPEND_THRESHOLD,) if needs else ())


def test_approval_threshold_is_configurable():
    settings = CaseworkSettings(budget_approval_threshold=Decimal("100"))
    assert spend_needs_approval(Decimal("100.01"), settings) == (OVER_SPEND_THRESHOLD,)
    assert spend_needs_approval(Decimal("100.00"), settings) == ()


def test_running_total_per_family_in_date_order():
    spends = [
        Spend("s3", "f1", date(2026, 3, 1), Decimal("40.00")),
        Spend("s1", "f1", date(2026, 1, 1), Decimal("100.00")),
        Spend("s2", "f2", date(2026, 2, 1), Decimal("300.00")),
        Spend("s4", "f1", date(2026, 3, 2), Decimal("60.50")),
    ]
    checks = check_spends(spends)
    assert [(c.spend, c.running_total, c.needs_approval) for c in checks] == [
        ("s1", Decimal("100.00"), False),
        ("s2", Decimal("300.00"), True),
        ("s3", Decimal("140.00"), False),
        ("s4", Decimal("200.50"), False),
    ]
    assert family_spend_totals(spends) == {"f1": Decimal("200.50"), "f2": Decimal("300.00")}


def test_a_small_spend_that_takes_the_family_over_its_limit_needs_approval():
    settings = CaseworkSettings(family_budget_limit=Decimal("500"))
    spends = [
        Spend("s1", "f1", date(2026, 1, 1), Decimal("250")),
        Spend("s2", "f1", date(2026, 1, 2), Decimal("250")),  # exactly at the limit
        Spend("s3", "f1", date(2026, 1, 3), Decimal("0.01")),
    ]
    assert [c.reasons for c in check_spends(spends, settings)] == [(), (), (OVER_FAMILY_LIMIT,)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"review_interval": timedelta(0)}, "review interval"),
        ({"follow_up_months": (3, 0)}, "Follow-ups"),
        ({"intensive_flag_months": 0}, "intensive"),
        ({"budget_approval_threshold": Decimal("-1")}, "threshold"),
        ({"family_budget_limit": Decimal("-1")}, "limit"),
    ],
)
def test_nonsensical_settings_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CaseworkSettings(**kwargs)


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_a_spend_must_be_positive(amount):
    with pytest.raises(ValueError, match="positive"):
        spend_needs_approval(Decimal(amount))
