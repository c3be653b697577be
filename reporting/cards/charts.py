"""Turn-the-curve charts as server-side SVG (reporting.md §1): the measure's history of
actuals, the forecast if nothing changes, and the target.

Like the distance-travelled chart (outcomes.casework.charts) it is plain SVG with
presentation attributes only, so it renders the same in a page and in WeasyPrint's PDF.
Reading it never depends on colour: actuals are a solid line with filled dots, the
forecast a dashed line with open dots, the target a dotted line, each named in the key
and labelled on the chart; the trend is coloured by polarity (blue getting better, red
getting worse) and said in words in the heading. `role="img"` with a title and a
description listing every figure; the page also gives the same figures as a table.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from reporting.rules import Unit, shown

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 20, 44, 70
FONT = "Arial, Helvetica, sans-serif"
TEXT, SECONDARY, GRID = "#0b0c0c", "#505a5f", "#b1b4b6"
BETTER, WORSE, NEUTRAL = "#1d70b8", "#d4351c", "#0b0c0c"


@dataclass(frozen=True)
class Curve:
    title: str
    unit: Unit
    labels: Sequence[str]  # one per period of history, oldest first
    actual: Sequence[float | None]
    forecast_labels: Sequence[str]
    forecast: Sequence[float]
    target: float | None
    # The latest trend read with the measure's polarity (None: no judgement, as for a
    # count of work done, or no trend yet), and in words as the scorecard says it.
    improving: bool | None
    trend: str


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(
    x: float,
    y: float,
    words: str,
    *,
    size: int = 12,
    anchor: str = "middle",
    fill: str = TEXT,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-family="{FONT}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">{escape(words)}</text>'
    )


def _figure(value: float, unit: Unit) -> str:
    return shown(value, unit, suppress=False)


def nice_step(top: float) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) so that four steps reach `top`."""
    if top <= 0:
        return 1.0
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


@dataclass(frozen=True)
class _Plot:
    points: int
    step: float

    @property
    def top_value(self) -> float:
        return self.step * 4

    @property
    def width(self) -> float:
        return WIDTH - LEFT - RIGHT

    @property
    def height(self) -> float:
        return HEIGHT - TOP - BOTTOM

    def x(self, i: int) -> float:
        return LEFT + self.width * (i + 0.5) / max(self.points, 1)

    def y(self, value: float) -> float:
        return TOP + self.height - self.height * value / self.top_value


