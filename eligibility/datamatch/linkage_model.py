"""The probabilistic stage of the data-match: features, comparisons and Splink.

Fellegi–Sunter via Splink on an embedded DuckDB. Nothing here is hand-weighted: u
probabilities come from random sampling, m probabilities from expectation maximisation
over two training blocks, the prior from deterministic rules — on every run whose data
can support it, starting from the values the same procedure estimated on the synthetic
council (`data/linkage_parameters.json`), which a run too small to estimate from keeps.
What we do write by hand is *which* agreements are worth distinguishing — the UK-aware
levels below — and the blocking rules that decide which pairs are scored at all.

Deterministic: DuckDB draws the seeded u sample on one thread (`_DuckDB`); identities and
people are ordered before they reach Splink.

Pure: pandas in, pandas out; no Django.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import duckdb
import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.exceptions import SplinkException

from eligibility.datamatch.names import canonical_forename, normalise_name
from tafcase.identity import normalise_postcode

#: A UK postcode after `normalise_postcode`: outward code, space, inward code.
_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ([0-9])[A-Z]{2}$")
_SPACES = re.compile(r"\s+")

#: Identity columns compared in the probabilistic stage (beyond any extra columns).
FEATURE_COLUMNS = (
    "forename",
    "surname",
    "forename_canon",
    "surname_parts",
    "dob",
    "dob_transposed",
    "birth_year",
    "sex",
    "postcode",
    "pc_sector",
    "pc_district",
    "address",
    "forename_initial",
)

logger = logging.getLogger(__name__)

PEOPLE, RECORDS = "a_people", "b_records"  # Splink orders sources by name: people on the left


def _map_unique(series: pd.Series, fn) -> pd.Series:
    """Apply a Python function once per distinct value (names repeat a lot)."""
    values = series.dropna().unique()
    return series.map(dict(zip(values, map(fn, values), strict=True)))


def _text(series: pd.Series) -> pd.Series:
    """Strings with blanks as None (object dtype, so DuckDB sees VARCHAR NULLs)."""
    s = series.astype("object").where(series.notna(), None)
    s = s.map(lambda v: v.strip() or None if isinstance(v, str) else (None if v is None else v))
    return s.astype("object")


def _dob_strings(series: pd.Series) -> pd.Series:
    dates = pd.to_datetime(series, errors="coerce")
    out = dates.dt.strftime("%Y-%m-%d")
    return out.astype("object").where(dates.notna(), None)


def _postcode_parts(pc: str) -> tuple[str | None, str | None]:
    m = _UK_POSTCODE.match(pc)
    if not m:
        return None, None
    return f"{m[1]} {m[2]}", m[1]


def features(df: pd.DataFrame, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """The normalised columns the comparisons and blocking rules read.

    Names: upper-case ASCII (`names.normalise_name`), surnames with their parts joined by
    "-" so "Smith Jones" equals "SMITH-JONES"; the forename's formal form ("BILL" →
    "WILLIAM") in `forename_canon`. Dates as ISO strings plus the day/month transposed
    form when that is a different valid date. Postcodes normalised, with sector
    ("QA1 2") and district ("QA1") when the postcode has the UK shape.
    """
    out = pd.DataFrame(index=df.index)
    out["forename"] = _map_unique(_text(df["forename"]), normalise_name)
    surname = _map_unique(_text(df["surname"]), normalise_name)
    parts = _map_unique(surname, lambda s: tuple(p for p in re.split(r"[\s\-]+", s) if p))
    out["surname"] = parts.map(lambda p: "-".join(p) or None, na_action="ignore")
    out["surname_parts"] = parts.map(list, na_action="ignore")
    out["forename_canon"] = _map_unique(out["forename"], canonical_forename)
    out["forename_initial"] = _map_unique(out["forename"], lambda f: f[:1])
    dob = _dob_strings(df["dob"]) if "dob" in df else pd.Series(None, index=df.index)
    out["dob"] = dob.astype("object")
    dates = pd.to_datetime(out["dob"], errors="coerce")
    can_swap = dates.notna() & (dates.dt.day <= 12) & (dates.dt.day != dates.dt.month)
    swapped = dates.dt.strftime("%Y-%d-%m")  # day where the month goes, and vice versa
    out["dob_transposed"] = swapped.astype("object").where(can_swap, None)
    out["birth_year"] = _map_unique(out["dob"], lambda d: d[:4])
    sex = _text(df["sex"]) if "sex" in df else pd.Series(None, index=df.index, dtype=object)
    out["sex"] = _map_unique(sex, str.upper)
    postcode = _map_unique(_text(df["postcode"]), normalise_postcode)
    out["postcode"] = postcode
    pc_parts = _map_unique(postcode, _postcode_parts)
    out["pc_sector"] = pc_parts.map(lambda p: p[0], na_action="ignore")
    out["pc_district"] = pc_parts.map(lambda p: p[1], na_action="ignore")
    address = _text(df["address_line_1"]) if "address_line_1" in df else None
    out["address"] = (
        _map_unique(address, lambda a: _SPACES.sub(" ", a.upper()).strip() or None)
        if address is not None
        else None
    )
    for col in extra:
        out[col] = _map_unique(_text(df[col].astype("object")), lambda v: str(v).strip().upper())
    for col in out.columns:
        if col != "surname_parts":
            out[col] = out[col].astype("object").where(out[col].notna(), None)
    return out


# ----------------------------------------------------------------------------- comparisons


@dataclass(frozen=True)
class Level:
    sql: str  # SQL condition on the `_l` / `_r` columns; "NULL" for the null level
    label: str  # plain words, shown to reviewers


@dataclass(frozen=True)
class ComparisonSpec:
    name: str
    levels: tuple[Level, ...]  # null level first, else level last
    needs: tuple[str, ...]  # feature columns it reads

    def gamma_labels(self) -> dict[int, str]:
        """Splink's comparison vector value of each level → its label."""
        n = len(self.levels) - 1  # levels other than the null level
        labels = {-1: self.levels[0].label}
        for i, level in enumerate(self.levels[1:]):
            labels[n - 1 - i] = level.label
        return labels

    def splink(self) -> cl.CustomComparison:
        """The comparison for Splink, starting from the saved parameters where known."""
        saved = saved_parameters()["levels"].get(self.name, {})

        def start(level: Level) -> dict[str, float]:
            m, u = saved.get(level.label, (None, None))
            return {"m_probability": m, "u_probability": u} if m and u else {}

        levels = [
            cll.CustomLevel(self.levels[0].sql, self.levels[0].label).configure(is_null_level=True)
        ]
        levels += [
            cll.CustomLevel(lv.sql, lv.label).configure(**start(lv)) for lv in self.levels[1:-1]
        ]
        levels.append(
            cll.ElseLevel().configure(
                label_for_charts=self.levels[-1].label, **start(self.levels[-1])
            )
        )
        return cl.CustomComparison(
            comparison_levels=levels, output_column_name=self.name, comparison_description=self.name
        )


