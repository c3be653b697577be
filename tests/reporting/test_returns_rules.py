"""The national returns' pure rules, table by table: programme years, the reproducible
sample, small counts, the progress points and what each column says, the before/after
windows and the cost arithmetic."""

from datetime import date
from decimal import Decimal

import pytest

from eligibility.rules import Household, Member, Record, Relationship
from reporting.returns import rules

# --- programme years ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2026),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
    ],
)
def test_programme_years_run_april_to_march(day, year):
    assert rules.programme_year_of(day) == year


def test_programme_year_bounds_and_label():
    assert rules.programme_year_bounds(2025) == (date(2025, 4, 1), date(2026, 3, 31))
    assert rules.programme_year_bounds(2023) == (date(2023, 4, 1), date(2024, 3, 31))
    assert rules.programme_year_label(2025) == "2025 to 2026"


# --- samples --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "percent", "size"),
    [
        (0, 10, 0),
        (1, 10, 1),
        (9, 10, 1),
        (10, 10, 1),
        (11, 10, 2),
        (100, 10, 10),
        (101, 25, 26),
        (40, 100, 40),
        (3, 25, 1),
    ],
)
def test_sample_size_rounds_up_and_takes_at_least_one(population, percent, size):
    assert rules.sample_size(population, percent) == size


@pytest.mark.parametrize("percent", [0, -5, 101])
def test_sample_size_refuses_impossible_percentages(percent):
    with pytest.raises(ValueError):
        rules.sample_size(10, percent)


def test_the_same_seed_draws_the_same_families_whatever_the_order():
    ids = list(range(1, 201))
    first = rules.draw_sample(ids, percent=10, seed=42)
    again = rules.draw_sample(list(reversed(ids)), percent=10, seed=42)
    assert first == again
    assert len(first) == 20 and first == sorted(first) and set(first) <= set(ids)


def test_another_seed_draws_other_families():
    ids = list(range(1, 201))
    assert rules.draw_sample(ids, percent=10, seed=1) != rules.draw_sample(ids, percent=10, seed=2)


def test_a_full_sample_is_everyone():
    assert rules.draw_sample([5, 3, 9], percent=100, seed=7) == [3, 5, 9]


# --- small counts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "exact", "shown"),
    [
        (0, False, "0"),
        (1, False, "<5"),
        (4, False, "<5"),
        (5, False, "5"),
        (1234, False, "1,234"),
        (3, True, "3"),
    ],
)
def test_counts_below_five_are_hidden_from_those_without_names(n, exact, shown):
    assert rules.shown_count(n, exact=exact) == shown


@pytest.mark.parametrize(
    ("part", "whole", "shown"), [(1, 3, "33%"), (2, 3, "67%"), (0, 0, "0%"), (10, 10, "100%")]
)
def test_percent_of(part, whole, shown):
    assert rules.percent_of(part, whole) == shown


# --- progress points ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attached", "today", "keys"),
    [
        (date(2025, 1, 15), date(2025, 1, 14), ()),
        (date(2025, 1, 15), date(2025, 1, 15), ("attachment",)),
        (date(2025, 1, 15), date(2025, 7, 14), ("attachment",)),
        (date(2025, 1, 15), date(2025, 7, 15), ("attachment", "6_months")),
        (date(2025, 1, 15), date(2026, 1, 15), ("attachment", "6_months", "12_months")),
        # 31 August + 6 months is the last day of February.
        (date(2025, 8, 31), date(2026, 2, 28), ("attachment", "6_months")),
    ],
)
def test_points_are_only_those_whose_date_has_passed(attached, today, keys):
    assert tuple(p.key for p in rules.progress_points(attached, today)) == keys


def test_point_windows_follow_on_without_gaps_or_overlaps():
    points = rules.progress_points(date(2025, 8, 31), date(2030, 1, 1))
    assert [(p.window.start, p.window.end) for p in points] == [
        (date(2025, 2, 28), date(2025, 8, 31)),
        (date(2025, 8, 31), date(2026, 2, 28)),
        (date(2026, 2, 28), date(2026, 8, 31)),
    ]


@pytest.mark.parametrize(
    ("dob", "on", "band"),
    [
        (None, date(2025, 1, 1), ""),
        (date(2021, 1, 2), date(2025, 1, 1), "0-4"),
        (date(2020, 1, 1), date(2025, 1, 1), "5-10"),
        (date(2010, 1, 1), date(2025, 1, 1), "11-15"),
        (date(2009, 1, 1), date(2025, 1, 1), "16-17"),
        (date(2007, 1, 1), date(2025, 1, 1), "18-24"),
        (date(1990, 1, 1), date(2025, 1, 1), "35-49"),
        (date(1950, 1, 1), date(2025, 1, 1), "65+"),
    ],
)
def test_age_bands(dob, on, band):
    assert rules.age_band(dob, on) == band


