"""TF2015 headline problems and local criteria, one table row per behaviour."""

import pytest

from eligibility.rules import TF2015, Kind, Relationship

from .builders import (
    CHILD,
    PARENT,
    TODDLER,
    YOUNG,
    D,
    attendance,
    case_ids,
    criterion,
    days,
    household,
    ids,
    months,
    person,
    rec,
    said,
    terms,
)

LOOK_BACK_EDGE = D - months(12)  # outside (D - 12m, D]
INSIDE_EDGE = LOOK_BACK_EDGE + days(1)

OFF, ASB, CSC, BEN = Kind.OFFENDING, Kind.ASB, Kind.CHILDRENS_SOCIAL_CARE, Kind.BENEFITS
NEET, HOUSING, DA, HEALTH, EY = (
    Kind.NEET,
    Kind.HOUSING,
    Kind.DOMESTIC_ABUSE,
    Kind.HEALTH,
    Kind.EARLY_YEARS,
)
EXCL, AP = Kind.SCHOOL_EXCLUSIONS, Kind.ALTERNATIVE_PROVISION

CASES = [
    # crime_asb
    ("crime_asb", [rec(OFF, "O1", "C1", D - months(2), proven="Y")], True, {"O1"}),
    ("crime_asb", [rec(OFF, "O1", "P1", D - months(2), proven="N")], False, set()),
    ("crime_asb", [rec(ASB, "X1", "P1", D - months(1), role="perpetrator")], True, {"X1"}),
    ("crime_asb", [rec(ASB, "X1", "P1", D - months(1), role="victim")], False, set()),
    ("crime_asb", [rec(ASB, "X1", "P1", LOOK_BACK_EDGE, role="perpetrator")], False, set()),
    ("crime_asb", [rec(ASB, "X1", "P1", INSIDE_EDGE, role="perpetrator")], True, {"X1"}),
    ("crime_asb", [rec(ASB, "X1", "P1", D, role="perpetrator")], True, {"X1"}),
    ("crime_asb", [rec(ASB, "X1", "NOT_A_MEMBER", D, role="perpetrator")], False, set()),
    # education: overall absence summed over the three most recent terms
    ("education", terms("C1", 5, 5), True, {"A1", "A2", "A3"}),
    ("education", terms("C1", 5, 4), False, set()),
    ("education", [attendance("A1", "C1", "2025/26", "summer", 10000, 999, 0)], False, set()),
    ("education", [attendance("A1", "C1", "2025/26", "summer", 10000, 1000, 0)], True, {"A1"}),
    # a term older than the three most recent is not summed
    ("education", [attendance("A0", "C1", "2024/25", "summer", 100, 50, 0)], False, set()),
    (
        "education",
        [rec(EXCL, f"S{i}", "C1", D - months(i), exclusion_type="suspension") for i in (1, 2, 3)],
        True,
        {"S1", "S2", "S3"},
    ),
    (
        "education",
        [rec(EXCL, f"S{i}", "C1", D - months(i), exclusion_type="suspension") for i in (1, 2)],
        False,
        set(),
    ),
    ("education", [rec(EXCL, "E1", "C1", D - months(3), exclusion_type="permanent")], True, {"E1"}),
    ("education", [rec(AP, "AP1", "C1", D - months(30), None)], True, {"AP1"}),
    ("education", [rec(AP, "AP1", "C1", D - months(30), D - days(1))], False, set()),
    # children_need_help
    (
        "children_need_help",
        [rec(CSC, "K1", "C1", D - months(30), None, status="CIN")],
        True,
        {"K1"},
    ),
    (
        "children_need_help",
        [rec(CSC, "K1", "C1", D - months(30), D - months(3), status="CP")],
        True,
        {"K1"},
    ),
    (
        "children_need_help",
        [rec(CSC, "K1", "C1", D - months(30), LOOK_BACK_EDGE, status="LAC")],
        False,
        set(),
    ),
    (
        "children_need_help",
        [rec(CSC, "K1", "C1", D - months(30), INSIDE_EDGE, status="LAC")],
        True,
        {"K1"},
    ),
    (
        "children_need_help",
        [rec(CSC, "K1", "C1", D - months(3), None, status="EARLY_HELP")],
        False,
        set(),
    ),
    ("children_need_help", [rec(CSC, "K1", "Y1", D - months(3), None, status="CIN")], False, set()),
    (
        "children_need_help",
        [rec(EY, "EY1", "T1", D - months(3), event="development_concern")],
        True,
        {"EY1"},
    ),
    # worklessness
    ("worklessness", [rec(BEN, "B1", "P1", D - months(40), None, benefit="ESA")], True, {"B1"}),
    (
        "worklessness",
        [rec(BEN, "B1", "P1", D - months(40), None, benefit="UC_WORKING")],
        False,
        set(),
    ),
    (
        "worklessness",
        [rec(BEN, "B1", "P1", D - months(40), D - days(1), benefit="JSA")],
        False,
        set(),
    ),
    ("worklessness", [rec(BEN, "B1", "P1", D - months(40), D, benefit="JSA")], True, {"B1"}),
    ("worklessness", [rec(NEET, "N1", "Y1", D - months(2), None, status="NEET")], True, {"N1"}),
    ("worklessness", [rec(NEET, "N1", "Y1", D - months(2), None, status="EET")], False, set()),
    ("worklessness", [rec(HOUSING, "H1", "P1", D - months(2), event="rent_arrears")], True, {"H1"}),
    (
        "worklessness",
        [rec(HOUSING, "H1", "P1", D - months(2), event="eviction_notice")],
        True,
        {"H1"},
    ),
    (
        "worklessness",
        [rec(HOUSING, "H1", "P1", D - months(2), event="homeless_application")],
        False,
        set(),
    ),
    # domestic_abuse: any role
    ("domestic_abuse", [rec(DA, "D1", "P1", D - months(2), role="victim")], True, {"D1"}),
    (
        "domestic_abuse",
        [rec(DA, "D1", "C1", D - months(2), role="child_in_household")],
        True,
        {"D1"},
    ),
    ("domestic_abuse", [rec(DA, "D1", "P1", LOOK_BACK_EDGE, role="perpetrator")], False, set()),
    # health: any need
    ("health", [rec(HEALTH, "M1", "C1", D - months(2), need="physical_health")], True, {"M1"}),
    ("health", [], False, set()),
    # local criteria
    (
        "cp_step_down",
        [
            rec(CSC, "K1", "C1", D - months(20), D - months(5), status="CP"),
            rec(CSC, "K2", "C1", D - months(5) + days(30), None, status="CIN"),
        ],
        True,
        {"K1", "K2"},
    ),
    (
        "cp_step_down",
        [
            rec(CSC, "K1", "C1", D - months(20), D - months(5), status="CP"),
            rec(CSC, "K2", "C1", D - months(5) + days(31), None, status="CIN"),
        ],
        False,
        set(),
    ),
    ("cse_risk", [rec(CSC, "K1", "C1", D - months(2), None, status="CP")], False, set()),
    (
        "two_year_funding",
        [rec(EY, "EY1", "T1", D - months(1), event="two_year_funding_eligible")],
        True,
        {"EY1"},
    ),
    (
        "two_year_funding",
        [rec(EY, "EY1", "T1", D - months(1), event="development_concern")],
        False,
        set(),
    ),
    ("parent_da_victim", [rec(DA, "D1", "P1", D - months(1), role="victim")], True, {"D1"}),
    ("parent_da_victim", [rec(DA, "D1", "P1", D - months(1), role="perpetrator")], False, set()),
    ("parent_da_victim", [rec(DA, "D1", "C1", D - months(1), role="victim")], False, set()),
    (
        "parent_substance",
        [rec(HEALTH, "M1", "P1", D - months(1), need="alcohol_misuse")],
        True,
        {"M1"},
    ),
    (
        "parent_substance",
        [rec(HEALTH, "M1", "P1", D - months(1), need="substance_misuse")],
        True,
        {"M1"},
    ),
    (
        "parent_substance",
        [rec(HEALTH, "M1", "C1", D - months(1), need="substance_misuse")],
        False,
        set(),
    ),
    (
        "parent_mental_health",
        [rec(HEALTH, "M1", "P1", D - months(1), need="mental_health")],
        True,
        {"M1"},
    ),
    (
        "parent_mental_health",
        [rec(HEALTH, "M1", "P1", D - months(1), need="physical_health")],
        False,
        set(),
    ),
    (
        "child_autism_adhd",
        [rec(HEALTH, "M1", "C1", D - months(1), need="autism_adhd_ehcp")],
        True,
        {"M1"},
    ),
    (
        "child_autism_adhd",
        [rec(HEALTH, "M1", "P1", D - months(1), need="autism_adhd_ehcp")],
        False,
        set(),
    ),
]


