"""Eligibility rules per framework: counts, local criteria, exclusions, explanations."""

import json

import pytest

from eligibility.rules import SF2022, TF2012, TF2015, Kind, Relationship, evaluate

from .builders import (
    CHILD,
    PARENT,
    YOUNG,
    D,
    days,
    household,
    months,
    person,
    rec,
    said,
    terms,
)

# One record per TF2015 headline problem, all inside the look-back.
PROBLEM = {
    "crime_asb": rec(Kind.ASB, "X1", "P1", D - months(1), agency="Police", role="perpetrator"),
    "education": rec(Kind.SCHOOL_EXCLUSIONS, "E1", "C1", D - months(2), exclusion_type="permanent"),
    "children_need_help": rec(Kind.CHILDRENS_SOCIAL_CARE, "K1", "C1", D - months(3), status="CIN"),
    "worklessness": rec(Kind.BENEFITS, "B1", "P1", D - months(30), agency="DWP", benefit="JSA"),
    "domestic_abuse": rec(Kind.DOMESTIC_ABUSE, "D1", "P1", D - months(4), role="victim"),
    "health": rec(Kind.HEALTH, "H1", "P1", D - months(5), agency="NHS", need="physical_health"),
}


@pytest.mark.parametrize(
    ("problems", "eligible"),
    [
        ((), False),
        (("health",), False),
        (("crime_asb", "health"), True),
        (("education", "worklessness", "domestic_abuse"), True),
        (tuple(PROBLEM), True),
    ],
)
def test_tf2015_needs_at_least_two_of_six_headline_problems(problems, eligible):
    decision = evaluate(household(*(PROBLEM[p] for p in problems)), D, TF2015)
    assert decision.eligible is eligible
    assert {c.code for c in decision.national if c.met} == set(problems)
    assert "at least 2 of 6" in decision.rule


def test_tf2015_local_requirement_is_a_parameter_off_by_default():
    perpetrator = rec(Kind.DOMESTIC_ABUSE, "D1", "P1", D - months(4), role="perpetrator")
    home = household(PROBLEM["crime_asb"], perpetrator)
    assert evaluate(home, D, TF2015).eligible
    strict = TF2015.with_parameters(min_local=1)
    decision = evaluate(home, D, strict)
    assert not decision.eligible
    assert "at least 1 local criteria are required" in decision.rule
    # A parent who is a victim meets both domestic_abuse and the parent_da_victim local.
    victim = rec(Kind.DOMESTIC_ABUSE, "D2", "P1", D - months(1), role="victim")
    assert evaluate(household(PROBLEM["crime_asb"], victim), D, strict).eligible


def test_explanation_names_every_criterion_met_or_not_and_the_evidence_ids():
    decision = evaluate(household(PROBLEM["crime_asb"], PROBLEM["health"]), D, TF2015)
    lines = decision.explanation.splitlines()
    met = [c.label for c in TF2015.national if c.code in ("crime_asb", "health")]
    assert lines[0].startswith(f"Eligible: meets 2 of 6 ({'; '.join(met)})")
    assert "crime_asb" not in decision.explanation
    for spec, line in zip(TF2015.national + TF2015.local, lines[1:], strict=True):
        assert line.startswith(spec.label)
    assert "Anti-social behaviour record X1" in decision.explanation
    assert "Health record H1" in decision.explanation
    assert sum("Not met" in line for line in lines) == 4 + 7


def test_decision_records_framework_version_and_serialises_to_json():
    decision = evaluate(household(PROBLEM["crime_asb"]), D, TF2015.with_parameters(min_national=1))
    stored = json.loads(json.dumps(decision.to_dict()))
    assert stored["framework"] == {"code": "TF2015", "version": 2}
    assert stored["eligible"] is True
    assert stored["national"][0]["evidence"][0] == {
        "kind": "asb",
        "record_id": "X1",
        "date": (D - months(1)).isoformat(),
        "person_id": "P1",
        "audit_sample": False,
    }


def test_priority_inputs_count_local_criteria_and_distinct_agencies_in_look_back():
    old = rec(Kind.ASB, "X0", "P1", D - months(13), agency="Council ASB", role="perpetrator")
    home = household(
        *PROBLEM.values(),
        old,
        rec(Kind.HEALTH, "H2", "P1", D - months(2), agency="NHS", need="mental_health"),
        taf=frozenset({"Early Help", "Police"}),
    )
    decision = evaluate(home, D, TF2015)
    # parent_da_victim and parent_mental_health; DWP's benefit started long ago but is open.
    assert decision.priority.local_criteria_met == 2
    assert decision.priority.agencies == ("DWP", "Early Help", "NHS", "Police")
    assert decision.priority.agencies_involved == 4


