"""The linkage engine on a small synthetic authority plus hand-made hard cases."""

from datetime import date

import pandas as pd
import pytest

from eligibility.datamatch.bench_linkage import read_quarter
from eligibility.datamatch.contract import STRONG_IDENTIFIERS
from eligibility.datamatch.generator import generate_quarter
from eligibility.datamatch.linkage import (
    LINK_COLUMNS,
    Thresholds,
    _decide,
    evaluate_links,
    link_records,
    links_json,
)

AS_OF = date(2026, 3, 31)
PEOPLE = 600  # generator population: big enough for EM, small enough for seconds


def _person(person_id, forename, surname, dob, sex, line, postcode, **ids):
    row = {
        "person_id": person_id,
        "forename": forename,
        "surname": surname,
        "dob": pd.Timestamp(dob) if dob else None,
        "sex": sex,
        "address_line_1": line,
        "postcode": postcode,
    }
    return row | {i: ids.get(i) for i in STRONG_IDENTIFIERS}


def _record(record_key, *args, **ids):
    row = _person(record_key, *args, **ids)
    row["record_key"] = row.pop("person_id")
    return row


# People no generated name collides with, each with a partner record showing one of the
# variations the comparisons must recognise.
HARD_PEOPLE = [
    _person("X-NICK", "William", "Oduya", "1980-03-14", "M", "12 Linden Rise", "QA1 1AA"),
    _person("X-DOUBLE", "Amelia", "Hartley-Brooke", "2012-05-06", "F", "4 Ash Row", "QB2 3CD"),
    _person("X-SWAP", "Grace", "Okonkwo", "1975-01-20", "F", "9 Birch Walk", "QC3 4EF"),
    _person("X-DOB", "Oskar", "Lindqvist", "1990-04-07", "M", "77 Fir Lane", "QD4 5GH"),
    _person("X-SECTOR", "Priya", "Ramaswamy", "1985-11-23", "F", "3 Hazel Court", "QB7 4XY"),
    _person("X-DISTRICT", "Tomasz", "Wisniewski", "1979-02-28", "M", "8 Yew Way", "QC3 1AB"),
    _person("X-UPN", "Ivy", "Quartermaine", "2015-09-09", "F", "5 Elder Row", "QA2 2AA", upn="Z9"),
    _person("X-NHS", "Ivor", "Quartermaine", "2013-03-03", "M", "5 Elder Row", "QA2 2AA"),
]
HARD_PEOPLE[-1]["nhs_number"] = "9990000001"
HARD_RECORDS = [
    _record("hard:nick", "Bill", "Oduya", "1980-03-14", "M", "12 Linden Rise", "QA1 1AA"),
    _record("hard:double", "Amelia", "Brooke", "2012-05-06", "F", "4 Ash Row", "QB2 3CD"),
    _record("hard:swap", "Okonkwo", "Grace", "1975-01-20", "F", "9 Birch Walk", "QC3 4EF"),
    _record("hard:dob", "Oskar", "Lindqvist", "1990-07-04", "M", "77 Fir Lane", "QD4 5GH"),
    _record("hard:sector", "Priya", "Ramaswamy", "1985-11-23", "F", "40 Oak Hill", "QB7 4ZZ"),
    _record("hard:district", "Tomasz", "Wisniewski", "1979-02-28", "M", "2 Elm Hill", "QC3 9ZZ"),
    _record("hard:upn", "Ivy", "Q", None, None, None, None, upn="Z9"),
    # UPN says Ivy, NHS number says her brother Ivor: a person must decide.
    _record(
        "hard:conflict",
        "I",
        "Quartermaine",
        None,
        None,
        None,
        None,
        upn="Z9",
        nhs_number="9990000001",
    ),
    # Someone the LA does not know, seen by two partners with a typo: one candidate person.
    _record("hard:unknown-a", "Zephyrine", "Marchetti", "2001-06-30", "F", "1 Pine St", "QD9 9ZZ"),
    _record("hard:unknown-b", "Zephyrine", "Marchettl", "2001-06-30", "F", "1 Pine St", "QD9 9ZZ"),
    _record("hard:unknown-c", "Barnaby", "Featherstone", "1960-12-01", "M", "6 Old Rd", "QA8 8AA"),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    quarter = generate_quarter(PEOPLE, tmp_path_factory.mktemp("q"), seed=3, as_of=AS_OF)
    people, records = read_quarter(quarter.files)
    people = pd.concat([people, pd.DataFrame(HARD_PEOPLE)], ignore_index=True)
    records = pd.concat([records, pd.DataFrame(HARD_RECORDS)], ignore_index=True)
    truth = {
        (f"{kind}:{rid}", quarter.la_person_of[pid])
        for (kind, rid), pid in quarter.truth.items()
        if kind != "persons" and quarter.la_person_of[pid]
    }
    return {"people": people, "records": records, "truth": truth, "quarter": quarter}


@pytest.fixture(scope="module")
def result(world):
    return link_records(world["people"], world["records"])


@pytest.fixture(scope="module")
def again(world):
    """A second run on the same input, also keeping every blocked pair."""
    return link_records(world["people"], world["records"], keep_candidates=True)


def _rows(result, record_key):
    return result.links[result.links["record_key"] == record_key]


def _link(result, record_key):
    rows = _rows(result, record_key)
    linked = rows[rows["band"] == "link"]
    assert len(linked) == 1, rows
    return linked.iloc[0]


def _levels(row) -> list[str]:
    return [item["level"] for item in row["explanation"]]


def test_links_have_the_documented_columns_and_serialise(result):
    assert list(result.links.columns) == LINK_COLUMNS
    assert set(result.links["band"]) == {"link", "review"}
    assert (
        result.links.groupby("record_key")["band"].apply(lambda b: (b == "link").sum()).max() == 1
    )
    assert '"links"' in links_json(result)


def test_equal_strong_identifier_links_exactly(result):
    row = _link(result, "hard:upn")
    assert (row["person_id"], row["method"]) == ("X-UPN", "identifier:upn")
    assert row["match_weight"] is None or pd.isna(row["match_weight"])
    assert _levels(row) == ["unique pupil number: identical on both records"]


def test_identifiers_pointing_at_two_people_go_to_review(result):
    rows = _rows(result, "hard:conflict")
    assert set(rows["band"]) == {"review"}
    assert set(rows["person_id"]) == {"X-UPN", "X-NHS"}
    assert set(rows["method"]) == {"identifier:upn", "identifier:nhs_number"}


@pytest.mark.parametrize(
    ("record_key", "person_id", "level"),
    [
        ("hard:nick", "X-NICK", "forename: nickname or short form match (e.g. Bill and William)"),
        (
            "hard:double",
            "X-DOUBLE",
            "surname: shares part of a hyphenated or double-barrelled surname",
        ),
        ("hard:swap", "X-SWAP", "forename: matches the surname (forename and surname swapped)"),
        ("hard:swap", "X-SWAP", "surname: matches the forename (forename and surname swapped)"),
        ("hard:dob", "X-DOB", "date of birth: day and month transposed"),
    ],
)
def test_uk_aware_name_and_date_comparisons_count_for_the_link(
    result, record_key, person_id, level
):
    row = _link(result, record_key)
    assert (row["person_id"], row["method"]) == (person_id, "probabilistic")
    assert row["match_probability"] >= Thresholds().link
    contribution = next(i for i in row["explanation"] if i["level"] == level)
    assert contribution["match_weight"] > 3  # strong evidence for, not merely "not against"


@pytest.mark.parametrize(
    ("record_key", "person_id", "level", "not_level"),
    [
        ("hard:sector", "X-SECTOR", "address: same postcode sector", "address: different"),
        ("hard:district", "X-DISTRICT", "address: same postcode district", "address: different"),
    ],
)
def test_postcode_sector_and_district_agree_partially(
    result, record_key, person_id, level, not_level
):
    """The levels are recognised; their weight is whatever the data says.

    The generator moves people anywhere in the authority, so in its data a shared
    district says little; real moves are mostly local and the estimated weight rises.
    """
    row = _link(result, record_key)
    assert row["person_id"] == person_id
    levels = _levels(row)
    assert level in levels
    assert not_level not in levels


def test_explanation_adds_up_to_the_weight(result):
    row = _link(result, "hard:nick")
    total = sum(item["match_weight"] for item in row["explanation"])
    assert total == pytest.approx(row["match_weight"], abs=0.01)
    assert row["explanation"][0]["comparison"] == "prior"


def test_generated_quarter_links_with_high_precision_and_recall(world, result):
    links = result.links[result.links["band"] == "link"]
    predicted = {
        (k, p)
        for k, p in zip(links["record_key"], links["person_id"], strict=True)
        if k[:5] != "hard:"
    }
    scores = evaluate_links(predicted, world["truth"])
    assert scores["precision"] >= 0.995, scores
    assert scores["recall"] >= 0.98, scores
    methods = set(links["method"])
    assert {"identifier:upn", "identifier:nino", "probabilistic"} <= methods


def test_blocking_keeps_pairs_completeness_above_098(world, again):
    candidates = again.candidate_pairs
    scores = evaluate_links(
        [],
        world["truth"],
        zip(candidates["record_key"], candidates["person_id"], strict=True),
    )
    assert scores["pairs_completeness"] >= 0.98, scores


def test_unlinked_records_of_one_unknown_person_share_a_cluster(world, result):
    clusters = result.unlinked_clusters
    assert clusters["hard:unknown-a"] == clusters["hard:unknown-b"]
    assert clusters["hard:unknown-c"] != clusters["hard:unknown-a"]
    linked = set(result.links.loc[result.links["band"] == "link", "record_key"])
    assert not linked & set(clusters)
    # Generated people the LA does not know: their records mostly land in one cluster each.
    quarter = world["quarter"]
    by_person: dict[str, set[str]] = {}
    for (kind, rid), pid in quarter.truth.items():
        key = f"{kind}:{rid}"
        if kind != "persons" and quarter.la_person_of[pid] is None and key in clusters:
            by_person.setdefault(pid, set()).add(clusters[key])
    assert len(by_person) > 10
    one_cluster = sum(1 for ids in by_person.values() if len(ids) == 1)
    assert one_cluster / len(by_person) >= 0.9


def test_same_input_gives_the_same_output(result, again):
    assert links_json(again) == links_json(result)
    assert again.unlinked_clusters == result.unlinked_clusters


def test_manual_decisions_win(world, result):
    decisions = pd.DataFrame(
        {"record_key": ["hard:nick", "hard:swap"], "person_id": ["X-DOB", None]}
    )
    decided = link_records(world["people"], world["records"], decisions=decisions)
    nick = _link(decided, "hard:nick")
    assert (nick["person_id"], nick["method"]) == ("X-DOB", "manual")
    assert _rows(decided, "hard:swap").empty  # "not this person": no link, no review
    assert "hard:swap" in decided.unlinked_clusters
    untouched = _link(decided, "hard:dob")
    assert untouched["person_id"] == "X-DOB"


def _pairs(*rows):
    return pd.DataFrame(
        [
            {
                "uid_l": person,
                "uid_r": record,
                "match_weight": weight,
                "match_probability": 1 / (1 + 2**-weight),
                "explanation": [],
                "flat_disagreement": flat,
            }
            for person, record, weight, flat in rows
        ]
    )


def test_thresholds_band_the_pairs():
    pairs = _pairs(
        ("p1", "sure", 10.0, False),  # p ≈ 0.999
        ("p1", "unsure", 1.0, False),  # p ≈ 0.67
        ("p1", "unlikely", -3.0, False),  # p ≈ 0.11
        ("p2", "twin", 12.0, True),  # strong, but forename flatly disagrees at home
    )
    decided = _decide(pairs, Thresholds()).set_index("uid_r")
    assert decided.loc["sure", "band"] == "link"
    assert decided.loc["unsure", "band"] == "review"
    assert "unlikely" not in decided.index
    assert decided.loc["twin", "band"] == "review"
    strict = _decide(pairs, Thresholds(link=0.9999, review=0.05)).set_index("uid_r")
    assert strict.loc["sure", "band"] == "review"
    assert strict.loc["unlikely", "band"] == "review"


def test_two_equally_good_candidates_go_to_review_together():
    pairs = _pairs(
        ("p1", "r", 9.0, False),
        ("p2", "r", 9.0, False),
        ("p3", "r", 2.0, False),
        ("p4", "r", 1.0, False),
    )
    decided = _decide(pairs, Thresholds())
    assert list(decided["band"]) == ["review"] * 3  # top three only
    assert list(decided["uid_l"]) == ["p1", "p2", "p3"]
    assert decided["match_probability"].iloc[0] < 0.5
    rival = decided["explanation"].iloc[0][-1]
    assert rival["comparison"] == "other candidates"


def test_evaluate_links():
    scores = evaluate_links([("a", 1), ("b", 2)], [("a", 1), ("c", 3)], [("a", 1), ("c", 3)])
    assert scores == {
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "pairs_completeness": 1.0,
    }


def test_a_handful_of_records_links_on_the_saved_parameters():
    """Too little data to estimate from: the model starts from the saved parameters."""
    people = pd.DataFrame(HARD_PEOPLE[:3])
    records = pd.DataFrame([HARD_RECORDS[0], HARD_RECORDS[2], HARD_RECORDS[-1]])
    result = link_records(people, records)
    linked = result.links[result.links["band"] == "link"]
    assert dict(zip(linked["record_key"], linked["person_id"], strict=True)) == {
        "hard:nick": "X-NICK",
        "hard:swap": "X-SWAP",
    }
    assert result.unlinked_clusters == {"hard:unknown-c": "U-hard:unknown-c"}
    saved = result.parameters["levels"]["forename"]
    assert saved["forename: exact match"][0] > 0.5  # m, as saved


def test_with_nobody_on_the_spine_every_record_is_an_unknown_person():
    people = pd.DataFrame(HARD_PEOPLE[:0], columns=list(HARD_PEOPLE[0]))
    records = pd.DataFrame(HARD_RECORDS[-3:])
    result = link_records(people, records)
    assert result.links.empty
    clusters = result.unlinked_clusters
    assert clusters["hard:unknown-a"] == clusters["hard:unknown-b"] == "U-hard:unknown-a"
    assert clusters["hard:unknown-c"] == "U-hard:unknown-c"
