"""Name normalisation and the nickname / short-form table (`data/nicknames.csv`).

The table is small and synthetic; a council can extend the CSV without code changes.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from importlib import resources

_NOT_LETTERS = re.compile(r"[^A-Z \-]")
_SEPARATORS = re.compile(r"[\s\-]+")


@cache
def _table() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    canonical_of: dict[str, str] = {}
    variants: dict[str, list[str]] = {}
    text = resources.files("eligibility.datamatch").joinpath("data/nicknames.csv").read_text()
    for row in csv.DictReader(text.splitlines()):
        canonical, variant = row["canonical"].strip().upper(), row["variant"].strip().upper()
        # First listing wins for an ambiguous short form (ALEX, SAM): the comparison
        # also has Jaro-Winkler levels, so a wrong canonical costs little.
        canonical_of.setdefault(variant, canonical)
        canonical_of.setdefault(canonical, canonical)
        variants.setdefault(canonical, []).append(variant)
    return canonical_of, {k: tuple(v) for k, v in variants.items()}


def normalise_name(value: str | None) -> str | None:
    """Upper-case ASCII letters, single spaces/hyphens kept; None for blank.

    "  o'Connor " → "OCONNOR", "Smith - Jones" → "SMITH-JONES", "Zoë" → "ZOE".
    """
    if value is None:
        return None
    ascii_ = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    cleaned = _NOT_LETTERS.sub("", ascii_.upper())
    cleaned = re.sub(r"\s*-\s*", "-", " ".join(cleaned.split())).strip(" -")
    return cleaned or None


def canonical_forename(name: str | None) -> str | None:
    """The formal form of a (normalised) forename: "BILL" → "WILLIAM"; others unchanged."""
    if name is None:
        return None
    return _table()[0].get(name, name)


def nickname_variants(canonical: str) -> tuple[str, ...]:
    """Short forms of a formal (normalised) forename; empty when none are listed."""
    return _table()[1].get(canonical, ())


def name_parts(name: str | None) -> list[str]:
    """Parts of a double-barrelled or hyphenated name: "SMITH-JONES" → [SMITH, JONES]."""
    if not name:
        return []
    return [p for p in _SEPARATORS.split(name) if p]
