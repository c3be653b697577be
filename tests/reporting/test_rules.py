"""The report cards' arithmetic (reporting.rules), on small hand-made numbers."""

from datetime import date, timedelta

import pytest

from reporting.rules import (
    Period,
    Trend,
    Unit,
    Value,
    forecast,
    periods_ending,
    scorecard,
    shown,
    sum_by_month,
    sum_spans,
    trend,
    variance,
)


@pytest.mark.parametrize(
    ("day", "key", "start", "end", "label"),
    [
        (date(2026, 4, 1), "2026-Q1", date(2026, 4, 1), date(2026, 6, 30), "Quarter 1 2026/27"),
        (date(2026, 12, 6), "2026-Q3", date(2026, 10, 1), date(2026, 12, 31), "Quarter 3 2026/27"),
        (date(2027, 3, 31), "2026-Q4", date(2027, 1, 1), date(2027, 3, 31), "Quarter 4 2026/27"),
        (date(2027, 2, 28), "2026-Q4", date(2027, 1, 1), date(2027, 3, 31), "Quarter 4 2026/27"),
        (date(2099, 9, 30), "2099-Q2", date(2099, 7, 1), date(2099, 9, 30), "Quarter 2 2099/00"),
    ],
)
def test_financial_quarters(day, key, start, end, label):
    period = Period.containing(day)
    assert (period.key, period.start, period.end, period.label) == (key, start, end, label)
    assert Period.from_key(key) == period
    assert period.next().previous() == period
    assert period.next().start == end + timedelta(days=1)


@pytest.mark.parametrize(
    "key", ["", "2026", "2026-Q", "2026-Q5", "2026-Q12", "26-Q1", "２０２６-Q1"]
)
def test_a_key_that_is_not_a_quarter_is_refused(key):
    with pytest.raises(ValueError):
        Period.from_key(key)


def test_periods_ending_runs_oldest_first_across_years():
    keys = [p.key for p in periods_ending(Period(2026, 2), 5)]
    assert keys == ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]


@pytest.mark.parametrize(
    ("value", "unit", "figure"),
    [
        (Value(7), Unit.COUNT, 7),
        (Value(3, 4), Unit.PERCENT, 75.0),
        (Value(3, 0), Unit.PERCENT, None),
        (Value(-1.5, 3), Unit.NUMBER, -0.5),
    ],
)
def test_values(value, unit, figure):
    assert value.figure(unit) == figure


@pytest.mark.parametrize(
    ("history", "direction", "run"),
    [
        ([], None, 0),
        ([4], None, 0),
        ([2, 3, 5, 6], Trend.UP, 3),
        ([9, 3, 5, 6], Trend.UP, 2),
        ([6, 5, 5], Trend.FLAT, 1),
        ([1, 2, 3, 2], Trend.DOWN, 1),
        ([1, None, 3, 2, 1], Trend.DOWN, 2),
        ([1, 2, None], None, 0),
    ],
)
def test_trend_and_how_long_it_has_run(history, direction, run):
    assert trend(history) == (direction, run)


@pytest.mark.parametrize(
    ("actual", "target", "expected"),
    [(110, 100, 0.1), (80, 100, -0.2), (5, 0, None), (None, 5, None)],
)
def test_variance_is_actual_minus_target_over_target(actual, target, expected):
    result = variance(actual, target)
    assert result == expected or (result is not None and abs(result - expected) < 1e-9)


def test_scorecard_columns_read_with_polarity():
    card = scorecard([40, 45, 50, 60], target=50, higher_is_better=True)
    assert (card.actual, card.prior, card.target) == (60, 50, 50)
    assert abs(card.variance - 0.2) < 1e-9
    assert (card.trend, card.trend_periods, card.improving) == (Trend.UP, 3, True)
    assert (card.baseline, card.change_since_baseline) == (40, 20)
    # Step-ups rising is getting worse.
    worse = scorecard([4, 6, 9], target=None, higher_is_better=False)
    assert worse.improving is False and worse.variance is None
    assert scorecard([None, 3], target=None, higher_is_better=True).baseline == 3


@pytest.mark.parametrize(
    ("history", "ahead", "expected"),
    [
        ([10, 20, 30], 2, [40, 50]),
        ([10, None, 30], 1, [40]),
        ([5], 3, [5, 5, 5]),
        ([], 2, []),
        ([30, 20, 10], 3, [0, 0, 0]),  # never below zero
        ([10, 12, 11, 13], 1, [13.5]),  # least squares: slope 0.8, intercept 10.3
    ],
)
def test_forecast_carries_the_trend_line_forward(history, ahead, expected):
    assert [round(v, 6) for v in forecast(history, ahead)] == expected


@pytest.mark.parametrize(
    ("value", "unit", "suppress", "count", "text"),
    [
        (3, Unit.COUNT, True, None, "<5"),
        (3, Unit.COUNT, False, None, "3"),
        (0, Unit.COUNT, True, None, "0"),
        (1234, Unit.COUNT, True, None, "1,234"),
        (66.666, Unit.PERCENT, True, 3, "<5"),
        (66.666, Unit.PERCENT, True, 30, "67%"),
        (-0.54, Unit.NUMBER, True, 30, "-0.5"),
        (None, Unit.PERCENT, True, 0, "No data"),
    ],
)
def test_what_a_reader_sees(value, unit, suppress, count, text):
    assert shown(value, unit, suppress=suppress, count=count) == text


def test_months_are_summed_into_every_period_that_holds_them():
    q1 = (date(2026, 4, 1), date(2026, 6, 30))
    q2 = (date(2026, 7, 1), date(2026, 9, 30))
    year = (date(2026, 4, 1), date(2027, 3, 31))
    months = [
        (date(2026, 4, 1), {"n": 2, "yes": 1}),  # Q1's first month
        (date(2026, 6, 1), {"n": 1, "yes": None}),  # its last; a missing count is 0
        (date(2026, 7, 1), {"n": 4, "yes": 3}),
        (date(2026, 3, 1), {"n": 9, "yes": 9}),  # before every period
    ]
    assert sum_by_month(months, [q1, q2, year]) == {
        0: {"n": 3, "yes": 1},
        1: {"n": 4, "yes": 3},
        2: {"n": 7, "yes": 4},
    }
    assert sum_by_month([], [q1]) == {}


def test_spans_count_in_every_period_they_cover():
    spans = [
        (-1, 0, {"n": 1}),  # started before the first period, ended in it
        (1, 3, {"n": 2}),  # started in the second, still open after the last (3 periods)
        (-1, 3, {"n": 4}),  # on the programme throughout
        (-1, -1, {"n": 8}),  # ended before the first
        (3, 3, {"n": 16}),  # starts after the last
    ]
    assert sum_spans(spans, 3, ["n"]) == {0: {"n": 5}, 1: {"n": 6}, 2: {"n": 6}}
    assert sum_spans([], 2, ["n", "m"]) == {0: {"n": 0, "m": 0}, 1: {"n": 0, "m": 0}}
