"""Date arithmetic shared by every rule: windows, school terms and weeks (ages and age
bands are identity rules: tafcase.identity).

Every rulebook window is half-open, ``(start, end]``: the look-back for D is
``(D - 12 months, D]``, so a record dated exactly D - 12 months is outside it and one
dated a day later is inside. Keeping that convention in one class means no rule can
get the boundary wrong on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

ONE_DAY = timedelta(days=1)


def months_before(d: date, months: int) -> date:
    """``d`` minus whole calendar months (31 May - 3 months = 28/29 Feb)."""
    return d - relativedelta(months=months)


def months_after(d: date, months: int) -> date:
    """``d`` plus whole calendar months."""
    return d + relativedelta(months=months)


def is_open_on(start: date, end: date | None, d: date) -> bool:
    """True when the period ``[start, end]`` includes ``d``; ``end`` None means ongoing."""
    return start <= d and (end is None or end >= d)


def fmt(d: date) -> str:
    """A date as users read it: ``3 Mar 2026``."""
    return f"{d.day} {d:%b %Y}"


@dataclass(frozen=True)
class Window:
    """The half-open period ``(start, end]``: ``start`` excluded, ``end`` included."""

    start: date
    end: date

    @classmethod
    def ending(cls, end: date, months: int) -> Window:
        """The ``months`` up to and including ``end``: ``(end - months, end]``."""
        return cls(months_before(end, months), end)

    def contains(self, d: date | None) -> bool:
        return d is not None and self.start < d <= self.end

    def overlaps(self, start: date, end: date | None) -> bool:
        """True when ``[start, end]`` (None = ongoing) shares at least one day with it."""
        return start <= self.end and (end is None or end > self.start)

    def covered_by(self, spans: Iterable[tuple[date, date | None]]) -> bool:
        """True when every day of the window lies in one of the closed ``spans``."""
        periods = list(spans)  # iterated once per day, so a generator would run dry
        return all(any(is_open_on(s, e, day) for s, e in periods) for day in self.days())

    def days(self) -> Iterator[date]:
        day = self.start + ONE_DAY
        while day <= self.end:
            yield day
            day += ONE_DAY

    def describe(self) -> str:
        return f"{fmt(self.start + ONE_DAY)} to {fmt(self.end)}"


# School terms. Partner data gives only academic year and term name, so each term is
# given conventional dates; a term's attendance counts as dated on its last day.
_TERMS: tuple[tuple[str, int, tuple[int, int], tuple[int, int]], ...] = (
    # name, year offset within the academic year, (month, day) start, (month, day) end
    ("autumn", 0, (9, 1), (12, 31)),
    ("spring", 1, (1, 1), (3, 31)),
    ("summer", 1, (4, 1), (7, 31)),
)
TERM_NAMES = tuple(name for name, *_ in _TERMS)


@dataclass(frozen=True)
class Term:
    """One school term of an academic year such as ``2025/26``."""

    academic_year: str
    name: str
    start: date
    end: date

    @classmethod
    def of(cls, academic_year: str, name: str) -> Term:
        first_year = int(academic_year.split("/")[0])
        for term_name, offset, (sm, sd), (em, ed) in _TERMS:
            if term_name == name:
                year = first_year + offset
                return cls(academic_year, name, date(year, sm, sd), date(year, em, ed))
        raise ValueError(f"unknown term {name!r}")

    @property
    def label(self) -> str:
        return f"{self.name} {self.start.year}"

    def following(self) -> Term:
        """The next term in the school calendar."""
        index = TERM_NAMES.index(self.name)
        if index + 1 < len(TERM_NAMES):
            return Term.of(self.academic_year, TERM_NAMES[index + 1])
        next_first = int(self.academic_year.split("/")[0]) + 1
        return Term.of(academic_year(next_first), TERM_NAMES[0])


def academic_year(first_year: int) -> str:
    """The academic year starting in September of ``first_year``, e.g. ``2025/26``."""
    return f"{first_year}/{(first_year + 1) % 100:02d}"


def terms_ending_by(d: date, count: int) -> tuple[Term, ...]:
    """The ``count`` most recent terms that ended on or before ``d``, oldest first."""
    if count <= 0:
        return ()
    # Start far enough back that at least `count` terms have ended before `d`.
    first_year = (d.year if d.month >= 9 else d.year - 1) - (count // 3 + 1)
    term = Term.of(academic_year(first_year), TERM_NAMES[0])
    ended: list[Term] = []
    while term.end <= d:
        ended.append(term)
        term = term.following()
    return tuple(ended[-count:])


def terms_ending_in(window: Window) -> tuple[Term, ...]:
    """Every term whose last day is inside ``window``, oldest first."""
    terms = []
    term = terms_ending_by(window.start, 1)[0].following()
    while term.end <= window.end:
        terms.append(term)
        term = term.following()
    return tuple(terms)


def terms_starting_after(d: date, count: int) -> tuple[Term, ...]:
    """The first ``count`` terms that start after ``d``, oldest first."""
    term = terms_ending_by(d, 1)[0]
    found: list[Term] = []
    while len(found) < count:
        term = term.following()
        if term.start > d:
            found.append(term)
    return tuple(found)


def weeks_before(d: date, count: int) -> tuple[Window, ...]:
    """The ``count`` seven-day weeks ending on ``d``, most recent first."""
    return tuple(
        Window(d - timedelta(days=7 * i), d - timedelta(days=7 * (i - 1)))
        for i in range(1, count + 1)
    )
