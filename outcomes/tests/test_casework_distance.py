"""Distance travelled from baseline, including rises explained by more need being found."""

import pytest

from outcomes.casework import (
    APPENDIX_D,
    Direction,
    Profile,
    ScoreRecord,
    Subject,
    distance_travelled,
    subject_progress,
)

FAMILY = Subject("family", Profile.FAMILY, "The family")
CHILD = Subject("c1", Profile.CHILD, "Jay")
ADULT = Subject("a1", Profile.ADULT, "Sam")
HOUSING = "family.housing"
INCOME = "family.income_employment_finance"


def housing(scores, flagged=()):
    """Records for the family's housing domain: one score (or None) per occasion."""
    return [
        ScoreRecord("family", HOUSING, occasion, score, more_need_found=occasion in flagged)
        for occasion, score in enumerate(scores)
    ]


def housing_progress(scores, flagged=()):
    progress = subject_progress(APPENDIX_D, FAMILY, housing(scores, flagged))
    return next(d for d in progress.domains if d.domain == HOUSING)


@pytest.mark.parametrize(
    ("scores", "flagged", "change", "direction"),
    [
        ((4, 2), (), -2, Direction.IMPROVED),
        ((3, 3), (), 0, Direction.NO_CHANGE),
        ((2, 4), (), 2, Direction.WORSE),
        ((2, 4), (1,), 2, Direction.MORE_NEED_FOUND),
        # Found at R1, then improved below baseline by R2: an improvement overall.
        ((3, 5, 2), (1,), -1, Direction.IMPROVED),
        # Found at R1 (+2), partly resolved by R2: still explained by the discovery.
        ((2, 4, 3), (1,), 1, Direction.MORE_NEED_FOUND),
        # Found +1 at R1, then a further unflagged +1 at R2: the real deterioration shows.
        ((2, 3, 4), (1,), 2, Direction.WORSE),
        # The flag on a review where the score fell explains nothing.
        ((2, 1, 3), (1,), 1, Direction.WORSE),
        ((5, 4, 3, 2, 1, 1), (), -4, Direction.IMPROVED),
    ],
)
def test_change_and_direction_from_baseline(scores, flagged, change, direction):
    item = housing_progress(scores, flagged)
    assert item.change == change
    assert item.direction is direction


def test_more_need_found_is_reported_with_its_size_not_hidden():
    item = housing_progress((2, 5, 4), flagged=(1,))
    assert item.direction is Direction.MORE_NEED_FOUND
    assert item.need_found == 3
    assert item.change == 2
    assert [p.more_need_found for p in item.scores] == [False, True, False]


def test_every_review_shows_its_change_from_baseline():
    item = housing_progress((4, 3, 5, 1))
    assert [p.change_from_baseline for p in item.scores] == [0, -1, 1, -3]
    assert [p.label for p in item.scores] == ["Baseline", "Review 1", "Review 2", "Review 3"]


@pytest.mark.parametrize(
    ("scores", "baseline_occasion", "latest_occasion", "change", "direction"),
    [
        ((None, 4, 2), 1, 2, -2, Direction.IMPROVED),  # joined after baseline
        ((4, None, 2), 0, 2, -2, Direction.IMPROVED),  # missed a review
        ((4, 3, None), 0, 1, -1, Direction.IMPROVED),  # not scored at the latest review
        ((4, None, None), 0, 0, None, Direction.NOT_MEASURED),
        ((None, None), None, None, None, Direction.NOT_MEASURED),
    ],
)
def test_missing_scores_are_skipped_not_treated_as_zero(
    scores, baseline_occasion, latest_occasion, change, direction
):
    item = housing_progress(scores)
    assert item.baseline_occasion == baseline_occasion
    assert item.latest_occasion == latest_occasion
    assert item.change == change
    assert item.direction is direction


