"""TF2012 and SF2022 criteria that differ from TF2015, one table row per behaviour."""

import pytest

from eligibility.rules import SF2022, TF2012, Kind

from .builders import (
    D,
    attendance,
    case_ids,
    criterion,
    days,
    household,
    ids,
    months,
    rec,
    said,
    terms,
)

OFF, ASB, BEN, HOUSING = Kind.OFFENDING, Kind.ASB, Kind.BENEFITS, Kind.HOUSING
HEALTH, EY, CSC, NEET, DA = (
    Kind.HEALTH,
    Kind.EARLY_YEARS,
    Kind.CHILDRENS_SOCIAL_CARE,
    Kind.NEET,
    Kind.DOMESTIC_ABUSE,
)

TF2012_CASES = [
    # crime_asb: youth offending (under 18 when committed) or any ASB perpetrator
    ("crime_asb", [rec(OFF, "O1", "C1", D - months(1), proven="Y")], True, {"O1"}),
    ("crime_asb", [rec(OFF, "O1", "P1", D - months(1), proven="Y")], False, set()),
    # Y1 is 19 now but committed the offence aged 17.
    (
        "crime_asb",
        [rec(OFF, "O1", "Y1", D - months(1), proven="Y", offence_date=str(D - months(20)))],
        True,
        {"O1"},
    ),
    ("crime_asb", [rec(ASB, "X1", "P1", D - months(1), role="perpetrator")], True, {"X1"}),
    # education: unauthorised absence of at least 15%; authorised absence does not count
    ("education", terms("C1", 0, 15), True, {"A1", "A2", "A3"}),
    ("education", [attendance("A1", "C1", "2025/26", "summer", 10000, 0, 1499)], False, set()),
    ("education", terms("C1", 20, 5), False, set()),
    # worklessness: an adult on an out-of-work benefit only
    (
        "worklessness",
        [rec(BEN, "B1", "P1", D - months(3), None, benefit="UC_PREPARING")],
        True,
        {"B1"},
    ),
    ("worklessness", [rec(HOUSING, "H1", "P1", D - months(1), event="rent_arrears")], False, set()),
    ("worklessness", [rec(NEET, "N1", "Y1", D - months(1), None, status="NEET")], False, set()),
]


@pytest.mark.parametrize(
    ("code", "records", "met", "evidence"), TF2012_CASES, ids=case_ids(TF2012_CASES)
)
def test_tf2012_criterion_is_met_from_partner_records(code, records, met, evidence):
    result = criterion(TF2012, code, household(*records))
    assert result.met is met
    assert ids(result) == evidence


SF2022_CASES = [
    ("education", terms("C1", 5, 5), True, {"A1", "A2", "A3"}),
    ("education", [rec(NEET, "N1", "Y1", D - months(1), None, status="NEET")], True, {"N1"}),
    ("education", terms("C1", 5, 4), False, set()),
    (
        "early_years",
        [rec(EY, "EY1", "T1", D - months(1), event="development_concern")],
        True,
        {"EY1"},
    ),
    (
        "early_years",
        [rec(EY, "EY1", "T1", D - months(1), event="two_year_funding_eligible")],
        False,
        set(),
    ),
    ("health", [rec(HEALTH, "M1", "P1", D - months(1), need="mental_health")], True, {"M1"}),
    ("health", [rec(HEALTH, "M1", "P1", D - months(1), need="physical_health")], True, {"M1"}),
    ("health", [rec(HEALTH, "M1", "C1", D - months(1), need="autism_adhd_ehcp")], True, {"M1"}),
    ("health", [rec(HEALTH, "M1", "P1", D - months(1), need="alcohol_misuse")], False, set()),
    (
        "substance_use",
        [rec(HEALTH, "M1", "P1", D - months(1), need="alcohol_misuse")],
        True,
        {"M1"},
    ),
    (
        "substance_use",
        [rec(HEALTH, "M1", "Y1", D - months(1), need="substance_misuse")],
        True,
        {"M1"},
    ),
    ("substance_use", [rec(HEALTH, "M1", "P1", D - months(1), need="mental_health")], False, set()),
    ("family_relationships", [rec(DA, "D1", "P1", D - months(1), role="victim")], False, set()),
    ("safe_from_abuse", [rec(CSC, "K1", "C1", D - months(5), None, status="LAC")], True, {"K1"}),
    (
        "safe_from_abuse",
        [rec(EY, "EY1", "T1", D - months(1), event="development_concern")],
        False,
        set(),
    ),
    ("crime", [rec(OFF, "O1", "P1", D - months(1), proven="Y")], True, {"O1"}),
    ("crime", [rec(ASB, "X1", "C1", D - months(1), role="witness")], False, set()),
    ("domestic_abuse", [rec(DA, "D1", "P1", D - months(1), role="perpetrator")], True, {"D1"}),
    ("housing", [rec(HOUSING, "H1", "P1", D - months(1), event="eviction_notice")], True, {"H1"}),
    (
        "housing",
        [rec(HOUSING, "H1", "P1", D - months(1), event="homeless_application")],
        True,
        {"H1"},
    ),
    (
        "housing",
        [rec(HOUSING, "H1", "P1", D - months(1), event="temporary_accommodation")],
        True,
        {"H1"},
    ),
    ("housing", [rec(HOUSING, "H1", "P1", D - months(1), event="rent_arrears")], False, set()),
    (
        "financial_stability",
        [rec(BEN, "B1", "P1", D - months(9), None, benefit="UC_NO_WORK_REQ")],
        True,
        {"B1"},
    ),
    (
        "financial_stability",
        [rec(BEN, "B1", "P1", D - months(9), D - days(1), benefit="IB")],
        False,
        set(),
    ),
    (
        "financial_stability",
        [rec(HOUSING, "H1", "P1", D - months(1), event="rent_arrears")],
        True,
        {"H1"},
    ),
    (
        "financial_stability",
        [rec(HOUSING, "H1", "P1", D - months(1), event="eviction_notice")],
        False,
        set(),
    ),
]


@pytest.mark.parametrize(
    ("code", "records", "met", "evidence"), SF2022_CASES, ids=case_ids(SF2022_CASES)
)
def test_sf2022_outcome_is_met_from_partner_records(code, records, met, evidence):
    result = criterion(SF2022, code, household(*records))
    assert result.met is met
    assert ids(result) == evidence


def test_sf2022_has_ten_headline_outcomes_each_covered_by_a_case():
    assert len(SF2022.national) == 10
    assert {code for code, *_ in SF2022_CASES} == {c.code for c in SF2022.national}
    assert {code for code, *_ in TF2012_CASES} == {c.code for c in TF2012.national}


@pytest.mark.parametrize(
    ("code", "statement_code", "met"),
    [
        ("family_relationships", "family_relationships", True),
        ("safe_from_abuse", "cse_risk", True),
        ("safe_from_abuse", "safe_from_abuse", True),
        ("housing", "cse_risk", False),
    ],
)
def test_sf2022_needs_can_come_from_the_whole_family_assessment(code, statement_code, met):
    home = household(statements=(said("R1", statement_code, D - months(1)),))
    result = criterion(SF2022, code, home)
    assert result.met is met
    assert ("Recorded evidence record R1" in result.explanation) is met
