"""Schedule rules: reviews, overdue actions, follow-ups, long-open cases, budget approval."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from outcomes.casework import (
    OVER_FAMILY_LIMIT,
    OVER_SPEND_THRESHOLD,
    Action,
    CaseDates,
    CaseworkSettings,
    Spend,
    add_months,
    check_spends,
    closure_follow_ups,
    family_spend_totals,
    long_open_intensive_cases,
    next_review_due,
    overdue_actions,
    overdue_reviews,
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


@pytest.mark.parametrize(
    ("as_of", "days_overdue"),
    [
        (date(2026, 2, 15), None),  # day before due
        (date(2026, 2, 16), None),  # due today: not yet overdue
        (date(2026, 2, 17), 1),  # the day after
        (date(2026, 3, 16), 28),
    ],
)
def test_review_is_overdue_only_after_its_due_day(as_of, days_overdue):
    result = overdue_reviews([CaseDates("c1", ATTACHED)], as_of)
    assert [r.days_overdue for r in result] == ([] if days_overdue is None else [days_overdue])


def test_overdue_reviews_uses_the_interval_and_last_review_and_skips_closed_cases():
    cases = [
        CaseDates("never-reviewed", ATTACHED),
        CaseDates("reviewed", ATTACHED, last_review_on=date(2026, 2, 1)),
        CaseDates("closed", ATTACHED, closed_on=date(2026, 2, 1)),
        CaseDates("closes-later", ATTACHED, closed_on=date(2026, 6, 1)),
    ]
    result = overdue_reviews(cases, date(2026, 3, 2), FOUR_WEEKS)
    assert [(r.case, r.due_on, r.days_overdue) for r in result] == [
        ("never-reviewed", date(2026, 2, 2), 28),
        ("closes-later", date(2026, 2, 2), 28),
        ("reviewed", date(2026, 3, 1), 1),
    ]


@pytest.mark.parametrize(
    ("due_on", "completed_on", "overdue"),
    [
        (date(2026, 3, 9), None, False),  # due today
        (date(2026, 3, 8), None, True),
        (date(2026, 3, 1), date(2026, 3, 5), False),  # done, late, before as-of
        (date(2026, 3, 1), date(2026, 3, 20), True),  # done after as-of: open on that day
    ],
)
def test_overdue_actions_at_the_boundary(due_on, completed_on, overdue):
    result = overdue_actions([Action("a1", "c1", due_on, completed_on)], date(2026, 3, 9))
    assert bool(result) is overdue


def test_overdue_actions_are_listed_most_overdue_first():
    actions = [Action("late", "c1", date(2026, 3, 1)), Action("later", "c2", date(2026, 2, 1))]
    result = overdue_actions(actions, date(2026, 3, 9))
    assert [(a.action, a.case, a.days_overdue) for a in result] == [
        ("later", "c2", 36),
        ("late", "c1", 8),
    ]


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
    result = long_open_intensive_cases([CaseDates("c1", ATTACHED, intensive=True)], as_of)
    assert bool(result) is flagged
    if flagged:
        assert result[0].flagged_from == date(2026, 10, 5)


def test_long_open_flag_ignores_lighter_and_closed_cases_and_honours_the_setting():
    cases = [
        CaseDates("light", ATTACHED, intensive=False),
        CaseDates("closed", ATTACHED, intensive=True, closed_on=date(2026, 9, 1)),
        CaseDates("open", ATTACHED, intensive=True),
    ]
    as_of = date(2026, 8, 5)
    assert long_open_intensive_cases(cases, as_of) == []
    six = CaseworkSettings(intensive_flag_months=6)
    result = long_open_intensive_cases(cases, as_of, six)
    assert [(r.case, r.days_past) for r in result] == [("closed", 31), ("open", 31)]


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
