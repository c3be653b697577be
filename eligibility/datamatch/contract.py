"""The partner dataset import contract (`design/datasets.md`) as data.

Everything that validates, generates or links partner files reads the contract from
here, so a new column or vocabulary value is added in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ColumnType(StrEnum):
    TEXT = "text"
    IDENTIFIER = "identifier"  # compared after removing spaces and upper-casing
    POSTCODE = "postcode"  # any case and spacing; normalised to "AB1 2CD"
    DATE = "date"  # YYYY-MM-DD or DD/MM/YYYY; never after the as-of date
    INTEGER = "integer"  # non-negative
    VOCABULARY = "vocabulary"  # one of a listed set of values
    ACADEMIC_YEAR = "academic_year"  # "2025/26"


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = ColumnType.TEXT
    required: bool = False
    vocabulary: tuple[str, ...] = ()
    # Identifiers that must be in their format (tafcase.identity; check digits are not
    # asked of partners): the NHS number's 10 digits.
    strict_format: bool = False
    # The longest value the column stores (PartnerRecord); longer is a row error.
    max_length: int | None = None
    # Free text about who someone is (names, address): a value a spreadsheet would run as
    # a formula (tafcase.csv_safe.FORMULA_STARTS) is a row error, so it never loads as a name.
    no_formula: bool = False


def _vocab(name: str, *values: str) -> Column:
    return Column(name, ColumnType.VOCABULARY, vocabulary=values)


def _date(name: str) -> Column:
    return Column(name, ColumnType.DATE)


def _int(name: str) -> Column:
    return Column(name, ColumnType.INTEGER)


def _ident(name: str, max_length: int | None = None, *, strict_format: bool = False) -> Column:
    return Column(name, ColumnType.IDENTIFIER, strict_format=strict_format, max_length=max_length)


def _identity_text(name: str, max_length: int, *, required: bool = False) -> Column:
    return Column(name, required=required, max_length=max_length, no_formula=True)


#: Identifiers that decide a link when present (and equal) on both sides.
STRONG_IDENTIFIERS: tuple[str, ...] = ("upn", "nino", "nhs_number", "pnc_id", "la_person_id")

#: The identifiers as reviewers read them.
IDENTIFIER_NAMES: dict[str, str] = {
    "upn": "unique pupil number",
    "nino": "National Insurance number",
    "nhs_number": "NHS number",
    "pnc_id": "Police National Computer ID",
    "la_person_id": "council person ID",
}

IDENTITY_BLOCK: tuple[Column, ...] = (
    Column("record_id", ColumnType.IDENTIFIER, required=True, max_length=64),
    _identity_text("forename", 80, required=True),
    _identity_text("surname", 80, required=True),
    _date("dob"),
    _vocab("sex", "M", "F", "X"),
    _identity_text("address_line_1", 120),
    _identity_text("address_line_2", 120),
    _identity_text("town", 80),
    Column("postcode", ColumnType.POSTCODE, max_length=10),
    _ident("upn", 20),
    _ident("nino", 20),
    _ident("nhs_number", 20, strict_format=True),
    _ident("pnc_id", 30),
    _ident("la_person_id", 40),
)

#: Columns of each kind beyond the identity block.
KIND_COLUMNS: dict[str, tuple[Column, ...]] = {
    "persons": (
        _ident("household_id"),
        _vocab("relationship", "parent_carer", "child", "other_adult"),
    ),
    "school_attendance": (
        Column("academic_year", ColumnType.ACADEMIC_YEAR),
        _vocab("term", "autumn", "spring", "summer"),
        _int("sessions_possible"),
        _int("sessions_authorised_absent"),
        _int("sessions_unauthorised_absent"),
        _ident("school_urn"),
    ),
    "school_exclusions": (
        _vocab("exclusion_type", "suspension", "permanent"),
        _date("start_date"),
        _int("sessions"),
        _ident("school_urn"),
    ),
    "alternative_provision": (_date("start_date"), _date("end_date"), Column("reason")),
    "asb": (
        _date("incident_date"),
        Column("incident_type"),
        _vocab("role", "perpetrator", "victim", "witness"),
    ),
    "offending": (
        _date("offence_date"),
        _date("outcome_date"),
        Column("outcome"),
        _vocab("proven", "Y", "N"),
    ),
    "benefits": (
        _vocab(
            "benefit",
            "JSA",
            "ESA",
            "IS",
            "IB",
            "UC_SEARCHING",
            "UC_PREPARING",
            "UC_NO_WORK_REQ",
            "UC_WORKING",
            "OTHER",
        ),
        _date("start_date"),
        _date("end_date"),
    ),
    "employment": (_date("start_date"), _date("end_date"), _int("hours_per_week")),
    "domestic_abuse": (
        _date("incident_date"),
        _vocab("role", "victim", "perpetrator", "child_in_household"),
        _vocab("marac", "Y", "N"),
        _vocab("risk_level", "standard", "medium", "high"),
    ),
    "childrens_social_care": (
        _vocab("status", "CIN", "CP", "LAC", "EARLY_HELP"),
        _date("start_date"),
        _date("end_date"),
    ),
    "health": (
        _vocab(
            "need",
            "mental_health",
            "substance_misuse",
            "alcohol_misuse",
            "physical_health",
            "autism_adhd_ehcp",
        ),
        _date("recorded_date"),
    ),
    "housing": (
        _vocab(
            "event",
            "rent_arrears",
            "eviction_notice",
            "homeless_application",
            "temporary_accommodation",
        ),
        _date("event_date"),
    ),
    "early_years": (
        _vocab("event", "two_year_funding_eligible", "development_concern"),
        _date("event_date"),
    ),
    "neet": (_vocab("status", "NEET", "EET"), _date("start_date"), _date("end_date")),
}

KINDS: tuple[str, ...] = tuple(KIND_COLUMNS)

#: School attendance: these absences together may not exceed the possible sessions.
ABSENCE_COLUMNS: tuple[str, str] = ("sessions_authorised_absent", "sessions_unauthorised_absent")
POSSIBLE_SESSIONS_COLUMN = "sessions_possible"


def columns_for(kind: str) -> tuple[Column, ...]:
    """All columns of `kind`, identity block first. Raises KeyError for an unknown kind."""
    return IDENTITY_BLOCK + KIND_COLUMNS[kind]