PARAMETERS_FILE = "data/linkage_parameters.json"


@cache
def saved_parameters() -> dict[str, Any]:
    """m and u per comparison level, estimated on the synthetic council (25,000 people).

    The starting point of every run, and what a run keeps when its data is too small to
    estimate from (a handful of people in a test or a new authority's first upload).
    Regenerate with `python -m eligibility.datamatch.bench_linkage --save-parameters`.
    """
    text = resources.files("eligibility.datamatch").joinpath(PARAMETERS_FILE).read_text()
    return json.loads(text)


def parameters_of(linker: Linker) -> dict[str, Any]:
    """The trained m and u of each level, by comparison and level label (for saving)."""
    levels: dict[str, dict[str, list[float]]] = {}
    for comparison in linker._settings_obj.comparisons:
        levels[comparison.output_column_name] = {
            level.label_for_charts: [level.m_probability, level.u_probability]
            for level in comparison.comparison_levels
            if not level.is_null_level
        }
    prior = linker._settings_obj._probability_two_random_records_match
    return {"prior": prior, "levels": levels}


def _jw(col: str, threshold: float) -> str:
    return f"jaro_winkler_similarity({col}_l, {col}_r) >= {threshold}"


def _dl(col: str, edits: int) -> str:
    return f"damerau_levenshtein({col}_l, {col}_r) <= {edits}"