# --- what the columns say -------------------------------------------------------------

ATTACHED = date(2025, 4, 10)
PARENT = Member("1", date(1990, 1, 1), Relationship.PARENT_CARER)
CHILD = Member("2", date(2014, 6, 1), Relationship.CHILD)
FACTS = rules.FamilyFacts(
    "FF-000007",
    ATTACHED,
    (
        rules.Person("1", 1, "parent_carer", date(1990, 1, 1), "F"),
        rules.Person("2", 2, "child", date(2014, 6, 1), "M"),
    ),
)
EVERYTHING = rules.Coverage({k: date(2026, 12, 31) for f in rules.FIELDS for k in f.kinds})


def _record(kind, person, day, end=None, **attributes):
    return Record(kind, f"{kind}-{day}", person, day, end, "Agency", attributes)


def _rows(records, coverage=EVERYTHING, point_key="attachment", today=date(2026, 12, 31)):
    point = next(p for p in rules.progress_points(ATTACHED, today) if p.key == point_key)
    household = Household(
        members=(PARENT, CHILD), records=tuple(records), taf_agencies=frozenset({"A", "B"})
    )
    return rules.family_rows(
        FACTS,
        point,
        household,
        ["crime_asb", "education"],
        coverage=coverage,
        out_of_work=("JSA", "UC_SEARCHING"),
    )


def test_family_row_and_member_rows_carry_no_names_dates_of_birth_or_ids():
    rows = _rows([])
    assert [r["row_type"] for r in rows] == ["family", "member", "member"]
    family, parent, child = rows
    assert family["family_ref"] == "FF-000007" and family["attached_month"] == "2025-04"
    assert (family["adults"], family["children"], family["agencies_involved"]) == ("1", "1", "2")
    assert family["criteria_met"] == "2" and family["criteria"] == "crime_asb;education"
    assert (parent["member_no"], parent["age_band"], parent["sex"]) == ("1", "35-49", "F")
    assert (child["member_no"], child["age_band"], child["sex"]) == ("2", "5-10", "M")
    text = " ".join(v for r in rows for v in r.values())
    assert "1990" not in text and "2014" not in text
    assert set(family) == set(rules.COLUMNS)


@pytest.mark.parametrize(
    ("records", "column", "family_value", "parent_value", "child_value"),
    [
        # An out-of-work claim open on the day counts; an in-work claim does not.
        (
            [_record("benefits", "1", date(2025, 1, 1), None, benefit="JSA")],
            "out_of_work_benefit",
            "yes",
            "yes",
            "",
        ),
        (
            [_record("benefits", "1", date(2025, 1, 1), None, benefit="UC_WORKING")],
            "out_of_work_benefit",
            "no",
            "no",
            "",
        ),
        # A claim that ended before the point is not open on it.
        (
            [_record("benefits", "1", date(2024, 1, 1), date(2025, 4, 9), benefit="JSA")],
            "out_of_work_benefit",
            "no",
            "no",
            "",
        ),
        # Attendance: terms ending in the six months up to the point, school age only.
        (
            [
                _record(
                    "school_attendance",
                    "2",
                    date(2025, 3, 31),
                    sessions_possible=100,
                    sessions_authorised_absent=5,
                    sessions_unauthorised_absent=7,
                )
            ],
            "school_absence_percent",
            "12.0",
            "",
            "12.0",
        ),
        (
            [
                _record("school_exclusions", "2", date(2025, 2, 1), exclusion_type="suspension"),
                _record("school_exclusions", "2", date(2024, 9, 1), exclusion_type="suspension"),
            ],
            "exclusions",
            "1",
            "",
            "1",
        ),
        (
            [
                _record("offending", "1", date(2025, 3, 1), proven="Y"),
                _record("offending", "1", date(2025, 3, 2), proven="N"),
            ],
            "proven_offences",
            "1",
            "1",
            "0",
        ),
        # The same incident sent for two members is one incident for the family.
        (
            [
                _record("domestic_abuse", "1", date(2025, 3, 1), role="victim"),
                _record("domestic_abuse", "2", date(2025, 3, 1), role="child_in_household"),
            ],
            "domestic_abuse_incidents",
            "1",
            "1",
            "1",
        ),
        (
            [
                _record("asb", "2", date(2025, 3, 1), role="perpetrator"),
                _record("asb", "2", date(2025, 3, 5), role="victim"),
            ],
            "asb_incidents",
            "1",
            "0",
            "1",
        ),
        (
            [
                _record("childrens_social_care", "2", date(2025, 1, 1), None, status="CIN"),
                _record("childrens_social_care", "2", date(2025, 2, 1), None, status="CP"),
            ],
            "social_care_status",
            "CP",
            "none",
            "CP",
        ),
        (
            [_record("health", "1", date(2024, 6, 1), need="mental_health")],
            "health_needs",
            "mental_health",
            "mental_health",
            "none",
        ),
        (
            [_record("housing", "1", date(2025, 4, 10), event="rent_arrears")],
            "housing_events",
            "rent_arrears",
            "rent_arrears",
            "none",
        ),
    ],
)
def test_partner_columns_at_attachment(records, column, family_value, parent_value, child_value):
    family, parent, child = _rows(records)
    assert (family[column], parent[column], child[column]) == (
        family_value,
        parent_value,
        child_value,
    )


