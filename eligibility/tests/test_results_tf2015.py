"""TF2015 results: attachment fee, significant and sustained progress, continuous employment."""

import json
from datetime import date

import pytest

from eligibility.rules import TF2015, Kind, Purpose, Status, results

from .builders import D, attendance, days, household, months, rec, said

A = D - months(12)  # attached 1 Aug 2025; the sustain window (1 Feb 2026, 1 Aug 2026] is after A
BEFORE_A = A - months(2)

ASB, OFF, DA, CSC = Kind.ASB, Kind.OFFENDING, Kind.DOMESTIC_ABUSE, Kind.CHILDRENS_SOCIAL_CARE
EMP, BEN, NEET, HEALTH, EXCL = (
    Kind.EMPLOYMENT,
    Kind.BENEFITS,
    Kind.NEET,
    Kind.HEALTH,
    Kind.SCHOOL_EXCLUSIONS,
)


def result(code, home, attached=A, as_of=D, framework=TF2015):
    return next(r for r in results(home, attached, as_of, framework) if r.code == code)


def progress(home, **kwargs):
    return result("sustained_progress", home, **kwargs)


def test_attachment_fee_is_met_once_attached_for_one_thousand_pounds():
    fee = result("attachment_fee", household())
    assert (fee.status, fee.amount) == (Status.MET, 1000)
    early = result("attachment_fee", household(), attached=D + days(1))
    assert (early.status, early.could_first_be_met) == (Status.IN_PROGRESS, D + days(1))


def test_sustained_progress_is_not_met_when_no_problem_was_present_at_attachment():
    later_problem = rec(DA, "D1", "P1", A + days(1), role="victim")
    outcome = progress(household(later_problem))
    assert outcome.status is Status.NOT_MET
    assert outcome.amount == 800


DA_AT_A = rec(DA, "D0", "P1", BEFORE_A, role="victim")


@pytest.mark.parametrize(
    ("later", "as_of", "status", "first"),
    [
        ((), D, Status.MET, None),
        ((rec(DA, "D1", "P1", A + months(2), role="victim"),), D, Status.MET, None),
        (
            (rec(DA, "D1", "P1", D - months(1), role="victim"),),
            D,
            Status.IN_PROGRESS,
            D + months(5),
        ),
        ((), A + months(5), Status.IN_PROGRESS, A + months(6)),
        ((), A + months(6) - days(1), Status.IN_PROGRESS, A + months(6)),
        ((), A + months(6), Status.MET, None),
    ],
)
def test_domestic_abuse_outcome_needs_no_record_over_a_whole_sustain_window_after_a(
    later, as_of, status, first
):
    outcome = progress(household(DA_AT_A, *later), as_of=as_of)
    assert (outcome.status, outcome.could_first_be_met) == (status, first)
    assert "Families affected by domestic violence and abuse" in outcome.explanation


def _asb(n, start, prefix):
    return [
        rec(ASB, f"{prefix}{i}", "P1", start - days(10 * i), role="perpetrator") for i in range(n)
    ]


def _youth(n, start, prefix):
    return [rec(OFF, f"{prefix}{i}", "C1", start - days(10 * i), proven="Y") for i in range(n)]


@pytest.mark.parametrize(
    ("records", "status"),
    [
        (_asb(5, A, "B") + _asb(2, D, "S"), Status.MET),  # 2 <= 40% of 5
        (_asb(5, A, "B") + _asb(3, D, "S"), Status.IN_PROGRESS),
        (_youth(3, A, "B") + _youth(2, D, "S"), Status.MET),  # 2 <= 67% of 3
        (_youth(3, A, "B") + _youth(3, D, "S"), Status.IN_PROGRESS),
        ([*_asb(1, A, "B"), rec(OFF, "S0", "P1", D - days(5), proven="Y")], Status.IN_PROGRESS),
        ([*_asb(1, A, "B"), rec(OFF, "S0", "P1", D - days(5), proven="N")], Status.MET),
    ],
)
def test_crime_outcome_needs_asb_cut_60_percent_youth_offending_33_and_no_adult_offence(
    records, status
):
    outcome = progress(household(*records))
    assert outcome.status is status
    sustain_ids = {r.record_id for r in records if r.date > A and r.attr("proven") != "N"}
    assert {e.record_id for e in outcome.evidence} == sustain_ids


def test_crime_outcome_explains_an_adult_offence_in_words():
    records = [*_asb(1, A, "B"), rec(OFF, "S0", "P1", D - days(5), proven="Y")]
    outcome = progress(household(*records))
    assert "Proven offences by adults: 1 (Offending record S0)." in outcome.explanation


