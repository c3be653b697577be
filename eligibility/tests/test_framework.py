"""Frameworks are versioned data: JSON round trip, edits, local criteria, no hidden constants."""

import json

import pytest

from eligibility.rules import (
    BUILT_IN,
    DEFAULT_FRAMEWORK,
    TF2015,
    CriterionSpec,
    Framework,
    Kind,
    Parameters,
    RuleRef,
    Status,
    evaluate,
    results,
)
from eligibility.rules.criteria import RULES
from eligibility.rules.outcomes import OUTCOMES
from eligibility.rules.results import RESULT_RULES

from .builders import D, criterion, days, household, months, rec, terms


@pytest.mark.parametrize("code", sorted(BUILT_IN))
def test_built_in_framework_round_trips_through_json(code):
    framework = BUILT_IN[code]
    stored = json.loads(json.dumps(framework.to_dict()))
    assert Framework.from_dict(stored) == framework
    assert stored["code"] == code and stored["version"] == 1


@pytest.mark.parametrize("code", sorted(BUILT_IN))
def test_built_in_framework_names_only_rules_the_engine_has(code):
    framework = BUILT_IN[code]
    specs = framework.national + framework.local
    assert {r.rule for s in specs for r in s.rules} <= set(RULES)
    assert {s.outcome.rule for s in specs if s.outcome} <= set(OUTCOMES)
    assert set(framework.results) <= set(RESULT_RULES)
    assert set(framework.results) == set(framework.amounts)


def test_default_framework_is_tf2015_and_flags_unconfirmed_employment_weeks():
    assert DEFAULT_FRAMEWORK is TF2015
    assert set(TF2015.unconfirmed) == {
        "employment_weeks_job_search",
        "employment_window_job_search",
        "employment_weeks_other",
        "employment_window_other",
    }
    assert BUILT_IN["SF2022"].unconfirmed == ("family_outcome",)


@pytest.mark.parametrize(
    ("threshold", "met"), [(10.0, True), (14.0, True), (14.01, False), (20.0, False)]
)
def test_editing_the_absence_threshold_changes_education(threshold, met):
    edited = Framework.from_dict(
        {
            **TF2015.to_dict(),
            "parameters": {**TF2015.parameters.to_dict(), "absence_threshold_pct": threshold},
        }
    )
    assert criterion(edited, "education", household(*terms("C1", 10, 4))).met is met


def test_editing_the_look_back_changes_what_counts_and_bumps_the_version():
    home = household(rec(Kind.HEALTH, "H1", "P1", D - months(13), need="mental_health"))
    longer = TF2015.with_parameters(look_back_months=18)
    assert not criterion(TF2015, "health", home).met
    assert criterion(longer, "health", home).met
    assert longer.version == TF2015.version + 1
    assert evaluate(home, D, longer).framework_version == 2


def test_editing_the_sustain_period_changes_when_a_result_is_met():
    attached = D - months(4)
    home = household(rec(Kind.DOMESTIC_ABUSE, "D1", "P1", attached - days(5), role="victim"))
    default = next(r for r in results(home, attached, D, TF2015) if r.code == "sustained_progress")
    shorter = TF2015.with_parameters(sustain_months=3)
    edited = next(r for r in results(home, attached, D, shorter) if r.code == "sustained_progress")
    assert default.status is Status.IN_PROGRESS
    assert edited.status is Status.MET


def test_editing_an_amount_changes_the_result_amount():
    edited = Framework.from_dict(
        {**TF2015.to_dict(), "amounts": {**TF2015.amounts, "attachment_fee": 1200}}
    )
    fee = results(household(), D - months(1), D, edited)[0]
    assert (fee.code, fee.amount) == ("attachment_fee", 1200)


def test_administrator_can_add_edit_and_retire_a_local_criterion():
    home = household(rec(Kind.HEALTH, "H1", "C1", D - months(1), need="mental_health"))
    child_mh = CriterionSpec(
        "child_mental_health",
        "A child with mental health concerns",
        (RuleRef("health_need", {"needs": ["mental_health"], "who": "child"}),),
    )
    added = Framework.from_dict(json.loads(json.dumps(TF2015.with_local(child_mh).to_dict())))
    assert criterion(added, "child_mental_health", home).met
    edited = added.with_local(
        CriterionSpec(
            "child_mental_health",
            "A child with mental health concerns",
            (RuleRef("health_need", {"needs": ["autism_adhd_ehcp"], "who": "child"}),),
        )
    )
    assert not criterion(edited, "child_mental_health", home).met
    retired = added.retire_local("child_mental_health")
    assert "child_mental_health" not in {c.code for c in evaluate(home, D, retired).local}
    assert [c.code for c in retired.local].count("child_mental_health") == 1
    assert (added.version, edited.version, retired.version) == (2, 3, 3)


def test_editing_a_local_criterion_parameter_changes_the_outcome():
    home = household(
        rec(Kind.CHILDRENS_SOCIAL_CARE, "K1", "C1", D - months(9), D - months(5), status="CP"),
        rec(Kind.CHILDRENS_SOCIAL_CARE, "K2", "C1", D - months(5) + days(40), None, status="CIN"),
    )
    step_down = next(c for c in TF2015.local if c.code == "cp_step_down")
    wider = TF2015.with_local(
        CriterionSpec(
            step_down.code, step_down.label, (RuleRef("cp_step_down", {"within_days": 45}),)
        )
    )
    assert not criterion(TF2015, "cp_step_down", home).met
    assert criterion(wider, "cp_step_down", home).met


def test_unknown_parameter_is_rejected_rather_than_ignored():
    with pytest.raises(ValueError, match="absense_threshold_pct"):
        Parameters.from_dict({"absense_threshold_pct": 12})


def test_retiring_an_unknown_local_criterion_raises():
    with pytest.raises(KeyError):
        TF2015.retire_local("no_such_code")


@pytest.mark.parametrize(
    "changes",
    [{"absence_measure": "authorised"}, {"look_back_months": -1}, {"attachment_share_pct": ()}],
)
def test_parameter_edit_no_rule_could_interpret_is_rejected(changes):
    with pytest.raises(ValueError):
        TF2015.with_parameters(**changes)
