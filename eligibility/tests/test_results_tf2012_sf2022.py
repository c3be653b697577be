"""TF2012 results and the SF2022 successful family outcome claim."""

from datetime import date

import pytest

from eligibility.rules import SF2022, TF2012, CaseFacts, Kind, Purpose, Status, results

from .builders import D, attendance, days, household, months, rec, said

A = date(2025, 8, 1)
ASB, DA, HOUSING, BEN, EMP = (
    Kind.ASB,
    Kind.DOMESTIC_ABUSE,
    Kind.HOUSING,
    Kind.BENEFITS,
    Kind.EMPLOYMENT,
)
OFF = Kind.OFFENDING


def result(code, home, framework, attached=A, as_of=D, case=None):
    statuses = results(home, attached, as_of, framework, case=case)
    return next(r for r in statuses if r.code == code)


@pytest.mark.parametrize(
    ("attached", "amount"),
    [
        (date(2012, 6, 1), 3200),
        (date(2013, 3, 31), 3200),
        (date(2013, 4, 1), 2400),
        (date(2014, 6, 1), 1600),
        (date(2015, 6, 1), 1600),
    ],
)
def test_tf2012_attachment_fee_is_a_falling_share_of_4000_by_programme_year(attached, amount):
    fee = result("attachment_fee", household(), TF2012, attached=attached)
    assert (fee.status, fee.amount) == (Status.MET, amount)
    assert f"£{amount:,}" in fee.explanation


UNAUTH_AT_A = tuple(
    attendance(f"B{i}", "C1", "2024/25", term, 100, 0, 20)
    for i, term in enumerate(("autumn", "spring", "summer"))
)


def _after(unauthorised, terms=("autumn", "spring", "summer")):
    return tuple(
        attendance(f"T{i}", "C1", "2025/26", term, 100, 30, unauthorised)
        for i, term in enumerate(terms)
    )


@pytest.mark.parametrize(
    ("records", "as_of", "status", "first"),
    [
        (_after(14), D, Status.MET, None),  # authorised absence is not counted
        (_after(15), D, Status.IN_PROGRESS, date(2026, 12, 31)),
        (_after(5, ("autumn", "spring")), date(2026, 4, 15), Status.IN_PROGRESS, date(2026, 7, 31)),
        (
            (
                *_after(0),
                *(
                    rec(
                        Kind.SCHOOL_EXCLUSIONS,
                        f"X{i}",
                        "C1",
                        date(2026, i, 10),
                        exclusion_type="suspension",
                    )
                    for i in (1, 2, 5)
                ),
            ),
            D,
            Status.IN_PROGRESS,
            date(2026, 12, 31),
        ),
    ],
)
def test_tf2012_education_result_needs_three_terms_after_attachment_under_15_percent(
    records, as_of, status, first
):
    outcome = result("crime_education", household(*UNAUTH_AT_A, *records), TF2012, as_of=as_of)
    assert (outcome.status, outcome.could_first_be_met) == (status, first)
    assert outcome.amount == 700


def test_tf2012_crime_result_cuts_asb_60_percent_and_allows_adult_offences():
    baseline = [rec(ASB, f"B{i}", "P1", A - days(10 * i), role="perpetrator") for i in range(5)]
    adult_offence = rec(OFF, "O1", "P1", D - days(5), proven="Y")
    two = [rec(ASB, f"S{i}", "P1", D - days(10 * i), role="perpetrator") for i in range(2)]
    assert (
        result("crime_education", household(*baseline, *two, adult_offence), TF2012).status
        is Status.MET
    )
    three = [*two, rec(ASB, "S9", "P1", D - days(50), role="perpetrator")]
    assert (
        result("crime_education", household(*baseline, *three), TF2012).status is Status.IN_PROGRESS
    )


def test_tf2012_crime_education_is_not_met_without_either_problem_at_attachment():
    home = household(rec(BEN, "B1", "P1", date(2020, 1, 1), None, benefit="JSA"))
    assert result("crime_education", home, TF2012).status is Status.NOT_MET


def _off_benefits_into_work(interruption=()):
    return household(
        rec(BEN, "B1", "P1", date(2020, 1, 1), A, benefit="IS"),
        *interruption,
        rec(EMP, "E1", "P1", A + days(1), None),
    )


@pytest.mark.parametrize(
    ("as_of", "interruption", "status", "first"),
    [
        (A + days(91), (), Status.MET, None),  # 13 whole weeks
        (A + days(90), (), Status.IN_PROGRESS, A + days(91)),
        (
            A + days(100),
            (rec(BEN, "B2", "P1", A + days(20), A + days(21), benefit="JSA"),),
            Status.IN_PROGRESS,
            A + days(112),
        ),
    ],
)
def test_tf2012_continuous_employment_needs_13_consecutive_weeks_off_benefits_after_a(
    as_of, interruption, status, first
):
    outcome = result(
        "consecutive_employment", _off_benefits_into_work(interruption), TF2012, as_of=as_of
    )
    assert (outcome.status, outcome.could_first_be_met) == (status, first)
    assert outcome.amount == 800


