"""Date helpers that every rule shares: windows, ages, terms, weeks."""

from datetime import date

import pytest

from eligibility.rules.dates import (
    Term,
    Window,
    terms_ending_by,
    terms_ending_in,
    terms_starting_after,
    weeks_before,
)
from tafcase.identity import age_on

D = date(2026, 8, 1)


@pytest.mark.parametrize(
    ("d", "inside"),
    [(date(2025, 8, 1), False), (date(2025, 8, 2), True), (D, True), (date(2026, 8, 2), False)],
)
def test_look_back_excludes_exactly_twelve_months_before_and_includes_d(d, inside):
    assert Window.ending(D, 12).contains(d) is inside


def test_month_arithmetic_clamps_to_month_end():
    assert Window.ending(date(2026, 5, 31), 3).start == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [
        (date(2020, 1, 1), None, True),  # open-ended: ongoing
        (date(2020, 1, 1), date(2025, 8, 1), False),  # ended on the excluded start day
        (date(2020, 1, 1), date(2025, 8, 2), True),
        (date(2026, 8, 2), None, False),  # starts after D
    ],
)
def test_period_overlaps_window_with_blank_end_meaning_ongoing(start, end, overlaps):
    assert Window.ending(D, 12).overlaps(start, end) is overlaps


@pytest.mark.parametrize(
    ("dob", "age"),
    [
        (date(2008, 8, 1), 18),  # birthday on D
        (date(2008, 8, 2), 17),
        (date(2021, 8, 1), 5),
        (date(2021, 8, 2), 4),
        (date(2010, 2, 28), 16),
    ],
)
def test_age_counts_the_birthday_itself(dob, age):
    assert age_on(dob, D) == age


def test_leap_day_birthday_is_reached_on_first_of_march():
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


@pytest.mark.parametrize(
    ("d", "labels"),
    [
        (date(2026, 8, 1), ["autumn 2025", "spring 2026", "summer 2026"]),
        (date(2026, 7, 30), ["summer 2025", "autumn 2025", "spring 2026"]),
        (date(2026, 12, 31), ["spring 2026", "summer 2026", "autumn 2026"]),
    ],
)
def test_three_most_recent_terms_are_those_ended_by_d(d, labels):
    assert [t.label for t in terms_ending_by(d, 3)] == labels


def test_terms_ending_in_a_window_and_term_dates():
    window = Window(date(2026, 2, 1), date(2026, 8, 1))
    assert [t.label for t in terms_ending_in(window)] == ["spring 2026", "summer 2026"]
    assert Term.of("2025/26", "autumn") == Term(
        "2025/26", "autumn", date(2025, 9, 1), date(2025, 12, 31)
    )
    assert Term.of("2025/26", "summer").following() == Term.of("2026/27", "autumn")


def test_weeks_before_are_seven_day_windows_ending_on_d():
    weeks = weeks_before(D, 2)
    assert weeks[0] == Window(date(2026, 7, 25), D)
    assert weeks[1] == Window(date(2026, 7, 18), date(2026, 7, 25))
    assert len(list(weeks[0].days())) == 7


@pytest.mark.parametrize(
    ("d", "labels"),
    [
        (date(2025, 8, 1), ["autumn 2025", "spring 2026", "summer 2026"]),
        (date(2025, 9, 1), ["spring 2026", "summer 2026", "autumn 2026"]),
        (date(2025, 8, 31), ["autumn 2025", "spring 2026", "summer 2026"]),
    ],
)
def test_terms_starting_after_a_date_exclude_a_term_starting_that_day(d, labels):
    assert [t.label for t in terms_starting_after(d, 3)] == labels