def test_a_column_is_blank_not_no_where_the_authority_has_no_data_of_its_kind():
    records = [_record("benefits", "1", date(2025, 1, 1), None, benefit="JSA")]
    family, parent, _ = _rows(records, coverage=rules.Coverage({}))
    assert family["out_of_work_benefit"] == "" and parent["out_of_work_benefit"] == ""
    assert family["adults"] == "1"


def test_a_column_is_blank_at_a_point_after_the_partner_data_were_taken():
    coverage = rules.Coverage({"benefits": date(2025, 6, 30)})
    records = [_record("benefits", "1", date(2025, 1, 1), None, benefit="JSA")]
    at_attachment = _rows(records, coverage=coverage)[0]
    at_six_months = _rows(records, coverage=coverage, point_key="6_months")[0]
    assert at_attachment["out_of_work_benefit"] == "yes"
    assert at_six_months["out_of_work_benefit"] == ""


def test_columns_tafcase_has_no_data_for_are_always_blank_and_say_why():
    unavailable = [f for f in rules.FIELDS if f.unavailable]
    assert {f.name for f in unavailable} >= {"housing_tenure", "ae_attendances"}
    for row in _rows([]):
        assert all(row[f.name] == "" for f in unavailable)


def test_field_coverage_counts_rows_with_a_value_at_attachment():
    rows = _rows([]) + _rows([], coverage=rules.Coverage({}))
    families, members, fields = rules.field_coverage(rows)
    by_name = {c.field.name: c for c in fields}
    assert (families, members) == (2, 4)
    assert by_name["adults"].families_with_data == 2
    assert by_name["out_of_work_benefit"].families_with_data == 1
    assert by_name["sex"].members_with_data == 4
    assert by_name["housing_tenure"].families_with_data == 0


# --- the Cost Saving Calculator: windows ----------------------------------------------


@pytest.mark.parametrize(
    ("attached", "before", "after", "expected"),
    [
        (
            date(2025, 6, 15),
            12,
            12,
            ((date(2024, 6, 15), date(2025, 6, 15)), (date(2025, 6, 15), date(2026, 6, 15))),
        ),
        # 31 March less one month is the last day of February (a leap year here).
        (
            date(2024, 3, 31),
            1,
            1,
            ((date(2024, 2, 29), date(2024, 3, 31)), (date(2024, 3, 31), date(2024, 4, 30))),
        ),
        (
            date(2025, 1, 31),
            6,
            3,
            ((date(2024, 7, 31), date(2025, 1, 31)), (date(2025, 1, 31), date(2025, 4, 30))),
        ),
    ],
)
def test_before_and_after_windows(attached, before, after, expected):
    b, a = rules.before_after_windows(attached, months_before=before, months_after=after)
    assert ((b.start, b.end), (a.start, a.end)) == expected


def test_an_event_on_the_attachment_day_counts_before():
    b, a = rules.before_after_windows(date(2025, 6, 15), months_before=12, months_after=12)
    assert b.contains(date(2025, 6, 15)) and not a.contains(date(2025, 6, 15))
    assert not b.contains(date(2024, 6, 15)) and b.contains(date(2024, 6, 16))
    assert a.contains(date(2026, 6, 15)) and not a.contains(date(2026, 6, 16))


@pytest.mark.parametrize(
    ("attached", "months", "data_as_of", "complete"),
    [
        (date(2025, 1, 31), 12, date(2026, 1, 30), False),
        (date(2025, 1, 31), 12, date(2026, 1, 31), True),
        (date(2025, 8, 31), 6, date(2026, 2, 28), True),
        (date(2025, 8, 31), 6, date(2026, 2, 27), False),
    ],
)
def test_after_period_complete_only_when_the_data_reach_its_end(
    attached, months, data_as_of, complete
):
    assert (
        rules.after_period_complete(attached, months_after=months, data_as_of=data_as_of)
        is complete
    )


# --- the Cost Saving Calculator: arithmetic -------------------------------------------