def _grid(plot: _Plot, curve: Curve) -> list[str]:
    body = []
    for k in range(5):
        value = plot.step * k
        gy = _n(plot.y(value))
        body.append(
            f'<line x1="{LEFT}" y1="{gy}" x2="{WIDTH - RIGHT}" y2="{gy}" stroke="{GRID}" '
            'stroke-width="1"/>'
        )
        body.append(
            _text(
                LEFT - 6,
                plot.y(value) + 4,
                _figure(value, curve.unit),
                size=11,
                anchor="end",
                fill=SECONDARY,
            )
        )
    # Every other quarter (or fewer) is labelled, counted back from the latest actual so
    # that it always has its label and no two labels touch.
    every = max(1, -(-plot.points // 8))
    latest = len(curve.labels) - 1
    for i, label in enumerate([*curve.labels, *curve.forecast_labels]):
        if (latest - i) % every == 0:
            body.append(_text(plot.x(i), TOP + plot.height + 16, label, size=11, fill=SECONDARY))
    return body


def _target(plot: _Plot, curve: Curve) -> list[str]:
    if curve.target is None:
        return []
    ty = plot.y(curve.target)
    return [
        f'<line x1="{LEFT}" y1="{_n(ty)}" x2="{WIDTH - RIGHT}" y2="{_n(ty)}" stroke="{TEXT}" '
        'stroke-width="2" stroke-dasharray="2 4"/>',
        _text(
            WIDTH - RIGHT,
            ty - 6,
            f"Target {_figure(curve.target, curve.unit)}",
            size=11,
            anchor="end",
        ),
    ]


def _lines(plot: _Plot, curve: Curve, colour: str) -> list[str]:
    body = []
    actual = [(plot.x(i), plot.y(v)) for i, v in enumerate(curve.actual) if v is not None]
    if len(actual) > 1:
        path = " ".join(f"{_n(px)},{_n(py)}" for px, py in actual)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"/>')
    body += [f'<circle cx="{_n(px)}" cy="{_n(py)}" r="4" fill="{colour}"/>' for px, py in actual]
    last = curve.actual[-1] if curve.actual else None
    if actual and last is not None:
        body.append(
            _text(
                actual[-1][0], actual[-1][1] - 10, _figure(last, curve.unit), size=12, weight="bold"
            )
        )
    if curve.forecast and actual:
        start = len(curve.labels)
        ahead = [(plot.x(start + k), plot.y(v)) for k, v in enumerate(curve.forecast)]
        path = " ".join(f"{_n(px)},{_n(py)}" for px, py in [actual[-1], *ahead])
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{SECONDARY}" stroke-width="2" '
            'stroke-dasharray="8 5"/>'
        )
        body += [
            f'<circle cx="{_n(px)}" cy="{_n(py)}" r="4" fill="#ffffff" stroke="{SECONDARY}" '
            'stroke-width="2"/>'
            for px, py in ahead
        ]
    return body


def _key(curve: Curve, colour: str) -> list[str]:
    ky = HEIGHT - 22
    body = [
        f'<line x1="{LEFT}" y1="{ky}" x2="{LEFT + 30}" y2="{ky}" stroke="{colour}" '
        'stroke-width="3"/>',
        _text(LEFT + 36, ky + 4, "Actual", size=12, anchor="start"),
        f'<line x1="{LEFT + 110}" y1="{ky}" x2="{LEFT + 140}" y2="{ky}" stroke="{SECONDARY}" '
        'stroke-width="2" stroke-dasharray="8 5"/>',
        _text(LEFT + 146, ky + 4, "Forecast if nothing changes", size=12, anchor="start"),
    ]
    if curve.target is not None:
        body += [
            f'<line x1="{LEFT + 340}" y1="{ky}" x2="{LEFT + 370}" y2="{ky}" stroke="{TEXT}" '
            'stroke-width="2" stroke-dasharray="2 4"/>',
            _text(LEFT + 376, ky + 4, "Target", size=12, anchor="start"),
        ]
    return body


def curve_svg(curve: Curve, *, element_id: str) -> str:
    known = [v for v in curve.actual if v is not None] + list(curve.forecast)
    if curve.target is not None:
        known.append(curve.target)
    top = max(known, default=0)
    # Percentages up to 100 run on a 0 to 100 scale.
    step = 25.0 if curve.unit is Unit.PERCENT and top <= 100 else nice_step(top * 1.05)
    plot = _Plot(len(curve.labels) + len(curve.forecast_labels), step)

    colour = NEUTRAL if curve.improving is None else (BETTER if curve.improving else WORSE)
    body = [
        _text(
            LEFT,
            20,
            f"{curve.title}: {curve.trend.lower()}",
            size=14,
            anchor="start",
            weight="bold",
        ),
        *_grid(plot, curve),
        *_target(plot, curve),
        *_lines(plot, curve, colour),
        *_key(curve, colour),
    ]
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby={quoteattr(title_id)} '
        f'aria-describedby={quoteattr(desc_id)} class="tafcase-curve">'
        f"<title id={quoteattr(title_id)}>{escape(curve.title)}</title>"
        f"<desc id={quoteattr(desc_id)}>{escape(describe(curve))}</desc>" + "".join(body) + "</svg>"
    )


def describe(curve: Curve) -> str:
    """Every figure of the chart in a sentence, for screen readers."""
    history = "; ".join(
        f"{label} {shown(v, curve.unit, suppress=False)}"
        for label, v in zip(curve.labels, curve.actual, strict=True)
    )
    text = f"Actuals: {history}."
    if curve.forecast:
        ahead = "; ".join(
            f"{label} {_figure(v, curve.unit)}"
            for label, v in zip(curve.forecast_labels, curve.forecast, strict=True)
        )
        text += f" Forecast if nothing changes: {ahead}."
    if curve.target is not None:
        text += f" Target: {_figure(curve.target, curve.unit)}."
    return text
