"""Validate one partner CSV against the import contract.

Pure: bytes (or a binary stream) in, a `ValidationResult` out; nothing is written
anywhere. The caller loads a file only when `result.ok` — a file is loaded whole or not
at all — and uses `result.sha256` to make re-uploading a byte-identical file a no-op.

Line numbers are physical lines of the file (the header is line 1), so a quoted field
with an embedded newline makes the next record start two lines further on, which is
what a person opening the file in an editor sees.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from eligibility.datamatch.contract import (
    ABSENCE_COLUMNS,
    POSSIBLE_SESSIONS_COLUMN,
    Column,
    ColumnType,
    columns_for,
)
from tafcase import csv_safe, identity

# csv's default limit (128 KiB) is far above any real field; keep it explicit.
csv.field_size_limit(1 << 20)

_ACADEMIC_YEAR = re.compile(r"(\d{4})/(\d{2})\Z")


@dataclass(frozen=True)
class RowError:
    line: int  # physical line where the record starts; the header is line 1
    column: str  # "" when the error is about the whole row or file
    reason: str


@dataclass
class ValidationResult:
    kind: str
    sha256: str
    rows: list[dict[str, Any]] = field(default_factory=list)  # valid rows, normalised
    row_lines: list[int] = field(default_factory=list)  # line of each entry in `rows`
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # as written in the file
    # Raw fields of every rejected record, by line, for `write_rejected_csv`.
    rejected: dict[int, list[str]] = field(default_factory=dict)
    row_count: int = 0  # data records seen, valid or not

    @property
    def ok(self) -> bool:
        """True when the whole file may be loaded."""
        return not self.errors


class _CellError(ValueError):
    pass


def _nhs_number(v: str) -> str:
    try:
        # The contract asks partners for the format, not the check digit.
        return identity.parse_nhs_number(v, check_digit=False)
    except identity.IdentityError as exc:
        raise _CellError(str(exc)) from None


def _identifier_parser(col: Column) -> Callable[[str], str]:
    if col.strict_format:
        return _nhs_number
    if col.name in identity.IDENTIFIER_PARSERS:
        return lambda v: identity.normalise_identifier(col.name, v)
    return identity.compact


def _date_parser(as_of: date, *, of_birth: bool) -> Callable[[str], date]:
    plausible = identity.check_date_of_birth if of_birth else identity.check_not_future

    def a_date(v: str) -> date:
        try:
            d = identity.parse_date(v)
        except identity.IdentityError:
            raise _CellError(f"{v!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)") from None
        if d > as_of:
            raise _CellError(f"{d.isoformat()} is after the as-of date {as_of.isoformat()}")
        try:
            return plausible(d, today=as_of)
        except identity.IdentityError as exc:
            raise _CellError(str(exc)) from None

    return a_date


def _within_length(parse: Callable[[str], Any], limit: int) -> Callable[[str], Any]:
    def within_length(v: str) -> Any:
        value = parse(v)
        if len(value) > limit:
            raise _CellError(f"is longer than {limit} characters")
        return value

    return within_length


def _no_formula(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    # A name like "=HYPERLINK(...)" is an attack on whoever opens an export of it in a
    # spreadsheet, never a real name; refuse it rather than load it.
    def no_formula(v: str) -> Any:
        if v.startswith(csv_safe.FORMULA_STARTS):
            raise _CellError("cannot start with =, +, -, @")
        return parse(v)

    return no_formula


def _integer(v: str) -> int:
    # isdigit() also refuses "-1", "+1", "1.0" and "1e3".
    if not (v.isascii() and v.isdigit()):
        raise _CellError(f"{v!r} is not a non-negative integer")
    return int(v)


def _vocabulary_parser(vocabulary: tuple[str, ...]) -> Callable[[str], str]:
    # Partner systems differ in case ("Autumn", "m"); the value is stored in the
    # contract's spelling so later stages compare like with like.
    canonical = {v.casefold(): v for v in vocabulary}
    allowed = ", ".join(vocabulary)

    def vocab(v: str) -> str:
        try:
            return canonical[v.casefold()]
        except KeyError:
            raise _CellError(f"{v!r} is not one of: {allowed}") from None

    return vocab


def _academic_year(v: str) -> str:
    m = _ACADEMIC_YEAR.match(v)
    if not m or (int(m[1]) + 1) % 100 != int(m[2]):
        raise _CellError(f"{v!r} is not an academic year like 2025/26")
    return v


def _parser_for(col: Column, as_of: date) -> Callable[[str], Any]:
    """A function turning a non-blank, stripped cell into its typed value or raising.

    Values are normalised by the identity rules every app uses (tafcase.identity), so a
    partner's identifier or postcode compares equal to the same one typed by a worker.
    """
    parse = _typed_parser_for(col, as_of)
    if col.no_formula:
        parse = _no_formula(parse)
    return parse if col.max_length is None else _within_length(parse, col.max_length)


def _typed_parser_for(col: Column, as_of: date) -> Callable[[str], Any]:
    if col.type is ColumnType.TEXT:
        return lambda v: v
    if col.type is ColumnType.IDENTIFIER:
        return _identifier_parser(col)
    if col.type is ColumnType.POSTCODE:
        # A partner's typo in a postcode must not stop the file loading: malformed ones
        # are tidied, not refused.
        return identity.normalise_postcode
    if col.type is ColumnType.DATE:
        return _date_parser(as_of, of_birth=col.name == "dob")
    if col.type is ColumnType.INTEGER:
        return _integer
    if col.type is ColumnType.VOCABULARY:
        return _vocabulary_parser(col.vocabulary)
    if col.type is ColumnType.ACADEMIC_YEAR:
        return _academic_year
    raise AssertionError(col.type)  # pragma: no cover - every type is handled above


def _records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Yield (starting physical line, fields) for each non-blank record."""
    line = reader.line_num + 1
    for fields in reader:
        if fields and not (len(fields) == 1 and fields[0] == ""):
            yield line, fields
        line = reader.line_num + 1