def test_crime_outcome_in_progress_until_enough_asb_records_leave_the_window():
    records = _asb(5, A, "B") + [
        rec(ASB, f"S{i}", "P1", D - months(m), role="perpetrator") for i, m in enumerate((5, 4, 3))
    ]
    outcome = progress(household(*records))
    assert outcome.could_first_be_met == D - months(5) + months(6)


EDUCATION_AT_A = tuple(
    attendance(f"B{i}", "C1", "2024/25", term, 100, 10, 10)
    for i, term in enumerate(("autumn", "spring", "summer"))
)


def _sustain_terms(spring_absent, summer_absent=None):
    records = [attendance("S1", "C1", "2025/26", "spring", 100, spring_absent, 0)]
    if summer_absent is not None:
        records.append(attendance("S2", "C1", "2025/26", "summer", 100, summer_absent, 0))
    return records


@pytest.mark.parametrize(
    ("later", "status", "first"),
    [
        (_sustain_terms(5, 9), Status.MET, None),
        (_sustain_terms(5, 10), Status.IN_PROGRESS, date(2027, 1, 31)),
        (_sustain_terms(10, 5), Status.IN_PROGRESS, date(2026, 9, 30)),
        (_sustain_terms(5), Status.IN_PROGRESS, D + days(1)),
        (
            [
                *_sustain_terms(0, 0),
                *(
                    rec(EXCL, f"X{i}", "C1", D - months(i), exclusion_type="suspension")
                    for i in (1, 2, 3)
                ),
            ],
            Status.IN_PROGRESS,
            D - months(3) + months(6),  # when the earliest of three leaves the window
        ),
        (
            [
                *_sustain_terms(0, 0),
                rec(EXCL, "X1", "C1", D - months(1), exclusion_type="permanent"),
            ],
            Status.IN_PROGRESS,
            D + months(5),
        ),
    ],
)
def test_education_outcome_needs_each_term_under_ten_percent_and_few_exclusions(
    later, status, first
):
    outcome = progress(household(*EDUCATION_AT_A, *later))
    assert (outcome.status, outcome.could_first_be_met) == (status, first)


CP_AT_A = rec(CSC, "K0", "C1", A - months(3), A + months(3), status="CP")


@pytest.mark.parametrize(
    ("records", "status", "first"),
    [
        ((CP_AT_A,), Status.MET, None),
        (
            (rec(CSC, "K0", "C1", A - months(3), None, status="CP"),),
            Status.IN_PROGRESS,
            D + months(6),
        ),
        (
            (CP_AT_A, rec(CSC, "K1", "C1", D - months(2), None, status="CIN")),
            Status.IN_PROGRESS,
            D + months(4),
        ),
        ((CP_AT_A, rec(CSC, "K1", "C1", A + months(4), None, status="CIN")), Status.MET, None),
        (
            (CP_AT_A, rec(CSC, "K1", "C1", D - months(1), D, status="LAC")),
            Status.IN_PROGRESS,
            D + months(6),
        ),
    ],
)
def test_children_need_help_outcome_needs_no_cp_or_lac_and_no_new_cin_or_cp(records, status, first):
    outcome = progress(household(*records))
    assert (outcome.status, outcome.could_first_be_met) == (status, first)


NEET_AT_A = rec(NEET, "N0", "Y1", A - months(4), A, status="NEET")


@pytest.mark.parametrize(
    ("records", "statements", "status"),
    [
        ((rec(NEET, "N1", "Y1", A + days(1), None, status="EET"),), (), Status.MET),
        ((rec(NEET, "N1", "Y1", D - months(3), None, status="EET"),), (), Status.IN_PROGRESS),
        ((), (said("R1", "worklessness", D - months(1), "Y1", Purpose.OUTCOME),), Status.MET),
        ((), (said("R1", "worklessness", A - days(1), "Y1", Purpose.OUTCOME),), Status.IN_PROGRESS),
        ((), (said("R1", "worklessness", D - months(1), "Y1", Purpose.NEED),), Status.IN_PROGRESS),
    ],
)
def test_worklessness_outcome_is_eet_throughout_or_recorded_progress_to_work(
    records, statements, status
):
    outcome = progress(household(NEET_AT_A, *records, statements=statements))
    assert outcome.status is status


HEALTH_AT_A = rec(HEALTH, "H0", "P1", A - months(1), need="mental_health")