def _null(*cols: str) -> str:
    return " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in cols)


def _name_comparison(col: str, other: str, label: str, variant: Level, variant_col: str):
    """A name compared exactly, swapped with the other name, as a variant, then by spelling."""
    return ComparisonSpec(
        col,
        (
            Level(_null(col), f"{label}: missing"),
            Level(f"{col}_l = {col}_r", f"{label}: exact match"),
            Level(
                f"jaro_winkler_similarity({col}_l, {other}_r) >= 0.9",
                f"{label}: matches the {other} (forename and surname swapped)",
            ),
            variant,
            Level(_jw(col, 0.92), f"{label}: very similar spelling"),
            Level(_jw(col, 0.80), f"{label}: similar spelling"),
            Level(_dl(col, 1), f"{label}: one letter different (short name)"),
            Level("", f"{label}: different"),
        ),
        (col, variant_col, other),
    )


COMPARISONS: tuple[ComparisonSpec, ...] = (
    _name_comparison(
        "forename",
        "surname",
        "forename",
        Level(
            "forename_canon_l = forename_canon_r",
            "forename: nickname or short form match (e.g. Bill and William)",
        ),
        "forename_canon",
    ),
    _name_comparison(
        "surname",
        "forename",
        "surname",
        Level(
            "list_has_any(surname_parts_l, surname_parts_r)",
            "surname: shares part of a hyphenated or double-barrelled surname",
        ),
        "surname_parts",
    ),
    ComparisonSpec(
        "dob",
        (
            Level(_null("dob"), "date of birth: missing"),
            Level("dob_l = dob_r", "date of birth: exact match"),
            Level(
                "dob_l = dob_transposed_r OR dob_transposed_l = dob_r",
                "date of birth: day and month transposed",
            ),
            Level("damerau_levenshtein(dob_l, dob_r) <= 1", "date of birth: one digit different"),
            Level("birth_year_l = birth_year_r", "date of birth: same year only"),
            Level(
                "abs(birth_year_l::INTEGER - birth_year_r::INTEGER) <= 5",
                "date of birth: within five years",
            ),
            Level("", "date of birth: more than five years apart"),
        ),
        ("dob", "dob_transposed", "birth_year"),
    ),
    ComparisonSpec(
        "sex",
        (
            Level(_null("sex"), "sex: missing"),
            Level("sex_l = sex_r", "sex: same"),
            Level("", "sex: different"),
        ),
        ("sex",),
    ),
    ComparisonSpec(
        "address",
        (
            Level(
                "(postcode_l IS NULL OR postcode_r IS NULL)"
                " AND (address_l IS NULL OR address_r IS NULL)",
                "address: missing",
            ),
            Level(
                "postcode_l = postcode_r AND address_l = address_r",
                "address: same first line and postcode",
            ),
            Level("postcode_l = postcode_r", "address: same postcode"),
            Level("address_l = address_r", "address: same first line, postcode differs or missing"),
            Level("pc_sector_l = pc_sector_r", "address: same postcode sector"),
            Level("pc_district_l = pc_district_r", "address: same postcode district"),
            Level("", "address: different"),
        ),
        ("postcode", "address"),
    ),
)