class _HashingReader(io.RawIOBase):
    """Wrap a binary stream, hashing bytes as they are read (one pass over the file)."""

    def __init__(self, stream: IO[bytes]):
        self._stream = stream
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        self.digest.update(data)
        n = len(data)
        buffer[:n] = data
        return n


def validate_stream(
    stream: IO[bytes],
    kind: str,
    as_of: date,
    sink: Callable[[int, dict[str, Any]], None] | None = None,
) -> ValidationResult:
    """Validate a CSV read from a binary stream; see `validate_csv`.

    Reads the stream once, in buffered chunks; memory grows with the valid rows kept,
    not with the raw file. With a `sink`, each valid row is handed to it as
    ``sink(line, row)`` instead of being kept, so a loader can stream a large file.
    """
    columns = {c.name: c for c in columns_for(kind)}  # KeyError: unknown kind
    hashing = _HashingReader(stream)
    # utf-8-sig drops one leading BOM; newline="" lets csv see quoted newlines.
    text = io.TextIOWrapper(io.BufferedReader(hashing, 1 << 16), encoding="utf-8-sig", newline="")
    result = ValidationResult(kind=kind, sha256="")
    reader = csv.reader(text, strict=True)
    try:
        _validate_records(reader, columns, as_of, result, sink)
    except UnicodeDecodeError:
        result.errors.append(RowError(reader.line_num + 1, "", "file is not valid UTF-8"))
    except csv.Error as exc:
        result.errors.append(RowError(reader.line_num, "", f"malformed CSV: {exc}"))
    # Drain what the CSV reader did not consume so the hash covers every byte.
    while hashing.read(1 << 16):
        pass
    result.sha256 = hashing.digest.hexdigest()
    return result


def validate_csv(data: bytes, kind: str, as_of: date) -> ValidationResult:
    """Validate `data` as a CSV of dataset `kind` extracted on `as_of`.

    Contract (`design/datasets.md`): UTF-8 with optional BOM, RFC 4180, header first;
    column names case-insensitive and in any order; unknown columns ignored with a
    warning; required columns must be present and non-blank; dates YYYY-MM-DD or
    DD/MM/YYYY and not after `as_of`; integers non-negative; vocabularies closed;
    `record_id` unique in the file; absences never exceed possible sessions.

    Returns normalised rows (typed values; blanks as None; identifiers without spaces
    and upper-cased; postcodes "AB1 2CD") for valid records, and a `RowError` per problem.
    """
    result = validate_stream(io.BytesIO(data), kind, as_of)
    # Hash the bytes as given, independent of how far the parser read.
    result.sha256 = hashlib.sha256(data).hexdigest()
    return result


def _plan_columns(
    header: list[str], columns: dict[str, Column], as_of: date, result: ValidationResult
) -> tuple[list[tuple[int, str, Callable[[str], Any]]], set[str]]:
    """(index in row, column name, parser) for every known column in the file, and the
    names seen; header problems go on `result`."""
    names = [h.strip().casefold() for h in header]
    plan: list[tuple[int, str, Callable[[str], Any]]] = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            result.errors.append(RowError(1, header[i], "column appears more than once"))
            continue
        seen.add(name)
        if name in columns:
            plan.append((i, name, _parser_for(columns[name], as_of)))
        else:
            result.warnings.append(f"unknown column {header[i]!r} ignored")
    for col in columns.values():
        if col.required and col.name not in seen:
            result.errors.append(RowError(1, col.name, "required column is missing"))
    return plan, seen


