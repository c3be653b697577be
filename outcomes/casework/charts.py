"""Server-side SVG chart of distance travelled, for key workers and for families.

The chart is a plain SVG 1.1 string: no JavaScript, no external fonts or images, no CSS
beyond presentation attributes, so it renders the same inline in an HTML page, in an
``<img>``, and in WeasyPrint's PDF output.

Reading it must not depend on colour or on knowing the scale:

- one row per domain, using the family-facing label, one horizontal bar per occasion;
- every bar is labelled with its occasion and score in text ("R1: 3") and has its own
  pattern as well as its own colour (Okabe-Ito colour-blind-safe palette);
- the heading says in words that lower scores mean less need, and each row ends with the
  change in words ("Better by 2", "More need found (up 1)");
- ``role="img"``, ``aria-label``, ``<title>`` and a ``<desc>`` listing every score give
  screen-reader users the same information.

Text is at least 14 user units on an 800-unit-wide canvas, which is about 9.5pt when the
chart is printed across an A4 page.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from outcomes.casework.distance import Direction, DomainProgress, SubjectProgress
from outcomes.casework.domains import ScaleLevel, occasion_code, occasion_label

WIDTH = 800
MARGIN = 20
FONT = "'GDS Transport', Arial, Helvetica, sans-serif"
TEXT = "#0b0c0c"
SECONDARY = "#505a5f"
BAND = "#f3f2f1"
GRID = "#b1b4b6"

TITLE_SIZE = 22
BODY_SIZE = 16
SMALL_SIZE = 14
LINE = 20
SMALL_LINE = 18

LABEL_X = MARGIN
LABEL_WIDTH = 250
PLOT_X = 290
PLOT_WIDTH = 300
CHANGE_X = 660
CHANGE_WIDTH = WIDTH - MARGIN - CHANGE_X
BAR_HEIGHT = 16
BAR_GAP = 5
ROW_PAD = 8

# Okabe-Ito colours, each paired with a pattern and a mark colour that contrasts with it, so
# occasions stay distinct in greyscale print and for colour-blind readers. Baseline is grey
# with diagonal hatching: the neutral starting point.
_STYLES: tuple[tuple[str, str, str], ...] = (
    ("#bababa", "diagonal", TEXT),
    ("#0072b2", "solid", "#ffffff"),
    ("#e69f00", "dots", TEXT),
    ("#009e73", "horizontal", "#ffffff"),
    ("#cc79a7", "cross", TEXT),
    ("#56b4e9", "vertical", TEXT),
)

_PATTERN_MARKS = {
    "diagonal": '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{c}" stroke-width="1.5"/>',
    "solid": "",
    "dots": '<circle cx="4" cy="4" r="1.6" fill="{c}"/>',
    "horizontal": '<path d="M0,4 h8" stroke="{c}" stroke-width="1.5"/>',
    "cross": '<path d="M0,0 l8,8 M8,0 l-8,8" stroke="{c}" stroke-width="1.2"/>',
    "vertical": '<path d="M4,0 v8" stroke="{c}" stroke-width="1.5"/>',
}

_ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


def change_in_words(item: DomainProgress) -> str:
    """The change column's wording, e.g. ``"Better by 2"`` or ``"More need found (up 1)"``.

    A domain with a single score says ``"One score so far"``; with none, ``"Not scored yet"``.
    """
    change = item.change
    if item.direction is Direction.IMPROVED and change is not None:
        return f"Better by {-change}"
    if item.direction is Direction.NO_CHANGE:
        return "No change"
    if item.direction is Direction.WORSE and change is not None:
        return f"Worse by {change}"
    if item.direction is Direction.MORE_NEED_FOUND and change is not None:
        return f"More need found (up {change})"
    if item.baseline is not None:
        return "One score so far"
    return "Not scored yet"


def render_distance_chart(
    progress: SubjectProgress,
    scale: Sequence[ScaleLevel],
    *,
    title: str | None = None,
    id_prefix: str = "dt",
) -> str:
    """An accessible SVG chart of one subject's distance travelled (family, child or adult).

    ``scale`` is the domain set's scale (for the key and the axis). ``title`` defaults to
    "<name>: distance travelled". ``id_prefix`` keeps element ids unique when several charts
    share a page; it must start with a letter and use only letters, digits, ``-`` and ``_``.
    The output depends only on the arguments, so the same input gives byte-identical SVG.
    """
    if not _ID_PREFIX.match(id_prefix):
        raise ValueError(f"id_prefix {id_prefix!r} must be a letter then letters/digits/-/_.")
    if not scale:
        raise ValueError("The chart needs the scale the scores are on.")
    max_score = max(level.score for level in scale)
    unit = PLOT_WIDTH / max_score
    occasions = max(progress.occasions, 1)
    heading = title if title is not None else f"{progress.subject.name}: distance travelled"

    body: list[str] = []
    y = _heading(body, heading, scale, MARGIN)
    y = _legend(body, occasions, id_prefix, y)
    y = _column_headings(body, max_score, unit, y)
    plot_top = y
    rows, bars, y, any_flagged = _domain_rows(progress, occasions, unit, id_prefix, y)
    plot_bottom = y

    grid = [
        f'<line x1="{_n(PLOT_X + score * unit)}" y1="{_n(plot_top)}" '
        f'x2="{_n(PLOT_X + score * unit)}" y2="{_n(plot_bottom)}" stroke="{GRID}" '
        f'stroke-width="1" stroke-dasharray="4,3"/>'
        for score in range(1, max_score + 1)
    ]
    axis = (
        f'<line x1="{PLOT_X}" y1="{_n(plot_top)}" x2="{PLOT_X}" y2="{_n(plot_bottom)}" '
        f'stroke="{TEXT}" stroke-width="1.5"/>'
    )
    body.extend([*rows, *grid, axis, *bars])
    height = _footer(body, progress, any_flagged, y) + MARGIN

    title_id = f"{id_prefix}-title"
    desc_id = f"{id_prefix}-desc"
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{WIDTH}" '
            f'height="{_n(height)}" viewBox="0 0 {WIDTH} {_n(height)}" role="img" '
            f"aria-label={quoteattr(heading)} aria-describedby={quoteattr(desc_id)} "
            f'font-family="{FONT}">',
            f"<title id={quoteattr(title_id)}>{escape(heading)}</title>",
            f"<desc id={quoteattr(desc_id)}>{escape(_description(progress, scale))}</desc>",
            _defs(occasions, id_prefix),
            f'<rect x="0" y="0" width="{WIDTH}" height="{_n(height)}" fill="#ffffff"/>',
            *body,
            "</svg>",
            "",
        ]
    )


# Each part below appends its elements to `body` and returns the y where the next starts.


def _heading(body: list[str], heading: str, scale: Sequence[ScaleLevel], y: float) -> float:
    """The heading and the plain-words reading guide."""
    for line in _wrap(heading, WIDTH - 2 * MARGIN, TITLE_SIZE):
        y += TITLE_SIZE + 6
        body.append(_text(MARGIN, y, line, TITLE_SIZE, bold=True))
    y += 6
    guide = "Lower scores mean less need. Shorter bars are better."
    y += LINE
    body.append(_text(MARGIN, y, guide, BODY_SIZE, bold=True))
    key = "Scores: " + ", ".join(f"{level.score} {level.label}" for level in scale) + "."
    for line in _wrap(key, WIDTH - 2 * MARGIN, SMALL_SIZE):
        y += SMALL_LINE
        body.append(_text(MARGIN, y, line, SMALL_SIZE))
    return y


def _legend(body: list[str], occasions: int, id_prefix: str, y: float) -> float:
    """Swatch + "R1 = Review 1" for each occasion, wrapping onto more rows if needed."""
    y += 12
    item_width = 150
    per_row = (WIDTH - 2 * MARGIN) // item_width
    for index in range(occasions):
        column = index % per_row
        if column == 0 and index:
            y += 26
        x = MARGIN + column * item_width
        body.append(_bar(x, y, 28, BAR_HEIGHT, index, id_prefix))
        legend = f"{occasion_code(index)} = {occasion_label(index)}"
        body.append(_text(x + 34, y + 13, legend, SMALL_SIZE))
    return y + BAR_HEIGHT + 22


def _column_headings(body: list[str], max_score: int, unit: float, y: float) -> float:
    """Column headings and the score axis."""
    body.append(_text(LABEL_X, y + 14, "Area", SMALL_SIZE, bold=True))
    for score in range(1, max_score + 1):
        body.append(
            _text(PLOT_X + score * unit, y + 14, str(score), SMALL_SIZE, bold=True, anchor="middle")
        )
    for offset, line in enumerate(_wrap("Change since first score", CHANGE_WIDTH, SMALL_SIZE)):
        body.append(_text(CHANGE_X, y + 14 + offset * SMALL_LINE, line, SMALL_SIZE, bold=True))
    y += 20
    body.append(_text(PLOT_X, y + 14, "Less need", SMALL_SIZE, fill=SECONDARY))
    body.append(
        _text(PLOT_X + PLOT_WIDTH, y + 14, "More need", SMALL_SIZE, fill=SECONDARY, anchor="end")
    )
    return y + 24


def _domain_rows(
    progress: SubjectProgress, occasions: int, unit: float, id_prefix: str, y: float
) -> tuple[list[str], list[str], float, bool]:
    """Rows, with a heading whenever the domain group changes (Health, Learning).

    Returns the row elements, the bar elements (drawn over the grid), the y below the last
    row and whether any bar carries the "more need found" mark.
    """
    rows: list[str] = []
    bars: list[str] = []
    group = ""
    any_flagged = False
    for row, item in enumerate(progress.domains):
        if item.group and item.group != group:
            group = item.group
            rows.append(_text(LABEL_X, y + 20, group, BODY_SIZE, bold=True))
            y += 28
        group = item.group
        label_lines = _wrap(item.label, LABEL_WIDTH, BODY_SIZE)
        change_lines = _wrap(change_in_words(item), CHANGE_WIDTH, BODY_SIZE)
        # A domain never scored gets one line of text, not a "not scored" line per occasion.
        unscored = item.baseline is None
        bars_height = BAR_HEIGHT if unscored else occasions * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
        height = max(bars_height, len(label_lines) * LINE, len(change_lines) * LINE) + 2 * ROW_PAD
        if row % 2 == 0:
            rows.append(
                f'<rect x="{MARGIN - 6}" y="{_n(y)}" width="{WIDTH - 2 * MARGIN + 12}" '
                f'height="{_n(height)}" fill="{BAND}"/>'
            )
        for offset, line in enumerate(label_lines):
            rows.append(_text(LABEL_X, y + ROW_PAD + 15 + offset * LINE, line, BODY_SIZE))
        for offset, line in enumerate(change_lines):
            rows.append(
                _text(CHANGE_X, y + ROW_PAD + 15 + offset * LINE, line, BODY_SIZE, bold=True)
            )
        if unscored:
            bars.append(
                _text(
                    PLOT_X + 6,
                    y + ROW_PAD + 13,
                    "Not scored",
                    SMALL_SIZE,
                    fill=SECONDARY,
                    italic=True,
                )
            )
        else:
            any_flagged = _score_bars(bars, item, unit, id_prefix, y + ROW_PAD) or any_flagged
        y += height
    return rows, bars, y, any_flagged


def _score_bars(
    bars: list[str], item: DomainProgress, unit: float, id_prefix: str, bar_y: float
) -> bool:
    """One bar (or "not scored") per occasion for a scored domain; True if any is marked."""
    flagged = False
    previous: int | None = None
    for point in item.scores:
        code = occasion_code(point.occasion)
        if point.score is None:
            bars.append(
                _text(
                    PLOT_X + 6,
                    bar_y + 13,
                    f"{code}: not scored",
                    SMALL_SIZE,
                    fill=SECONDARY,
                    italic=True,
                )
            )
        else:
            width = point.score * unit
            bars.append(_bar(PLOT_X, bar_y, width, BAR_HEIGHT, point.occasion, id_prefix))
            # The footnote says the score went up, so only mark a flagged rise.
            rose = previous is not None and point.score > previous
            mark = " *" if point.more_need_found and rose else ""
            previous = point.score
            flagged = flagged or bool(mark)
            bars.append(
                _text(PLOT_X + width + 6, bar_y + 13, f"{code}: {point.score}{mark}", SMALL_SIZE)
            )
        bar_y += BAR_HEIGHT + BAR_GAP
    return flagged


def _footer(body: list[str], progress: SubjectProgress, any_flagged: bool, y: float) -> float:
    """The summary in words, and what the asterisk means."""
    y += 8
    for line in _wrap(_summary_sentence(progress), WIDTH - 2 * MARGIN, BODY_SIZE):
        y += LINE
        body.append(_text(MARGIN, y, line, BODY_SIZE))
    if any_flagged:
        note = "* The score went up because more need was found, not because things got worse."
        for line in _wrap(note, WIDTH - 2 * MARGIN, SMALL_SIZE):
            y += SMALL_LINE
            body.append(_text(MARGIN, y, line, SMALL_SIZE))
    return y


def _summary_sentence(progress: SubjectProgress) -> str:
    summary = progress.summary
    if not summary.measured:
        return "There are not enough scores yet to show any change."
    parts = [f"Better in {summary.improved} of {summary.domains} areas"]
    # Zero counts other than "better" are left out: short sentences read more easily.
    for count, words in (
        (summary.no_change, "no change in"),
        (summary.more_need_found, "more need found in"),
        (summary.worse, "worse in"),
        (summary.not_measured, "not enough scores yet in"),
    ):
        if count:
            parts.append(f"{words} {count}")
    return ", ".join(parts) + "."


def _description(progress: SubjectProgress, scale: Sequence[ScaleLevel]) -> str:
    """Everything the chart shows, as sentences for screen readers."""
    occasions = ", ".join(occasion_label(i) for i in range(max(progress.occasions, 1)))
    levels = ", ".join(f"{level.score} {level.label}" for level in scale)
    parts = [
        f"Need scores for {progress.subject.name} at {occasions}. "
        f"Scores: {levels}. Lower scores mean less need."
    ]
    for item in progress.domains:
        if item.baseline is None:
            parts.append(f"{item.label}: not scored yet.")
            continue
        scores = ", ".join(
            f"{point.label} {'not scored' if point.score is None else point.score}"
            + (" (more need found)" if point.more_need_found else "")
            for point in item.scores
        )
        parts.append(f"{item.label}: {scores}. {change_in_words(item)}.")
    parts.append(_summary_sentence(progress))
    return " ".join(parts)


def _defs(occasions: int, id_prefix: str) -> str:
    # Patterns carry only the marks, on a transparent tile: the colour is a plain fill
    # underneath. Tiling a coloured background shows hairline seams in some renderers
    # (WeasyPrint among them), which made the solid bars look hatched.
    patterns = []
    for index in range(occasions):
        _fill, kind, mark = _STYLES[index % len(_STYLES)]
        if kind == "solid":
            continue
        patterns.append(
            f'<pattern id="{id_prefix}-occ-{index}" patternUnits="userSpaceOnUse" '
            f'width="8" height="8">{_PATTERN_MARKS[kind].format(c=mark)}</pattern>'
        )
    return "<defs>" + "".join(patterns) + "</defs>"


def _bar(x: float, y: float, width: float, height: float, occasion: int, id_prefix: str) -> str:
    fill, kind, _mark = _STYLES[occasion % len(_STYLES)]
    box = f'x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}"'
    overlay = "none" if kind == "solid" else f"url(#{id_prefix}-occ-{occasion})"
    return (
        f'<rect {box} fill="{fill}"/>'
        f'<rect {box} fill="{overlay}" stroke="{TEXT}" stroke-width="1"/>'
    )


def _text(
    x: float,
    y: float,
    content: str,
    size: int,
    *,
    bold: bool = False,
    italic: bool = False,
    fill: str = TEXT,
    anchor: str = "start",
) -> str:
    attrs = f'x="{_n(x)}" y="{_n(y)}" font-size="{size}" fill="{fill}"'
    if bold:
        attrs += ' font-weight="bold"'
    if italic:
        attrs += ' font-style="italic"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    return f"<text {attrs}>{escape(content)}</text>"


def _wrap(content: str, width: float, size: int) -> list[str]:
    # Average glyph width in Arial-like fonts is about 0.5em; 0.53 leaves room for capitals.
    chars = max(int(width / (size * 0.53)), 8)
    return textwrap.wrap(content, chars, break_on_hyphens=False) or [""]


def _n(value: float) -> str:
    """A coordinate as short, stable text: whole numbers without a decimal point."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"