@pytest.mark.parametrize(("code", "records", "met", "evidence"), CASES, ids=case_ids(CASES))
def test_tf2015_criterion_is_met_from_partner_records(code, records, met, evidence):
    result = criterion(TF2015, code, household(*records))
    assert result.met is met
    assert ids(result) == evidence


@pytest.mark.parametrize("code", [c.code for c in TF2015.national] + [c.code for c in TF2015.local])
def test_every_tf2015_criterion_can_be_met_by_recorded_evidence_flagged_for_audit(code):
    home = household(statements=(said("R1", code, D - months(1), "P1"),))
    result = criterion(TF2015, code, home)
    assert result.met
    assert [(e.kind, e.record_id, e.audit_sample) for e in result.evidence] == [
        ("recorded_evidence", "R1", True)
    ]
    assert "recorded evidence" in result.explanation and "audit" in result.explanation


@pytest.mark.parametrize(
    ("when", "met"), [(LOOK_BACK_EDGE, False), (INSIDE_EDGE, True), (D, True), (D + days(1), False)]
)
def test_recorded_evidence_counts_only_inside_the_look_back(when, met):
    home = household(statements=(said("R1", "health", when, "P1"),))
    assert criterion(TF2015, "health", home).met is met


@pytest.mark.parametrize(("age", "school_age"), [(4, False), (5, True), (15, True), (16, False)])
def test_education_counts_only_children_of_school_age_on_d(age, school_age):
    pupil = person("S1", age)
    home = household(*terms("S1", 10, 10), members=(PARENT, pupil))
    assert criterion(TF2015, "education", home).met is school_age