def extra_comparison(col: str, numeric: bool) -> ComparisonSpec:
    """An additional column compared exactly, then by closeness.

    Codes made of digits (an id typed by hand) within one or two edits; text (a place
    name) by Jaro-Winkler similarity, which DuckDB computes far faster than edits.
    """
    if numeric:
        close = (
            Level(_dl(col, 1), f"{col}: one character different"),
            Level(_dl(col, 2), f"{col}: two characters different"),
        )
    else:
        close = (
            Level(_jw(col, 0.92), f"{col}: very similar spelling"),
            Level(_jw(col, 0.80), f"{col}: similar spelling"),
        )
    return ComparisonSpec(
        col,
        (
            Level(_null(col), f"{col}: missing"),
            Level(f"{col}_l = {col}_r", f"{col}: exact match"),
            *close,
            Level("", f"{col}: different"),
        ),
        (col,),
    )


def _identifying(values: pd.Series) -> bool:
    """Mostly distinct values (an id-like column) are worth blocking on by themselves."""
    present = values.dropna()
    return len(present) > 0 and present.nunique() >= 0.5 * len(present)


def blocking_rules(extra: tuple[str, ...] = ()) -> list:
    """Candidate pairs are the union of these; each catches what the others miss.

    `extra`: further id-like columns, each a blocking rule of its own.
    """
    return [
        block_on("dob"),  # any name change, any move
        block_on("forename_canon", "surname"),  # dob missing, wrong or transposed
        "l.forename = r.surname AND l.surname = r.forename",  # names swapped
        block_on("postcode", "forename_initial"),  # surname changed and dob missing/wrong
        block_on("surname", "birth_year"),  # forename typo or nickname and dob typo
        "l.dob = r.dob_transposed",  # transposed dob with a name change
        block_on("forename_canon", "birth_year", "pc_district"),  # surname variant, dob typo
        block_on("address", "surname"),  # forename and dob both unreliable
        *(block_on(col) for col in extra),
    ]


def comparisons_for(people: pd.DataFrame, records: pd.DataFrame, extra: tuple[str, ...]):
    """The comparisons the data can support: a column empty on either side is left out."""
    numeric = {c: people[c].dropna().astype(str).str.isdigit().all() for c in extra}
    specs = [*COMPARISONS, *(extra_comparison(c, numeric[c]) for c in extra)]
    present = {
        c
        for c in people.columns
        if c in records.columns and people[c].notna().any() and records[c].notna().any()
    }
    return [
        s
        for s in specs
        if s.needs[0] in present
        and (s.name != "address" or "address" in present or "postcode" in present)
    ]


# ------------------------------------------------------------------------------- Splink run


@contextmanager
def _quiet_splink() -> Iterator[None]:
    logger = logging.getLogger("splink")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


SCORED_COLUMNS = [
    "uid_l",
    "uid_r",
    "match_weight",
    "match_probability",
    "explanation",
    "flat_disagreement",
]


@dataclass
class Scored:
    """Scored candidate pairs (people `uid_l`, records `uid_r`) and how they were scored."""

    pairs: pd.DataFrame  # uid_l, uid_r, match_weight, match_probability, explanation
    candidates: int | None  # pairs the blocking rules produced (known when all are kept)
    prior_weight: float


class _DuckDB(DuckDBAPI):
    """Splink's DuckDB backend, taking its seeded random sample on one thread.

    DuckDB repeats a seeded sample only when one thread draws it; everything else (the
    expensive comparisons) still runs on all threads.
    """

    def _execute_sql_against_backend(self, final_sql: str):
        if "USING SAMPLE" not in final_sql:
            return super()._execute_sql_against_backend(final_sql)
        threads = self._con.execute("SELECT current_setting('threads')").fetchone()[0]
        self._con.execute("SET threads = 1")
        try:
            return super()._execute_sql_against_backend(final_sql)
        finally:
            self._con.execute(f"SET threads = {int(threads)}")


def _db(threads: int | None) -> _DuckDB:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return _DuckDB(connection=con)


