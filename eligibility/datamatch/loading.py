"""Load a partner file: validate while streaming valid rows into a staging table with
Postgres COPY, then copy them into partner records in one statement.

A file with errors loads nothing (unless the analyst asks for its valid rows only); a
byte-identical file already loaded changes nothing. Everything happens in one
transaction, so nothing is ever half-written.
"""

import io
import json
import time
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.db import connection, transaction

from eligibility.datamatch import selectors
from eligibility.datamatch.contract import IDENTITY_BLOCK
from eligibility.datamatch.models import PartnerImport
from eligibility.datamatch.validate import (
    RowError,
    errors_of_first_rows,
    validate_stream,
    write_rejected_csv,
)
from eligibility.rules.dates import Term
from tafcase import csv_safe
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record

# The column holding each kind's own date, as the rulebook reads it (rules.Record.date).
DATE_COLUMN = {
    "asb": "incident_date",
    "domestic_abuse": "incident_date",
    "offending": "outcome_date",
    "health": "recorded_date",
    "housing": "event_date",
    "early_years": "event_date",
    "school_exclusions": "start_date",
    "alternative_provision": "start_date",
    "benefits": "start_date",
    "employment": "start_date",
    "childrens_social_care": "start_date",
    "neet": "start_date",
}
IDENTITY = [c.name for c in IDENTITY_BLOCK]
STAGING_COLUMNS = ["line", *IDENTITY, "event_date", "end_date", "attributes"]
# Rows whose errors are kept on an import (every error of each row kept).
MAX_ERROR_ROWS_KEPT = 1000
# A file with fewer rows than this share of the file it replaces (or with no rows at all)
# is held until the uploader confirms it. A truncated or header-only export is far more
# likely than a partner's caseload halving in a quarter, and it would otherwise silently
# replace the whole dataset for every later run (2 rows once replaced 4,506).
SMALLER_FILE_RATIO = 0.5
# Every name below is a constant of the contract; no input reaches the SQL text.
_COLUMNS = ", ".join(STAGING_COLUMNS)
STAGING_DDL = (
    "CREATE TEMP TABLE partner_staging (line integer, "
    + ", ".join(f"{n} text" for n in IDENTITY if n != "dob")
    + ", dob date, event_date date, end_date date, attributes jsonb) ON COMMIT DROP"
)
COPY_SQL = f"COPY partner_staging ({_COLUMNS}) FROM STDIN"
INSERT_SQL = (
    "INSERT INTO datamatch_partnerrecord "  # noqa: S608
    f"(partner_import_id, local_authority_id, kind, agency_id, {_COLUMNS}) "
    f"SELECT %s, %s, %s, %s, {_COLUMNS} FROM partner_staging ORDER BY line"
)


class ImportRejected(Exception):
    """The file broke the contract; nothing was loaded."""

    def __init__(self, errors: list[RowError], rows: int):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors
        self.rows = rows


class ImportNeedsConfirmation(Exception):
    """The file is valid but much smaller than the one in force (or empty); nothing was
    loaded. Load it with `confirm_smaller=True` if that is really meant."""

    def __init__(self, *, rows: int, previous: PartnerImport | None):
        self.rows = rows
        self.previous = previous
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.previous is None:
            return "The file has no rows. Confirm that you mean to load an empty dataset."
        rows = "no rows" if self.rows == 0 else f"{self.rows} row" + "s" * (self.rows != 1)
        return (
            f"The file has {rows} to load, much fewer than the {self.previous.loaded_rows} "
            f"of the file it would replace ({self.previous}). Confirm that you mean to "
            "replace it."
        )


def _needs_confirmation(*, rows: int, previous: PartnerImport | None) -> bool:
    if rows == 0:
        return True
    return previous is not None and rows < SMALLER_FILE_RATIO * previous.loaded_rows


@dataclass
class ImportOutcome:
    partner_import: PartnerImport
    duplicate: bool
    warnings: list[str] = field(default_factory=list)


