"""The shipped domain set is Appendix D's tool, and any set survives a JSON round trip."""

import json

import pytest

from outcomes.casework import (
    APPENDIX_D,
    Domain,
    DomainSet,
    Profile,
    ScaleLevel,
    occasion_code,
    occasion_label,
)

FAMILY_LABELS = [
    "Housing",
    "Income, employment and finance",
    "Family history, relationships and wellbeing",
    "Social and community links/supports",
]
CHILD_HEALTH_LABELS = [
    "General health",
    "Physical development",
    "Speech, language and communication",
    "Emotional and social development",
    "Behavioural development",
    "Self esteem and self image",
    "Family and social relationships",
    "Self care skills and independence",
]
CHILD_LEARNING_LABELS = [
    "Reasoning and problem solving",
    "Participation in learning, education or work",
    "Progress and achievement",
    "Aspirations",
]
ADULT_LABELS = [
    "Basic care, ensuring safety and protection",
    "Setting routines and boundaries",
    "Emotional warmth and stability",
    "Physical health",
    "Mental health and emotional well-being",
    "Drug or alcohol use",
]


@pytest.mark.parametrize(
    ("profile", "labels"),
    [
        (Profile.FAMILY, FAMILY_LABELS),
        (Profile.CHILD, CHILD_HEALTH_LABELS + CHILD_LEARNING_LABELS),
        (Profile.ADULT, ADULT_LABELS),
    ],
)
def test_appendix_d_lists_each_profiles_domains_in_order(profile, labels):
    assert [d.label for d in APPENDIX_D.for_profile(profile)] == labels


@pytest.mark.parametrize(
    ("group", "labels"), [("Health", CHILD_HEALTH_LABELS), ("Learning", CHILD_LEARNING_LABELS)]
)
def test_appendix_d_groups_child_domains_into_health_and_learning(group, labels):
    child = APPENDIX_D.for_profile(Profile.CHILD)
    assert [d.label for d in child if d.group == group] == labels


def test_appendix_d_has_22_domains_with_unique_profile_prefixed_codes():
    codes = [d.code for d in APPENDIX_D.domains]
    assert len(codes) == 22
    assert len(set(codes)) == 22
    assert all(code.startswith(f"{APPENDIX_D.domain(code).profile}.") for code in codes)


def test_appendix_d_scale_uses_the_tools_wording_from_none_to_critical():
    assert [(level.score, level.label) for level in APPENDIX_D.scale] == [
        (1, "None"),
        (2, "Minor"),
        (3, "Moderate"),
        (4, "Significant"),
        (5, "Critical/Complex"),
    ]
    assert APPENDIX_D.scale_label(4) == "Significant"


@pytest.mark.parametrize("score", [0, 6])
def test_scale_label_rejects_scores_off_the_scale(score):
    with pytest.raises(ValueError, match="outside the scale"):
        APPENDIX_D.scale_label(score)


def test_appendix_d_survives_a_json_round_trip_unchanged():
    restored = DomainSet.from_dict(json.loads(json.dumps(APPENDIX_D.to_dict())))
    assert restored == APPENDIX_D
    assert restored.domain("child.aspirations").group == "Learning"


def test_a_custom_set_round_trips_with_guidance_and_a_different_scale():
    custom = DomainSet(
        code="local",
        version=3,
        name="Local tool",
        domains=(
            Domain("family.debt", "Debt", Profile.FAMILY, guidance="Arrears, loans, bills"),
            Domain("adult.work", "Work", Profile.ADULT, group="Economy"),
        ),
        scale=(ScaleLevel(1, "Fine"), ScaleLevel(2, "Some"), ScaleLevel(3, "Lots")),
    )
    restored = DomainSet.from_dict(json.loads(json.dumps(custom.to_dict())))
    assert restored == custom
    assert restored.domain("family.debt").guidance == "Arrears, loans, bills"
    assert restored.max_score == 3


@pytest.mark.parametrize(
    ("domains", "scale", "message"),
    [
        ((), (ScaleLevel(1, "a"), ScaleLevel(2, "b")), "at least one domain"),
        (
            (Domain("x", "X", Profile.FAMILY), Domain("x", "Y", Profile.FAMILY)),
            (ScaleLevel(1, "a"), ScaleLevel(2, "b")),
            "used twice",
        ),
        ((Domain("x", " ", Profile.FAMILY),), (ScaleLevel(1, "a"), ScaleLevel(2, "b")), "label"),
        ((Domain("x", "X", Profile.FAMILY),), (ScaleLevel(1, "a"), ScaleLevel(3, "b")), "no gaps"),
        ((Domain("x", "X", Profile.FAMILY),), (ScaleLevel(1, "a"),), "no gaps"),
    ],
)
def test_invalid_domain_sets_fail_loudly(domains, scale, message):
    with pytest.raises(ValueError, match=message):
        DomainSet(code="bad", version=1, name="Bad", domains=domains, scale=scale)


def test_from_dict_rejects_an_unknown_profile():
    data = APPENDIX_D.to_dict()
    data["domains"][0]["profile"] = "pet"
    with pytest.raises(ValueError, match="pet"):
        DomainSet.from_dict(data)


@pytest.mark.parametrize(
    ("occasion", "code", "label"),
    [(0, "B", "Baseline"), (1, "R1", "Review 1"), (5, "R5", "Review 5")],
)
def test_occasions_are_named_as_on_the_tool(occasion, code, label):
    assert occasion_code(occasion) == code
    assert occasion_label(occasion) == label