def score_pairs(
    people: pd.DataFrame,
    records: pd.DataFrame,
    *,
    extra: tuple[str, ...],
    threshold: float | None,
    seed: int,
    threads: int | None = None,
) -> tuple[Scored, Linker | None, list[ComparisonSpec]]:
    """Train a model on `people` × `records` (features with a `uid` column) and score.

    Returns the pairs at or above `threshold` (every blocked pair when None) with an
    explanation per pair.
    """
    specs = comparisons_for(people, records, extra)
    empty = Scored(pd.DataFrame(columns=SCORED_COLUMNS), 0, 0.0)
    if people.empty or records.empty or not specs:
        return empty, None, specs
    db_api = _db(threads)
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        # Each record is at most one of the people: 1/len(people) until estimated.
        probability_two_random_records_match=1 / max(2, len(people)),
        comparisons=[s.splink() for s in specs],
        blocking_rules_to_generate_predictions=blocking_rules(
            tuple(c for c in extra if _identifying(people[c]))
        ),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
    )
    with _quiet_splink():
        linker = Linker(
            [people, records],
            settings,
            db_api,
            set_up_basic_logging=False,
            input_table_aliases=[PEOPLE, RECORDS],
        )
        if len(people) * len(records) >= MIN_PAIRS_TO_TRAIN:
            train(linker, seed=seed)
        predictions = linker.inference.predict(threshold_match_probability=threshold)
        pairs = predictions.as_pandas_dataframe()
        candidates = len(pairs) if threshold is None else None
    prior = linker._settings_obj._probability_two_random_records_match
    prior_weight = math.log2(prior / (1 - prior))
    if pairs.empty:
        return Scored(empty.pairs, candidates, prior_weight), linker, specs
    if (pairs["source_dataset_l"] != PEOPLE).any():  # pragma: no cover - Splink's ordering
        raise AssertionError("Splink put records on the left")
    pairs["explanation"] = explanations(pairs, specs, prior_weight)
    lives_with_family = _lives_with_family(people)
    pairs["flat_disagreement"] = _flat_disagreement(pairs, specs) & pairs["uid_l"].map(
        lives_with_family
    ).fillna(False).astype(bool)
    return Scored(pairs[SCORED_COLUMNS], candidates, prior_weight), linker, specs


#: Below this many possible pairs the data cannot support estimation: keep the saved
#: parameters (`saved_parameters`) and the 1/len(people) prior.
MIN_PAIRS_TO_TRAIN = 100_000


def train(linker: Linker, *, seed: int) -> None:
    """Prior from deterministic rules, u by random sampling, m by EM on two blocks.

    A step the data cannot support (no pairs in a training block) keeps the values it
    started from.
    """
    steps = (
        lambda: linker.training.estimate_probability_two_random_records_match(
            [block_on("forename", "surname", "dob")], recall=0.8
        ),
        lambda: linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=seed),
        lambda: linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("dob"), estimate_without_term_frequencies=True
        ),
        lambda: linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("forename_canon", "surname"), estimate_without_term_frequencies=True
        ),
    )
    for step in steps:
        try:
            step()
        except (SplinkException, ValueError, ZeroDivisionError) as error:
            logger.info("linkage: training step skipped: %s", error)


#: Comparisons whose bottom level ("different") keeps a household pair out of linking.
#: Comparison → how many of its bottom levels count as flatly disagreeing.
VETO = {"forename": 1, "dob": 3}  # forename different; dob beyond a one-digit slip


def _flat_disagreement(pairs: pd.DataFrame, specs: list[ComparisonSpec]) -> pd.Series:
    """True where a same-household pair's forename or date of birth flatly disagrees.

    Twins, siblings and a parent and child of the same name share surname and address:
    the model's independence assumption adds those agreements up as if unrelated, and
    overrates the pair. When surname and address agree exactly, a flat disagreement on
    forename or date of birth (`VETO`) sends the pair to a person instead of linking it.
    """
    names = {s.name for s in specs}
    if not {"surname", "address"} <= names:
        return pd.Series(False, index=pairs.index)
    surname, address = specs_by_name(specs, "surname"), specs_by_name(specs, "address")
    household = (pairs["gamma_surname"] == len(surname.levels) - 2) & (
        pairs["gamma_address"] >= len(address.levels) - 3
    )
    flat = pd.Series(False, index=pairs.index)
    for spec in specs:
        if spec.name in VETO:
            gamma = pairs[f"gamma_{spec.name}"]
            flat |= (gamma >= 0) & (gamma < VETO[spec.name])
    return household & flat