@pytest.mark.parametrize(("age", "counts"), [(15, False), (16, True), (24, True), (25, False)])
def test_neet_counts_only_young_people_aged_16_to_24(age, counts):
    young = person("Y9", age, Relationship.OTHER_ADULT)
    home = household(rec(NEET, "N1", "Y9", D - months(1), None, status="NEET"), members=(young,))
    assert criterion(TF2015, "worklessness", home).met is counts


@pytest.mark.parametrize(("age", "counts"), [(17, False), (18, True)])
def test_out_of_work_benefit_counts_only_for_adults_of_18_on_d(age, counts):
    claimant = person("Q1", age, Relationship.CHILD)
    home = household(rec(BEN, "B1", "Q1", D - months(1), None, benefit="JSA"), members=(claimant,))
    assert criterion(TF2015, "worklessness", home).met is counts


def test_explanation_gives_child_age_percentage_terms_and_record_ids():
    result = criterion(TF2015, "education", household(*terms("C1", 10, 4)))
    assert result.explanation == (
        "Children not attending school regularly: Met: Jordan (age 12) missed 14% of sessions "
        "over autumn 2025, spring 2026, summer 2026 (School attendance records A1, A2, A3)."
    )


def test_near_miss_is_explained_when_education_is_not_met():
    result = criterion(TF2015, "education", household(*terms("C1", 5, 4)))
    assert not result.met
    assert "Jordan (age 12) missed 9% of sessions" in result.explanation
    assert "below 10%" in result.explanation


def test_members_are_the_only_people_whose_records_count():
    assert CHILD in household().members and YOUNG in household().members
    home = household(rec(HEALTH, "M1", "STRANGER", D, need="mental_health"))
    assert not criterion(TF2015, "health", home).met
    assert TODDLER.is_child(D)