def _parse_row(
    line: int,
    fields: list[str],
    plan: list[tuple[int, str, Callable[[str], Any]]],
    required: list[str],
) -> tuple[dict[str, Any], list[RowError]]:
    """One record's typed values by column name, and its cell-level errors."""
    row: dict[str, Any] = {}
    row_errors: list[RowError] = []
    for i, name, parse in plan:
        value = fields[i].strip()
        if not value:
            row[name] = None  # blank means unknown
            continue
        try:
            row[name] = parse(value)
        except _CellError as exc:
            row_errors.append(RowError(line, name, str(exc)))
    for name in required:
        if row.get(name) is None and not any(e.column == name for e in row_errors):
            row_errors.append(RowError(line, name, "is required"))
    return row, row_errors


def _absence_error(line: int, row: dict[str, Any]) -> RowError | None:
    possible = row.get(POSSIBLE_SESSIONS_COLUMN)
    absent = sum(row.get(c) or 0 for c in ABSENCE_COLUMNS)
    if possible is not None and absent > possible:
        return RowError(
            line,
            POSSIBLE_SESSIONS_COLUMN,
            f"authorised + unauthorised absences ({absent}) exceed possible sessions ({possible})",
        )
    return None


def _validate_records(
    reader: Any,
    columns: dict[str, Column],
    as_of: date,
    result: ValidationResult,
    sink: Callable[[int, dict[str, Any]], None] | None = None,
) -> None:
    try:
        header = next(reader)
    except StopIteration:
        result.errors.append(RowError(1, "", "file is empty; expected a header row"))
        return
    result.header = header
    plan, seen = _plan_columns(header, columns, as_of, result)
    if result.errors:
        return

    required = [n for _, n, _ in plan if columns[n].required]
    check_absences = POSSIBLE_SESSIONS_COLUMN in seen
    width = len(header)
    record_ids: dict[str, int] = {}
    rows, row_lines, errors, rejected = (
        result.rows,
        result.row_lines,
        result.errors,
        result.rejected,
    )

    for line, fields in _records(reader):
        result.row_count += 1
        if len(fields) != width:
            errors.append(RowError(line, "", f"has {len(fields)} fields; the header has {width}"))
            rejected[line] = fields
            continue
        row, row_errors = _parse_row(line, fields, plan, required)
        record_id = row.get("record_id")
        if record_id is not None:
            first = record_ids.setdefault(record_id, line)
            if first != line:
                row_errors.append(
                    RowError(line, "record_id", f"{record_id!r} already used on line {first}")
                )
        # Checked even when other cells are wrong, so the partner sees every problem of
        # the row at once (a cell that failed to parse counts as unknown here).
        if check_absences:
            absence_error = _absence_error(line, row)
            if absence_error:
                row_errors.append(absence_error)
        if row_errors:
            errors.extend(row_errors)
            rejected[line] = fields
        elif sink is not None:
            sink(line, row)
        else:
            rows.append(row)
            row_lines.append(line)


def errors_of_first_rows(errors: list[Any], rows: int) -> list[Any]:
    """Every error of the first `rows` lines that have errors, in order, so a row's
    problems are kept or shown together, never cut part-way. Errors are `RowError`s or
    the [line, column, reason] lists stored on an import."""
    lines: set[int] = set()
    kept = []
    for error in errors:
        line = error.line if isinstance(error, RowError) else error[0]
        if line not in lines:
            if len(lines) == rows:
                break
            lines.add(line)
        kept.append(error)
    return kept


def write_rejected_csv(result: ValidationResult, out: IO[str]) -> int:
    """Write each rejected record as the partner sent it, plus an `error` column.

    The `error` column gives the line and every problem of that record
    ("line 7: dob: ...; sex: ...") so the partner can fix and resend. Cells a spreadsheet
    would run as formulas are neutralised (tafcase.csv_safe). Returns the number of
    records written.
    """
    reasons: dict[int, list[str]] = {}
    for e in result.errors:
        reasons.setdefault(e.line, []).append(f"{e.column}: {e.reason}" if e.column else e.reason)
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow([*result.header, "error"])
    for line in sorted(result.rejected):
        problems = "; ".join(reasons.get(line, []))
        writer.writerow([*result.rejected[line], f"line {line}: {problems}"])
    return len(result.rejected)


__all__ = [
    "RowError",
    "ValidationResult",
    "errors_of_first_rows",
    "validate_csv",
    "validate_stream",
    "write_rejected_csv",
]