@pytest.mark.parametrize(
    ("pid", "when", "status"),
    [
        ("P1", A + months(1), Status.MET),
        ("P1", A, Status.IN_PROGRESS),  # on the attachment date: not after it
        ("P1", A - months(1), Status.IN_PROGRESS),
        ("C1", A + months(1), Status.IN_PROGRESS),  # a child, not an adult
    ],
)
def test_tf2012_progress_to_work_needs_recorded_evidence_about_an_adult_after_a(pid, when, status):
    statement = said("W1", "progress_to_work", when, pid, Purpose.OUTCOME)
    outcome = result("progress_to_work", household(statements=(statement,)), TF2012)
    assert outcome.status is status
    assert outcome.amount == 100
    if status is Status.MET:
        assert [(e.record_id, e.audit_sample) for e in outcome.evidence] == [("W1", True)]


CLOSED = date(2026, 1, 31)
READY = CaseFacts(
    lead_practitioner=True, assessment=True, plan_covers_all_needs=True, closed_on=CLOSED
)
SF_AT_A = (
    rec(DA, "D0", "P1", A - months(1), role="victim"),
    rec(HOUSING, "H0", "P1", A - months(2), event="temporary_accommodation"),
    rec(ASB, "X0", "C1", A - months(3), role="perpetrator"),
)
HOUSED = said("R1", "housing", CLOSED + months(5), purpose=Purpose.OUTCOME)
AFTER_CLOSE = CLOSED + months(6)


def _claim(*extra, statements=(HOUSED,), case=READY, as_of=AFTER_CLOSE):
    home = household(*SF_AT_A, *extra, statements=statements)
    return result("family_outcome", home, SF2022, as_of=as_of, case=case)


def test_sf2022_claim_met_when_every_need_has_a_positive_outcome_six_months_after_closure():
    claim = _claim()
    assert claim.status is Status.MET
    assert {o.code for o in claim.outcomes} == {"domestic_abuse", "housing", "crime"}
    assert claim.amount == 800


@pytest.mark.parametrize(
    ("kwargs", "first", "mentions"),
    [
        ({"statements": ()}, AFTER_CLOSE + days(1), "Secure housing: does not hold yet"),
        (
            {"case": CaseFacts(True, False, True, CLOSED)},
            AFTER_CLOSE + days(1),
            "a whole-family assessment",
        ),
        (
            {"case": CaseFacts(False, True, True, CLOSED)},
            AFTER_CLOSE + days(1),
            "a lead practitioner",
        ),
        (
            {"case": CaseFacts(True, True, False, CLOSED)},
            AFTER_CLOSE + days(1),
            "a plan covering every need",
        ),
        ({"case": CaseFacts(True, True, True, None)}, AFTER_CLOSE + months(6), "case closure"),
        ({"as_of": AFTER_CLOSE - days(1)}, AFTER_CLOSE, "cannot end before"),
    ],
)
def test_sf2022_claim_is_in_progress_until_case_facts_and_sustained_outcomes(
    kwargs, first, mentions
):
    claim = _claim(**kwargs)
    assert (claim.status, claim.could_first_be_met) == (Status.IN_PROGRESS, first)
    assert mentions in claim.explanation


def test_sf2022_outcome_evidence_dated_before_closure_window_does_not_count():
    early = said("R1", "housing", CLOSED - days(1), purpose=Purpose.OUTCOME)
    assert _claim(statements=(early,)).status is Status.IN_PROGRESS


def test_sf2022_recorded_evidence_is_an_alternative_to_the_data_outcome():
    new_incident = rec(DA, "D1", "P1", AFTER_CLOSE - months(1), role="victim")
    assert _claim(new_incident).status is Status.IN_PROGRESS
    safe = said("R2", "domestic_abuse", AFTER_CLOSE - days(3), purpose=Purpose.OUTCOME)
    claim = _claim(new_incident, statements=(HOUSED, safe))
    assert claim.status is Status.MET
    assert "R2" in {e.record_id for e in claim.evidence}


def test_sf2022_claim_not_met_without_needs_at_attachment_and_has_no_employment_result():
    statuses = results(household(), A, AFTER_CLOSE, SF2022, case=READY)
    assert [(r.code, r.status) for r in statuses] == [("family_outcome", Status.NOT_MET)]
