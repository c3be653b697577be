"""Record linkage for the quarterly data-match: partner records → people on the spine.

    result = link_records(people, records, thresholds=Thresholds(), decisions=decisions)

Stages, in order of authority:
0. **Manual decisions** (`decisions`: record_key, person_id) always win; those records are
   not scored again. person_id None means a reviewer rejected every suggestion ("not
   anyone we know"): no link, no review, and the record joins the unknown-people clusters.
1. **Exact on strong identifiers** (`contract.STRONG_IDENTIFIERS`). One person → link
   ("identifier:<name>"). Two people → review. An identifier that matches a person whose
   forename and date of birth both say otherwise (a keying error that happens to hit a
   sibling's number) is not trusted: the record is scored probabilistically and the
   identifier's person is offered for review alongside.
2. **Probabilistic** (Fellegi–Sunter via Splink, `linkage_model`) for the rest. Records
   that hold the same identity (a partner file repeats a person on every row) are scored
   once. Candidates compete (`_decide`): the best one is linked when its probability,
   after allowing for the other candidates, is at or above `thresholds.link` — unless its
   forename or date of birth flatly disagrees while surname and address agree with a
   person who lives with family (twins, a same-named parent): a person decides those.
   Otherwise the top three candidates at or above `thresholds.review` go to review.
3. **Unknown people**: records left without a link (under review, below the review
   threshold, or rejected by a reviewer) are grouped across datasets by the same model
   (dedupe), giving `unlinked_clusters` from which the caller makes candidate persons.

Pure: pandas in, pandas out; same input and seed → same output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from eligibility.datamatch.contract import IDENTIFIER_NAMES, STRONG_IDENTIFIERS
from eligibility.datamatch.linkage_model import (
    FEATURE_COLUMNS,
    cluster,
    features,
    parameters_of,
    score_pairs,
)

LINK_COLUMNS = [
    "record_key",
    "person_id",
    "method",
    "match_weight",
    "match_probability",
    "band",
    "explanation",
]
REVIEW_CANDIDATES = 3  # per record


@dataclass(frozen=True)
class Thresholds:
    link: float = 0.95  # match probability at/above which a link is made
    review: float = 0.50  # at/above this (and below link) the pair goes to the review queue


@dataclass
class LinkResult:
    """What the linker decided.

    `links`: one row per (record, person) pair that was linked or needs review — columns
    `LINK_COLUMNS`; band "link" (one row per linked record) or "review" (up to three
    candidate people per record). Records with no candidate at/above the review threshold
    are absent. `match_weight`/`match_probability` are None for identifier and manual links;
    for probabilistic rows they are the Fellegi–Sunter weight (log2 odds) and probability
    after allowing for competing candidates. `explanation` is a JSON-serialisable list of
    {comparison, level, bayes_factor, match_weight}: the prior, one line per comparison
    (level in plain words, e.g. "forename: nickname or short form match (e.g. Bill and
    William)"), and an "other candidates" line when rivals lowered the weight; the
    match_weight contributions add up to the row's match_weight. Rows with the same
    agreement pattern share one list object — treat it as read-only.

    `unlinked_clusters`: record_key → cluster id ("U-" + the smallest record_key of the
    cluster) for every record without a link; records with the same cluster id look like
    the same person who is not on the spine.

    `stats`: counts for the run page (records, links by method, review records, distinct
    identities, unlinked records and clusters) — informative only. `parameters`: the
    model the run used (m and u per comparison level, the prior), worth keeping with a
    run for audit.
    """

    links: pd.DataFrame
    unlinked_clusters: dict[str, str]
    stats: dict[str, Any] = field(default_factory=dict)
    candidate_pairs: pd.DataFrame | None = None  # record_key, person_id; when asked for
    parameters: dict[str, Any] | None = None  # the model's m and u per level, and its prior


def _identifier_explanation(ident: str, *, doubt: str | None = None) -> list[dict[str, Any]]:
    level = f"{IDENTIFIER_NAMES.get(ident, ident)}: identical on both records"
    if isinstance(doubt, str):
        level += f", but {doubt}"
    return [{"comparison": ident, "level": level, "bayes_factor": None, "match_weight": None}]


_MANUAL = [
    {
        "comparison": "manual",
        "level": "decided by a reviewer",
        "bayes_factor": None,
        "match_weight": None,
    }
]


def _present(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Rows of `df[cols]` with every column filled (None, NaN and "" count as missing)."""
    out = df[cols]
    filled = out.notna().all(axis=1)
    for c in cols:
        filled &= out[c] != ""
    return out[filled]


