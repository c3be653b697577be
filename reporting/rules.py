"""The report cards' arithmetic as pure functions (reporting.md §1, §4): financial-year
quarters, the scorecard columns (variance, trend and how long it has run, change since
baseline), the forecast from the trend, and suppression of small counts. No database."""

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

# Counts below this show as "<5" to readers outside the programme team (reporting.md §4).
SUPPRESS_BELOW = 5


@dataclass(frozen=True, order=True)
class Period:
    """A quarter of a UK financial year: year 2026, quarter 1 is April to June 2026."""

    year: int
    quarter: int

    @classmethod
    def containing(cls, day: date) -> "Period":
        year = day.year if day.month >= 4 else day.year - 1
        return cls(year, (day.month - 4) % 12 // 3 + 1)

    @classmethod
    def from_key(cls, key: str) -> "Period":
        """'2026-Q3' → Period(2026, 3); ValueError for anything else."""
        year, _, quarter = key.partition("-Q")
        if not (year.isascii() and year.isdigit() and len(year) == 4) or quarter not in (
            "1",
            "2",
            "3",
            "4",
        ):
            raise ValueError(f"Not a quarter: {key!r}")
        return cls(int(year), int(quarter))

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.quarter - 1)
        return date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"Quarter {self.quarter} {self.year}/{(self.year + 1) % 100:02d}"

    @property
    def short(self) -> str:
        return f"Q{self.quarter} {self.year}/{(self.year + 1) % 100:02d}"

    def next(self) -> "Period":
        return Period(self.year + self.quarter // 4, self.quarter % 4 + 1)

    def previous(self) -> "Period":
        return Period(self.year - (self.quarter == 1), (self.quarter - 2) % 4 + 1)


Counts = dict[str, float]


def sum_by_month(
    months: Iterable[tuple[date, Counts]], periods: Sequence[tuple[date, date]]
) -> dict[int, Counts]:
    """Counts kept per month (named by its first day), summed into every period that
    holds the month, by the period's index. Periods are whole months (start on a first
    and end on a last day, both inclusive) and may overlap (a quarter and its year).
    Periods with no month in them are left out."""
    totals: dict[int, Counts] = {}
    for month, counts in months:
        for index, (start, end) in enumerate(periods):
            if start <= month <= end:
                into = totals.setdefault(index, dict.fromkeys(counts, 0))
                for name, n in counts.items():
                    into[name] += n or 0
    return totals


def sum_spans(
    spans: Iterable[tuple[int, int, Counts]], periods: int, names: Sequence[str]
) -> dict[int, Counts]:
    """Counts (`names`) kept per span of consecutive periods (the index of its first and
    last period, both inclusive, either of them outside 0 to `periods` - 1 for a span
    that starts before the first or ends after the last), summed into every period the
    span covers. Every period is present, with zeros where no span covers it."""
    totals: dict[int, Counts] = {i: dict.fromkeys(names, 0) for i in range(periods)}
    for first, last, counts in spans:
        for index in range(max(first, 0), min(last, periods - 1) + 1):
            for name in names:
                totals[index][name] += counts[name] or 0
    return totals


def periods_ending(last: Period, count: int) -> list[Period]:
    """`count` quarters, oldest first, ending with `last`."""
    periods = [last]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]


class Unit(StrEnum):
    COUNT = "#"  # How much did we do?
    PERCENT = "%"  # How well did we do it? Is anyone better off?
    NUMBER = "n"  # a mean, e.g. change in distance-travelled score


@dataclass(frozen=True)
class Value:
    """One measure in one period: a count, or a numerator over a denominator."""

    numerator: float
    denominator: int | None = None

    def figure(self, unit: Unit) -> float | None:
        if unit is Unit.COUNT:
            return self.numerator
        if not self.denominator:
            return None
        if unit is Unit.PERCENT:
            return 100 * self.numerator / self.denominator
        return self.numerator / self.denominator


class Trend(StrEnum):
    UP = "up"
    DOWN = "down"
    FLAT = "flat"


@dataclass(frozen=True)
class Scorecard:
    actual: float | None
    prior: float | None
    target: float | None
    variance: float | None  # (actual − target) / target, a fraction
    trend: Trend | None
    trend_periods: int  # how many periods the trend has run
    baseline: float | None
    change_since_baseline: float | None
    improving: bool | None  # the trend read with the measure's polarity


def variance(actual: float | None, target: float | None) -> float | None:
    if actual is None or target in (None, 0):
        return None
    return (actual - target) / target  # type: ignore[operator]


def trend(history: Sequence[float | None]) -> tuple[Trend | None, int]:
    """The direction of the latest change and for how many periods it has held: values
    2, 3, 5, 6 rise for 3 periods. Gaps (None) end the run."""
    known = []
    for value in reversed(history):
        if value is None:
            break
        known.append(value)
    known.reverse()
    if len(known) < 2:
        return None, 0
    steps = [_direction(a, b) for a, b in itertools.pairwise(known)]
    last = steps[-1]
    run = 0
    for step in reversed(steps):
        if step is not last:
            break
        run += 1
    return last, run


def _direction(a: float, b: float) -> Trend:
    if abs(b - a) < 1e-9:
        return Trend.FLAT
    return Trend.UP if b > a else Trend.DOWN


def scorecard(
    history: Sequence[float | None], *, target: float | None, higher_is_better: bool | None
) -> Scorecard:
    """The scorecard columns for the last period of `history` (oldest first). With no
    polarity (a count of work done) the trend is not judged better or worse."""
    actual = history[-1] if history else None
    prior = history[-2] if len(history) > 1 else None
    baseline = next((v for v in history if v is not None), None)
    direction, run = trend(history)
    improving = None
    if direction in (Trend.UP, Trend.DOWN) and higher_is_better is not None:
        improving = (direction is Trend.UP) == higher_is_better
    return Scorecard(
        actual=actual,
        prior=prior,
        target=target,
        variance=variance(actual, target),
        trend=direction,
        trend_periods=run,
        baseline=baseline,
        change_since_baseline=None if actual is None or baseline is None else actual - baseline,
        improving=improving,
    )


def forecast(history: Sequence[float | None], ahead: int) -> list[float]:
    """The curve if nothing changes: a least-squares straight line through the known
    points of `history`, carried `ahead` periods past its end (a single point is carried
    flat; no points, no forecast). Counts and percentages never go below zero."""
    points = [(i, v) for i, v in enumerate(history) if v is not None]
    if not points or ahead <= 0:
        return []
    if len(points) == 1:
        return [points[0][1]] * ahead
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    start = len(history)
    return [max(0.0, mean_y + slope * (start + k - mean_x)) for k in range(ahead)]


def shown(value: float | None, unit: Unit, *, suppress: bool, count: float | None = None) -> str:
    """A figure as a reader sees it: counts whole, percentages whole with %, means to one
    place; "<5" for a small count (or a percentage of fewer than 5) when suppressing;
    "No data" when there is none."""
    if value is None:
        return "No data"
    small = count if count is not None else (value if unit is Unit.COUNT else None)
    if suppress and small is not None and 0 < small < SUPPRESS_BELOW:
        return f"<{SUPPRESS_BELOW}"
    if unit is Unit.COUNT:
        return f"{round(value):,}"
    if unit is Unit.PERCENT:
        return f"{round(value)}%"
    return f"{value:+.1f}" if value else "0.0"