@pytest.mark.parametrize(
    ("when", "status"),
    [
        (D - months(1), Status.MET),
        (D, Status.MET),
        (A + months(2), Status.IN_PROGRESS),  # after A but before the sustain window
        (A, Status.IN_PROGRESS),
        (A - months(1), Status.IN_PROGRESS),  # evidence before attachment never counts
    ],
)
def test_health_outcome_needs_recorded_evidence_dated_in_the_sustain_window(when, status):
    statement = said("R1", "health", when, "P1", Purpose.OUTCOME)
    outcome = progress(household(HEALTH_AT_A, statements=(statement,)))
    assert outcome.status is status
    if status is Status.MET:
        assert [(e.record_id, e.audit_sample) for e in outcome.evidence] == [("R1", True)]


def test_sustained_progress_needs_every_problem_present_at_attachment():
    improved = said("R1", "health", D - months(1), "P1", Purpose.OUTCOME)
    only_da = progress(household(DA_AT_A, HEALTH_AT_A))
    both = progress(household(DA_AT_A, HEALTH_AT_A, statements=(improved,)))
    assert only_da.status is Status.IN_PROGRESS
    assert [o.holds for o in only_da.outcomes] == [True, False]
    assert both.status is Status.MET
    assert json.loads(json.dumps(both.to_dict()))["status"] == "met"


def _claimant(benefit, employment_start, benefit_end=None, attached=A):
    end = benefit_end or employment_start - days(1)
    return household(
        rec(BEN, "B1", "P1", date(2023, 1, 1), end, benefit=benefit),
        rec(EMP, "E1", "P1", employment_start, None, hours_per_week=30),
    )


@pytest.mark.parametrize(
    ("benefit", "start", "status", "first"),
    [
        ("JSA", D - days(181), Status.MET, None),  # 26 whole weeks of the 30
        ("JSA", D - days(180), Status.IN_PROGRESS, D + days(1)),  # 25 weeks
        ("UC_SEARCHING", D - days(181), Status.MET, None),
        ("UC_SEARCHING", D - days(90), Status.IN_PROGRESS, D + days(91)),
        ("JSA", D - days(139), Status.IN_PROGRESS, D + days(42)),  # 20 weeks so far
        ("ESA", D - days(90), Status.MET, None),  # 13 whole weeks of the 16
        ("ESA", D - days(89), Status.IN_PROGRESS, D + days(1)),  # 12 weeks
        ("UC_PREPARING", D - days(90), Status.MET, None),
    ],
)
def test_continuous_employment_needs_26_of_30_weeks_after_job_search_else_13_of_16(
    benefit, start, status, first
):
    outcome = result("continuous_employment", _claimant(benefit, start))
    assert (outcome.status, outcome.could_first_be_met) == (status, first)
    assert outcome.amount == 800


def test_weeks_with_an_out_of_work_benefit_open_do_not_count_as_employed():
    still_claiming = _claimant("ESA", D - days(200), benefit_end=D - days(20))
    outcome = result("continuous_employment", still_claiming)
    assert outcome.status is Status.IN_PROGRESS
    assert "employed in 2 of the 16 weeks" in outcome.explanation


@pytest.mark.parametrize(
    ("attached", "status"), [(D - days(120), Status.MET), (D - days(85), Status.IN_PROGRESS)]
)
def test_employment_weeks_before_attachment_never_count(attached, status):
    home = household(
        rec(BEN, "B1", "P1", date(2023, 1, 1), attached, benefit="ESA"),
        rec(EMP, "E1", "P1", D - days(135), None),
    )
    assert result("continuous_employment", home, attached=attached).status is status


def test_continuous_employment_is_not_met_without_a_claimant_at_attachment():
    home = _claimant("JSA", D - days(300), benefit_end=A - days(1))
    outcome = result("continuous_employment", home)
    assert (outcome.status, outcome.could_first_be_met) == (Status.NOT_MET, None)
    assert "No adult was on an out-of-work benefit at attachment" in outcome.explanation


def test_continuous_employment_does_not_count_a_child_claimant():
    home = household(rec(BEN, "B1", "C1", date(2023, 1, 1), None, benefit="JSA"))
    assert result("continuous_employment", home).status is Status.NOT_MET


def test_continuous_employment_date_allows_for_weeks_lining_up_after_a_job_ends():
    # 182 days in work ending yesterday: 25 whole weeks line up with D, 26 with D + 6 days.
    home = household(
        rec(BEN, "B1", "P1", date(2023, 1, 1), D - days(183), benefit="JSA"),
        rec(EMP, "E1", "P1", D - days(182), D - days(1)),
    )
    outcome = result("continuous_employment", home)
    assert (outcome.status, outcome.could_first_be_met) == (Status.IN_PROGRESS, D + days(6))
    assert result("continuous_employment", home, as_of=D + days(6)).status is Status.MET