def _identifier_matches(people: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """record_key, uid, person_id, identifier for every strong identifier equal on both sides.

    A pair matched by several identifiers is kept once, under the first in contract order.
    """
    found = []
    for ident in STRONG_IDENTIFIERS:
        if ident not in people or ident not in records:
            continue
        r = _present(records, ["record_key", "uid", ident])
        p = _present(people, ["person_id", ident])
        if r.empty or p.empty:
            continue
        m = r.merge(p, on=ident)[["record_key", "uid", "person_id"]]
        m["identifier"] = ident
        found.append(m)
    if not found:
        return pd.DataFrame(columns=["record_key", "uid", "person_id", "identifier"])
    matches = pd.concat(found, ignore_index=True)
    return matches.drop_duplicates(["record_key", "person_id"], keep="first")


_PLAUSIBLE_SQL = """
SELECT m.record_key,
       coalesce(r.forename IS NULL OR p.forename IS NULL OR r.forename_canon = p.forename_canon
        OR jaro_winkler_similarity(r.forename, p.forename) >= 0.8
        OR damerau_levenshtein(r.forename, p.forename) <= 1
        OR jaro_winkler_similarity(r.forename, p.surname) >= 0.8, false) AS forename_ok,
       coalesce(r.dob = p.dob OR r.dob = p.dob_transposed
        OR damerau_levenshtein(r.dob, p.dob) <= 1, false) AS dob_ok
FROM m JOIN r ON r.uid = m.uid JOIN p ON p.uid = m.person_id
ORDER BY m.record_key
"""


def _plausibility(m: pd.DataFrame, r: pd.DataFrame, p: pd.DataFrame) -> pd.DataFrame:
    """record_key → doubt (None when the identifier's person is believable).

    A doubt needs the forename to disagree and the date of birth not to confirm (differ
    or be missing): a keying error in an identifier lands on another person — often a
    sibling or parent, where numbers are issued in sequence — with another forename and
    birth date; a nickname or a typo in the forename alone does not make one.
    """
    con = duckdb.connect()
    con.register("m", m[["record_key", "uid", "person_id"]])
    con.register("r", r)
    con.register("p", p)
    checked = con.execute(_PLAUSIBLE_SQL).df()
    con.close()
    doubtful = ~checked["forename_ok"].astype(bool) & ~checked["dob_ok"].astype(bool)
    doubt = pd.Series(None, index=checked.index, dtype=object)
    doubt[doubtful] = "the forename disagrees and the date of birth does not confirm it"
    return pd.DataFrame({"record_key": checked["record_key"], "doubt": doubt})


def _empty_links() -> pd.DataFrame:
    return pd.DataFrame(columns=LINK_COLUMNS)


def _link_rows(
    frame: pd.DataFrame,
    *,
    method,
    band,
    explanation,
    person_col: str = "person_id",
    weight=None,
    probability=None,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_key": frame["record_key"],
            "person_id": frame[person_col],
            "method": method,
            "match_weight": weight,
            "match_probability": probability,
            "band": band,
            "explanation": explanation,
        }
    )


def _identifier_rows(matches: pd.DataFrame, *, band: str, doubt: str | None = None):
    """Link rows for identifier matches; `doubt` (or a per-row `doubt` column) explains."""
    doubts = matches["doubt"] if doubt is None and "doubt" in matches else [doubt] * len(matches)
    cache: dict[tuple[str, str | None], list] = {}
    explanation = [
        cache.setdefault((i, d), _identifier_explanation(i, doubt=d))
        for i, d in zip(matches["identifier"], doubts, strict=True)
    ]
    return _link_rows(
        matches,
        method="identifier:" + matches["identifier"],
        band=band,
        explanation=explanation,
    )