def _lives_with_family(people: pd.DataFrame) -> pd.Series:
    """uid → whether another person on the spine lives at the same address.

    Any surname: a double-barrelled child lives with parents of either name.
    """
    keys = people[["address", "postcode"]].fillna("")
    shared = (keys["address"] != "") & keys.duplicated(keep=False)
    return pd.Series(shared.to_numpy(), index=people["uid"].to_numpy())


def specs_by_name(specs: list[ComparisonSpec], name: str) -> ComparisonSpec:
    return next(s for s in specs if s.name == name)


def explanations(pairs: pd.DataFrame, specs: list[ComparisonSpec], prior_weight: float) -> list:
    """Per pair, the level each comparison reached and what it contributed.

    Pairs with the same agreement pattern share one (immutable in practice) list, so a
    council-scale run holds one explanation per distinct pattern, not per record.
    """
    labels = {s.name: s.gamma_labels() for s in specs}
    gamma_cols = [f"gamma_{s.name}" for s in specs]
    bf_cols = [f"bf_{s.name}" for s in specs]
    prior = {
        "comparison": "prior",
        "level": "chance that two records picked at random are the same person",
        "bayes_factor": round(2**prior_weight, 8),
        "match_weight": round(prior_weight, 3),
    }
    cache: dict[tuple, list] = {}
    out = []
    for row in zip(*(pairs[c] for c in gamma_cols), *(pairs[c] for c in bf_cols), strict=True):
        key = row
        if key not in cache:
            items = [prior]
            for i, spec in enumerate(specs):
                bf = float(row[len(specs) + i])
                items.append(
                    {
                        "comparison": spec.name,
                        "level": labels[spec.name][int(row[i])],
                        "bayes_factor": round(bf, 4),
                        "match_weight": round(math.log2(bf), 3) if bf > 0 else None,
                    }
                )
            cache[key] = items
        out.append(cache[key])
    return out


def cluster(
    linker: Linker | None,
    rows: pd.DataFrame,
    *,
    threshold: float,
    extra: tuple[str, ...] = (),
    threads: int | None = None,
) -> dict[str, str]:
    """Group `rows` (features with `uid`) that the model says are one person.

    The model is the trained `linker`'s, or the saved parameters when there is none.
    Returns uid → the smallest uid of its group (deterministic).
    """
    groups = {u: u for u in rows["uid"]}
    specs = comparisons_for(rows, rows, extra)
    if len(rows) < 2 or not specs:
        return groups
    if linker is not None:
        model = linker.misc.save_model_to_json()
    else:
        model = SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name="uid",
            probability_two_random_records_match=1 / len(rows),
            comparisons=[s.splink() for s in specs],
            blocking_rules_to_generate_predictions=blocking_rules(),
        ).create_settings_dict(sql_dialect_str="duckdb")
    model["link_type"] = "dedupe_only"
    with _quiet_splink():
        deduper = Linker(rows, model, _db(threads), set_up_basic_logging=False)
        pairs = deduper.inference.predict(threshold_match_probability=threshold)
        edges = pairs.as_pandas_dataframe()[["uid_l", "uid_r"]]
        deduper._db_api._con.close()
    return connected_components(groups, edges.itertuples(index=False, name=None))


def connected_components(groups: dict[str, str], edges) -> dict[str, str]:
    """Union-find; every node ends labelled with the smallest id in its component."""
    parent = dict(groups)

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            parent[hi] = lo
    return {x: find(x) for x in parent}