def test_a_domain_with_no_records_is_listed_as_not_measured():
    progress = subject_progress(APPENDIX_D, FAMILY, housing((4, 2)))
    income = next(d for d in progress.domains if d.domain == INCOME)
    assert income.direction is Direction.NOT_MEASURED
    assert [p.score for p in income.scores] == [None, None]
    assert progress.domains[0].label == "Housing"


def test_subject_summary_counts_directions_and_averages_measured_changes():
    records = [
        *housing((4, 2)),
        ScoreRecord("family", INCOME, 0, 3),
        ScoreRecord("family", INCOME, 1, 4, more_need_found=True),
        ScoreRecord("family", "family.social_community_links", 0, 2),
        ScoreRecord("family", "family.social_community_links", 1, 2),
    ]
    summary = subject_progress(APPENDIX_D, FAMILY, records).summary
    assert (summary.domains, summary.measured) == (4, 3)
    assert (summary.improved, summary.no_change, summary.worse) == (1, 1, 0)
    assert (summary.more_need_found, summary.not_measured) == (1, 1)
    assert summary.total_change == -1
    assert summary.mean_change == pytest.approx(-0.33)


def test_family_distance_travelled_summarises_per_profile_and_overall():
    records = [
        *housing((5, 3, 2)),
        ScoreRecord("c1", "child.general_health", 0, 4),
        ScoreRecord("c1", "child.general_health", 2, 4),
        ScoreRecord("a1", "adult.drug_alcohol_use", 0, 2),
        ScoreRecord("a1", "adult.drug_alcohol_use", 1, 3),
    ]
    result = distance_travelled(APPENDIX_D, [FAMILY, CHILD, ADULT], records)
    assert result.occasions == 3
    assert [s.occasions for s in result.subjects] == [3, 3, 3]
    assert result.profile_summary(Profile.FAMILY).improved == 1
    assert result.profile_summary(Profile.CHILD).no_change == 1
    assert result.profile_summary(Profile.ADULT).worse == 1
    assert result.overall.domains == 4 + 12 + 6
    assert (result.overall.measured, result.overall.total_change) == (3, -2)
    assert result.domain_set_version == APPENDIX_D.version


def test_two_children_are_summarised_together_under_the_child_profile():
    other = Subject("c2", Profile.CHILD, "Kim")
    records = [
        ScoreRecord("c1", "child.aspirations", 0, 4),
        ScoreRecord("c1", "child.aspirations", 1, 2),
        ScoreRecord("c2", "child.aspirations", 0, 3),
        ScoreRecord("c2", "child.aspirations", 1, 2),
    ]
    result = distance_travelled(APPENDIX_D, [CHILD, other], records)
    child = result.profile_summary(Profile.CHILD)
    assert (child.domains, child.improved, child.mean_change) == (24, 2, -1.5)


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([ScoreRecord("family", "family.pets", 0, 3)], "unknown domain"),
        ([ScoreRecord("family", "adult.drug_alcohol_use", 0, 3)], "belongs to the parent"),
        ([ScoreRecord("family", HOUSING, 0, 6)], "outside 1 to 5"),
        ([ScoreRecord("family", HOUSING, 0, 0)], "outside 1 to 5"),
        ([ScoreRecord("family", HOUSING, -1, 3)], "negative"),
        (
            [ScoreRecord("family", HOUSING, 1, 3), ScoreRecord("family", HOUSING, 1, 2)],
            "two scores",
        ),
        ([ScoreRecord("x9", HOUSING, 0, 3)], "unknown subject"),
    ],
)
def test_bad_scores_are_rejected_with_a_clear_error(records, message):
    with pytest.raises(ValueError, match=message):
        distance_travelled(APPENDIX_D, [FAMILY], records)


def test_a_subject_listed_twice_is_rejected():
    with pytest.raises(ValueError, match="once"):
        distance_travelled(APPENDIX_D, [FAMILY, FAMILY], [])


def test_no_scores_at_all_gives_one_baseline_column_and_nothing_measured():
    result = distance_travelled(APPENDIX_D, [FAMILY], [])
    assert result.occasions == 1
    assert result.overall.measured == 0
    assert result.overall.mean_change is None