#: Raw identity columns: records equal on these are scored once.
RAW_IDENTITY = ("forename", "surname", "dob", "sex", "address_line_1", "postcode")


def _identities(records: pd.DataFrame, extra: tuple[str, ...]) -> tuple[np.ndarray, pd.DataFrame]:
    """Each record's identity uid, and the features of each identity (column `uid`).

    Partner files repeat a person's identity on every row, so features are computed per
    distinct raw identity, and Splink scores each distinct normalised identity once.
    """
    raw_cols = [c for c in RAW_IDENTITY if c in records] + list(extra)
    raw_group = records.groupby(raw_cols, dropna=False, sort=True).ngroup().to_numpy()
    first_rows = pd.Series(np.arange(len(records))).groupby(raw_group).first().to_numpy()
    raw = features(records.iloc[first_rows].reset_index(drop=True), extra)
    ident_cols = [c for c in FEATURE_COLUMNS if c != "surname_parts"] + list(extra)
    codes = raw.groupby(ident_cols, dropna=False, sort=True).ngroup().to_numpy()
    raw["uid"] = [f"r{c:08d}" for c in codes]
    record_uid = raw["uid"].to_numpy()[raw_group]
    return record_uid, raw.drop_duplicates("uid").reset_index(drop=True)


def link_records(
    people: pd.DataFrame,
    records: pd.DataFrame,
    *,
    thresholds: Thresholds = Thresholds(),
    decisions: pd.DataFrame | None = None,
    seed: int = 1,
    extra_comparisons: tuple[str, ...] = (),
    keep_candidates: bool = False,
    threads: int | None = None,
) -> LinkResult:
    """Link each of `records` to at most one of `people`; see the module docstring.

    `people`: person_id (str), forename, surname, dob, sex, address_line_1, postcode and
    the strong identifiers. `records`: record_key (str, unique) and the same columns.
    `extra_comparisons`: further columns present in both frames to compare
    probabilistically (the benchmark uses this for FEBRL's social security number).
    `keep_candidates`: also return every (record, person) pair the blocking rules and
    identifiers produced, to measure pairs completeness. `threads`: DuckDB threads
    (default: all cores).
    """
    if records["record_key"].duplicated().any():
        raise ValueError("record_key must be unique")
    if people["person_id"].duplicated().any():
        raise ValueError("person_id must be unique")
    people = people.sort_values("person_id", kind="stable").reset_index(drop=True)
    records = records.sort_values("record_key", kind="stable").reset_index(drop=True)
    people = people.assign(person_id=people["person_id"].astype(str))
    records = records.assign(record_key=records["record_key"].astype(str))
    if records.empty:
        return LinkResult(_empty_links(), {}, {"records": 0, "people": len(people)})
    record_uid, identities = _identities(records, extra_comparisons)
    records = records.assign(uid=record_uid)
    people_f = features(people, extra_comparisons)
    people_f.insert(0, "uid", people["person_id"])
    rows: list[pd.DataFrame] = []

    # 0. Manual decisions.
    decided = pd.DataFrame(columns=["record_key", "person_id"])
    if decisions is not None and not decisions.empty:
        decided = decisions[decisions["record_key"].isin(records["record_key"])]
        decided = decided.drop_duplicates("record_key", keep="last")
        accepted = decided[decided["person_id"].notna()].astype({"person_id": str})
        rows.append(
            _link_rows(
                accepted, method="manual", band="link", explanation=[_MANUAL] * len(accepted)
            )
        )
    todo = records[~records["record_key"].isin(decided["record_key"])]

    # 1. Strong identifiers.
    matches = _identifier_matches(people, todo)
    per_record = matches.groupby("record_key")["person_id"].transform("nunique")
    conflicts = matches[per_record > 1]
    single = matches[per_record == 1]
    single = single.merge(_plausibility(single, identities, people_f), on="record_key")
    trusted = single[single["doubt"].isna()]
    doubted = single[single["doubt"].notna()]
    rows.append(_identifier_rows(trusted, band="link"))
    rows.append(
        _identifier_rows(
            conflicts, band="review", doubt="another identifier points to a different person"
        )
    )
    settled = set(trusted["record_key"]) | set(conflicts["record_key"])

    # 2. Probabilistic, once per distinct identity.
    rest = todo.loc[~todo["record_key"].isin(settled), ["record_key", "uid"]]
    scored, linker, _ = score_pairs(
        people_f,
        identities[identities["uid"].isin(rest["uid"])],
        extra=extra_comparisons,
        threshold=None if keep_candidates else thresholds.review,
        seed=seed,
        threads=threads,
    )
    chosen = _decide(scored.pairs, thresholds)
    expanded = rest.merge(chosen, left_on="uid", right_on="uid_r")
    rows.append(
        _link_rows(
            expanded,
            method="probabilistic",
            band=expanded["band"],
            explanation=expanded["explanation"],
            person_col="uid_l",
            weight=pd.to_numeric(expanded["match_weight"]).round(6),
            probability=pd.to_numeric(expanded["match_probability"]).round(6),
        )
    )
    # Doubted identifier matches: offered for review unless the model found a link.
    prob_linked = set(expanded.loc[expanded["band"] == "link", "record_key"])
    doubted = doubted[~doubted["record_key"].isin(prob_linked)]
    rows.append(_identifier_rows(doubted, band="review"))

    filled = [r.astype(object) for r in rows if not r.empty]
    links = _order(pd.concat(filled, ignore_index=True)) if filled else _empty_links()
    # Keep at most REVIEW_CANDIDATES review rows per record (identifier doubts join the list).
    rank = links[links["band"] == "review"].groupby("record_key").cumcount()
    links = links.drop(rank[rank >= REVIEW_CANDIDATES].index).reset_index(drop=True)

    # 3. Unknown people: records without a link, including those a reviewer rejected.
    linked_keys = set(links.loc[links["band"] == "link", "record_key"])
    unlinked = records.loc[~records["record_key"].isin(linked_keys), ["record_key", "uid"]]
    clusters = _clusters(unlinked, identities, linker, thresholds, threads, extra_comparisons)

    stats = {
        "records": len(records),
        "people": len(people),
        "linked": len(linked_keys),
        "review_records": int(links.loc[links["band"] == "review", "record_key"].nunique()),
        "links_by_method": {
            str(k): int(v)
            for k, v in links[links["band"] == "link"]["method"].value_counts().sort_index().items()
        },
        "identities": len(identities),
        "pairs_blocked": scored.candidates,  # None unless keep_candidates
        "unlinked_records": len(clusters),
        "unlinked_clusters": len(set(clusters.values())),
    }
    candidates = _candidate_pairs(scored.pairs, rest, matches) if keep_candidates else None
    parameters = None
    if linker is not None:
        parameters = parameters_of(linker)
        linker._db_api._con.close()  # free DuckDB's memory now, not when a worker exits
    return LinkResult(links, clusters, stats, candidates, parameters)


