"""CSV for spreadsheets, safe from formula injection.

A spreadsheet treats a cell starting with =, +, - or @ (and, in some, a leading tab or
carriage return) as a formula, so a value sent by a partner such as
``=HYPERLINK("http://…","click")`` or ``+cmd|' /C calc'!A0`` would run in the analyst's
spreadsheet. Following the OWASP CSV-injection guidance, such a cell is written with a
leading single quote, which spreadsheets show as text. Every CSV the system writes goes
through `writer` (or `neutralise` for a single value).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO, Any

#: A cell starting with one of these is read as a formula by some spreadsheet.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """`value` unchanged unless it is text a spreadsheet would run as a formula, which
    gains a leading single quote. Idempotent: a neutralised cell starts with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """A `csv.writer` whose cells are neutralised before they are written."""

    def __init__(self, out: IO[str], **kwargs: Any):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: IO[str], **kwargs: Any) -> SafeWriter:
    """Like `csv.writer(out, **kwargs)`, neutralising every cell."""
    return SafeWriter(out, **kwargs)


def text(rows: Iterable[Iterable[Any]], *, lineterminator: str = "\r\n") -> str:
    """A whole CSV (its header first among `rows`) as text, every cell neutralised."""
    out = io.StringIO()
    writer(out, lineterminator=lineterminator).writerows(rows)
    return out.getvalue()


def neutralise_csv_text(csv_text: str, *, lineterminator: str = "\r\n") -> str:
    """`csv_text` (a whole CSV) rewritten with every cell neutralised: for CSV stored
    before it was written safely."""
    return text(csv.reader(io.StringIO(csv_text, newline="")), lineterminator=lineterminator)
