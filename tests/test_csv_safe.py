"""Every CSV the system writes is safe to open in a spreadsheet."""

import csv
import io

import pytest

from tafcase import csv_safe


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://example.test","x")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "\rx",
    ],
)
def test_formula_cells_gain_a_leading_quote(cell):
    assert csv_safe.neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Ann", "", "a=b", "O'Neil", 5, None])
def test_other_cells_are_unchanged(cell):
    assert csv_safe.neutralise(cell) == cell


def test_neutralising_is_idempotent():
    once = csv_safe.neutralise("=1+1")
    assert csv_safe.neutralise(once) == once == "'=1+1"


def test_writer_neutralises_every_cell():
    out = io.StringIO()
    csv_safe.writer(out, lineterminator="\n").writerows([["=a", "b"], ["c", "@d"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'=a", "b"], ["c", "'@d"]]


def test_stored_csv_text_is_rewritten_safely_keeping_quoted_newlines():
    stored = 'a,b\r\n"=x","two\nlines"\r\n'
    assert csv_safe.neutralise_csv_text(stored) == 'a,b\r\n\'=x,"two\nlines"\r\n'


def test_a_whole_csv_as_text_neutralises_every_cell():
    assert csv_safe.text([["name", "note"], ["A", "=1+1"], ["B", None]]) == (
        "name,note\r\nA,'=1+1\r\nB,\r\n"
    )