@pytest.mark.parametrize(
    ("gross", "deadweight", "attribution", "adjusted"),
    [
        (Decimal("1000.00"), 0, 100, Decimal("1000.00")),
        (Decimal("1000.00"), 20, 100, Decimal("800.00")),
        (Decimal("1000.00"), 20, 50, Decimal("400.00")),
        (Decimal("1000.00"), 100, 100, Decimal("0.00")),
        (Decimal("-1000.00"), 25, 60, Decimal("-450.00")),
        (Decimal("333.33"), 10, 33, Decimal("99.00")),
        (Decimal("0.05"), 50, 50, Decimal("0.01")),
    ],
)
def test_adjusted_takes_off_deadweight_then_applies_attribution(
    gross, deadweight, attribution, adjusted
):
    assert (
        rules.adjusted(gross, deadweight_percent=deadweight, attribution_percent=attribution)
        == adjusted
    )


@pytest.mark.parametrize(("deadweight", "attribution"), [(-1, 50), (101, 50), (10, 101)])
def test_adjusted_refuses_what_is_not_a_percentage(deadweight, attribution):
    with pytest.raises(ValueError):
        rules.adjusted(Decimal(1), deadweight_percent=deadweight, attribution_percent=attribution)


@pytest.mark.parametrize(
    ("value", "before", "after", "months", "change", "gross", "adjusted"),
    [
        # Equal periods: events avoided times the unit cost.
        ("700.00", 10, 4, (12, 12), "6.0", "4200.00", "2520.00"),
        # More events after is a cost, not a saving.
        ("700.00", 2, 5, (12, 12), "-3.0", "-2100.00", "-1260.00"),
        # A 24-month look-back against 12 months after: the before count is halved.
        ("1000.00", 10, 3, (24, 12), "2.0", "2000.00", "1200.00"),
        # 12 months before against 6 after: 7 events before are 3.5 expected after.
        ("300.00", 7, 1, (12, 6), "2.5", "750.00", "450.00"),
        ("55000.00", 0, 0, (12, 12), "0.0", "0.00", "0.00"),
    ],
)
def test_cost_line(value, before, after, months, change, gross, adjusted):
    line = rules.cost_line(
        "row",
        Decimal(value),
        before=before,
        after=after,
        months_before=months[0],
        months_after=months[1],
        deadweight_percent=25,
        attribution_percent=80,
    )
    assert (line.change, line.gross, line.adjusted) == (
        Decimal(change),
        Decimal(gross),
        Decimal(adjusted),
    )


def test_cost_line_refuses_empty_periods_and_negative_counts():
    with pytest.raises(ValueError):
        rules.cost_line(
            "x",
            Decimal(1),
            before=1,
            after=1,
            months_before=0,
            months_after=12,
            deadweight_percent=0,
            attribution_percent=100,
        )
    with pytest.raises(ValueError):
        rules.cost_line(
            "x",
            Decimal(1),
            before=-1,
            after=1,
            months_before=12,
            months_after=12,
            deadweight_percent=0,
            attribution_percent=100,
        )


def test_totals_by_agency_add_the_lines_own_figures():
    def line(key, gross, adj):
        return rules.CostLine(key, Decimal(1), 0, 0, Decimal(0), Decimal(0), gross, adj)

    lines = [
        line("a", Decimal("10.01"), Decimal("5.00")),
        line("b", Decimal("20.00"), Decimal("7.50")),
        line("c", Decimal("-3.00"), Decimal("-1.00")),
    ]
    agency = {"a": "Police", "b": "Council", "c": "Police"}
    totals = rules.totals_by(lines, lambda x: agency[x.key])
    assert [(t.key, t.gross, t.adjusted) for t in totals] == [
        ("Council", Decimal("20.00"), Decimal("7.50")),
        ("Police", Decimal("7.01"), Decimal("4.00")),
    ]


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2023/24", True),
        ("2019/20", True),
        ("1999/00", True),
        ("2023", True),
        (" 2023/24 ", True),
        ("2023/25", False),
        ("23/24", False),
        ("2023-24", False),
        ("", False),
        ("=1+1", False),
    ],
)
def test_price_years(text, ok):
    if ok:
        assert rules.parse_price_year(text) == text.strip()
    else:
        with pytest.raises(ValueError):
            rules.parse_price_year(text)


def test_every_measure_reads_a_partner_dataset_kind_and_vocabulary_that_exist():
    from eligibility.datamatch.contract import KIND_COLUMNS

    for m in rules.MEASURES:
        columns = {c.name: c for c in KIND_COLUMNS[m.kind]}
        vocabulary = columns[m.attribute].vocabulary
        assert set(m.values) <= set(vocabulary), m.code