def _decide(pairs: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Per record identity: its link, or up to three candidates for review.

    Candidates compete: a record is at most one person, so the probability that the best
    candidate is the one is its odds over one plus the odds of all candidates. Its weight
    drops by log2(1 + rivals' odds) — shown as an "other candidates" line in the
    explanation — and a twin or a same-named parent at the same address cannot push a
    record over the link threshold unless the evidence singles one person out.

    A pair whose forename or date of birth flatly disagrees is never linked
    automatically, whatever its weight (`linkage_model.VETO`): it goes to review.
    """
    pairs = pairs[pairs["match_probability"] >= thresholds.review]
    pairs = pairs.sort_values(
        ["uid_r", "match_weight", "uid_l"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)
    by_record = pairs.groupby("uid_r")
    odds = np.exp2(pairs["match_weight"].clip(upper=200))
    rivals = by_record["match_weight"].transform("size") - 1
    rival_odds = odds.groupby(pairs["uid_r"]).transform("sum") - odds
    penalty = np.log2(1 + rival_odds)
    weight = pairs["match_weight"] - penalty
    probability = 1 / (1 + np.exp2(-weight))
    rank = by_record.cumcount()
    is_link = (
        (rank == 0) & (probability >= thresholds.link) & ~pairs["flat_disagreement"].astype(bool)
    )
    linked = set(pairs.loc[is_link, "uid_r"])
    keep = is_link | (~pairs["uid_r"].isin(linked) & (rank < REVIEW_CANDIDATES))
    explanation = [
        e
        if n == 0
        else [
            *e,
            {
                "comparison": "other candidates",
                "level": f"{n} other {'person' if n == 1 else 'people'} on the spine "
                "also resemble this record",
                "bayes_factor": round(float(2**-p), 8),
                "match_weight": round(float(-p), 3),
            },
        ]
        for e, n, p in zip(pairs["explanation"], rivals, penalty, strict=True)
    ]
    out = pairs.assign(
        match_weight=weight,
        match_probability=probability,
        band=np.where(is_link, "link", "review"),
        explanation=explanation,
    )
    return out[keep]


def _order(links: pd.DataFrame) -> pd.DataFrame:
    band_rank = links["band"].map({"link": 0, "review": 1})
    weight = pd.to_numeric(links["match_weight"], errors="coerce").fillna(float("inf"))
    order = pd.DataFrame(
        {"k": links["record_key"], "b": band_rank, "w": -weight, "p": links["person_id"]}
    ).sort_values(["k", "b", "w", "p"], kind="stable")
    return links.loc[order.index].reset_index(drop=True)[LINK_COLUMNS]


def _clusters(unlinked, identities, linker, thresholds, threads, extra) -> dict[str, str]:
    """record_key → cluster id for the unlinked records (see `LinkResult`)."""
    if unlinked.empty:
        return {}
    rows = identities[identities["uid"].isin(unlinked["uid"])]
    groups = cluster(linker, rows, threshold=thresholds.link, extra=extra, threads=threads)
    # Name each cluster after its smallest record key: stable and independent of uids.
    members = unlinked.assign(group=unlinked["uid"].map(groups))
    first_key = members.groupby("group")["record_key"].min()
    cluster_id = members["group"].map("U-" + first_key)
    return dict(zip(members["record_key"], cluster_id, strict=True))


def _candidate_pairs(scored_pairs, rest, matches) -> pd.DataFrame:
    """Every (record, person) pair the blocking rules or identifiers produce."""
    by_uid = scored_pairs[["uid_l", "uid_r"]]
    pairs = rest[["record_key", "uid"]].merge(by_uid, left_on="uid", right_on="uid_r")
    pairs = pairs.rename(columns={"uid_l": "person_id"})[["record_key", "person_id"]]
    return pd.concat([pairs, matches[["record_key", "person_id"]]]).drop_duplicates()


def evaluate_links(predicted_pairs, true_pairs, candidate_pairs=None) -> dict[str, float]:
    """Precision, recall and F1 of predicted (record, person) pairs against the truth.

    `pairs_completeness` is the share of true pairs among `candidate_pairs` (the pairs
    blocking let through); without them it is the share among the predictions (= recall).
    Pairs are any hashable 2-tuples.
    """
    predicted, truth = set(map(tuple, predicted_pairs)), set(map(tuple, true_pairs))
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    candidates = predicted if candidate_pairs is None else set(map(tuple, candidate_pairs))
    completeness = len(candidates & truth) / len(truth) if truth else 1.0
    return {
        "precision": round(precision, 6),
        "recall": round(recall, 6),
        "f1": round(f1, 6),
        "pairs_completeness": round(completeness, 6),
    }


def links_json(result: LinkResult) -> str:
    """The links as JSON (used by tests to check the output is serialisable and stable)."""
    frame = result.links.astype(object).where(result.links.notna(), None)
    return json.dumps(
        {"links": frame.to_dict(orient="records"), "clusters": result.unlinked_clusters},
        sort_keys=True,
    )