TF2012_PROBLEM = {
    "crime_asb": rec(Kind.OFFENDING, "O1", "C1", D - months(2), proven="Y"),
    "education": terms("C1", 0, 15),
    "worklessness": rec(Kind.BENEFITS, "B1", "P1", D - months(30), benefit="IS"),
}


def _tf2012_home(problems, local=False, members=(PARENT, CHILD)):
    records = []
    for p in problems:
        value = TF2012_PROBLEM[p]
        records += list(value) if isinstance(value, tuple) else [value]
    statements = (said("L1", "high_cost", D - months(1)),) if local else ()
    return household(*records, members=members, statements=statements)


@pytest.mark.parametrize(
    ("problems", "local", "eligible"),
    [
        (("crime_asb", "education", "worklessness"), False, True),
        (("crime_asb", "education"), False, False),
        (("crime_asb", "education"), True, True),
        (("education", "worklessness"), True, True),
        (("worklessness",), True, False),
    ],
)
def test_tf2012_needs_three_of_three_or_two_plus_a_local_criterion(problems, local, eligible):
    decision = evaluate(_tf2012_home(problems, local), D, TF2012)
    assert decision.eligible is eligible
    assert "at least 3 of 3, or 2 of 3 plus a local criterion" in decision.rule


@pytest.mark.parametrize(
    ("child_ages", "eligible"),
    [((2, 4), False), ((4, 5), True), ((), True), ((0,), False)],
)
def test_tf2012_excludes_families_whose_children_are_all_under_school_age(child_ages, eligible):
    children = tuple(person(f"K{i}", age) for i, age in enumerate(child_ages))
    home = household(
        rec(Kind.ASB, "X1", "P1", D - months(1), role="perpetrator"),
        TF2012_PROBLEM["worklessness"],
        members=(PARENT, *children),
        statements=(said("L1", "high_cost", D - months(1)),),
    )
    decision = evaluate(home, D, TF2012)
    assert decision.eligible is eligible
    excluded = "Not met because: all the children are under school age" in decision.rule
    assert excluded is not eligible


SF_NEED = {
    "crime": rec(Kind.ASB, "X1", "P1", D - months(1), role="perpetrator"),
    "domestic_abuse": rec(Kind.DOMESTIC_ABUSE, "D1", "P1", D - months(1), role="victim"),
    "housing": rec(Kind.HOUSING, "H1", "P1", D - months(1), event="temporary_accommodation"),
}


@pytest.mark.parametrize(
    ("needs", "members", "eligible"),
    [
        (("crime", "domestic_abuse", "housing"), (PARENT, CHILD), True),
        (("crime", "domestic_abuse"), (PARENT, CHILD), False),
        (("crime", "domestic_abuse", "housing"), (PARENT, YOUNG), False),
        (
            ("crime", "domestic_abuse", "housing"),
            (person("P1", 30, expectant=True), YOUNG),
            True,
        ),
        (("crime", "domestic_abuse", "housing"), (PARENT, person("K", 17)), True),
        (
            ("crime", "domestic_abuse", "housing"),
            (PARENT, person("K", 18, Relationship.CHILD)),
            False,
        ),
    ],
)
def test_sf2022_needs_three_of_ten_and_dependent_children_or_expectant_parent(
    needs, members, eligible
):
    decision = evaluate(household(*(SF_NEED[n] for n in needs), members=members), D, SF2022)
    assert decision.eligible is eligible
    assert "at least 3 of 10" in decision.rule
    if len(needs) == 3:
        assert ("no dependent children and no expectant parent" in decision.rule) is not eligible


def test_retired_local_criterion_is_not_evaluated():
    home = household(rec(Kind.HEALTH, "H1", "P1", D - days(3), need="mental_health"))
    retired = TF2015.retire_local("parent_mental_health")
    codes = {c.code for c in evaluate(home, D, retired).local}
    assert "parent_mental_health" not in codes
    assert evaluate(home, D, retired).priority.local_criteria_met == 0
    assert evaluate(home, D, TF2015).priority.local_criteria_met == 1