def _event_date(kind: str, row: dict[str, Any]) -> date | None:
    if kind == "school_attendance":
        if row.get("academic_year") and row.get("term"):
            return Term.of(row["academic_year"], row["term"]).end
        return None
    column = DATE_COLUMN.get(kind)
    return row.get(column) if column else None


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def staging_row(kind: str, line: int, row: dict[str, Any]) -> tuple:
    """The staging table's columns for one valid, normalised row."""
    attributes = {k: _json(v) for k, v in row.items() if k not in IDENTITY and v is not None}
    return (
        line,
        *(row.get(n) or ("" if n != "dob" else None) for n in IDENTITY),
        _event_date(kind, row),
        row.get("end_date"),
        json.dumps(attributes),
    )


@transaction.atomic
def partner_file_import(
    *,
    actor,
    local_authority,
    kind: str,
    agency,
    as_of: date,
    stream: IO[bytes],
    filename: str,
    valid_rows_only: bool = False,
    confirm_smaller: bool = False,
) -> ImportOutcome:
    """Validate and load one partner file. Raises ImportRejected (nothing written) when
    the file has errors and `valid_rows_only` is False, or when no row is valid; raises
    ImportNeedsConfirmation (nothing written) when the file has no rows, or fewer than
    SMALLER_FILE_RATIO of the rows of the file in force it would replace, unless
    `confirm_smaller`."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(STAGING_DDL)
        with cursor.copy(COPY_SQL) as copy:
            result = validate_stream(
                stream,
                kind,
                as_of,
                sink=lambda line, row: copy.write_row(staging_row(kind, line, row)),
            )
        valid = result.row_count - len(result.rejected)
        if result.errors and (not valid_rows_only or valid == 0 or result.row_count == 0):
            raise ImportRejected(result.errors, result.row_count)
        existing = PartnerImport.objects.filter(
            local_authority=local_authority, kind=kind, agency=agency, sha256=result.sha256
        ).first()
        if existing:
            cursor.execute("DROP TABLE partner_staging")
            return ImportOutcome(existing, duplicate=True, warnings=result.warnings)
        if not confirm_smaller:
            previous = selectors.import_in_force(
                local_authority, kind=kind, agency_id=agency.pk, as_of=as_of
            )
            if _needs_confirmation(rows=valid, previous=previous):
                # Leaving the atomic block by an exception rolls the staging rows back.
                raise ImportNeedsConfirmation(rows=valid, previous=previous)
        rejected = io.StringIO()
        if result.rejected:
            write_rejected_csv(result, rejected)
        partner_import = PartnerImport.objects.create(
            local_authority=local_authority,
            kind=kind,
            agency=agency,
            as_of=as_of,
            filename=filename[:255],
            sha256=result.sha256,
            rows=result.row_count,
            loaded_rows=valid,
            rejected_rows=len(result.rejected),
            errors=[
                [e.line, e.column, e.reason]
                for e in errors_of_first_rows(result.errors, MAX_ERROR_ROWS_KEPT)
            ],
            warnings=result.warnings,
            rejected_csv=rejected.getvalue(),
            uploaded_by=actor,
        )
        cursor.execute(INSERT_SQL, [partner_import.pk, local_authority.pk, kind, agency.pk])
        cursor.execute("DROP TABLE partner_staging")
    partner_import.load_seconds = round(time.perf_counter() - started, 3)
    partner_import.save(update_fields=["load_seconds"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=partner_import,
        summary=f"Loaded {valid} {kind} rows from {agency}"
        + (f"; {len(result.rejected)} rejected" if result.rejected else ""),
    )
    return ImportOutcome(partner_import, duplicate=False, warnings=result.warnings)


def errors_csv(errors: list[RowError]) -> str:
    """Row-numbered errors as CSV, for the command line and downloads (cells neutralised:
    a reason may quote the partner's value)."""
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\n")
    writer.writerow(["line", "column", "reason"])
    writer.writerows([e.line, e.column, e.reason] for e in errors)
    return out.getvalue()
