"""The shared vocabulary of result rules: progress found, outcome checks, their dates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .dates import ONE_DAY, Window, months_after, months_before
from .evidence import EvidenceRef, Household, Kind, Member, Record, cite
from .framework import Parameters


@dataclass(frozen=True)
class Progress:
    """An outcome rule's answer; ``clears_on`` is None only when it holds."""

    holds: bool
    evidence: tuple[EvidenceRef, ...] = ()
    reasons: tuple[str, ...] = ()
    clears_on: date | None = None


@dataclass(frozen=True)
class OutcomeCheck:
    """One problem's outcome, as shown to users and stored with a result."""

    code: str
    label: str
    holds: bool
    evidence: tuple[EvidenceRef, ...]
    explanation: str
    clears_on: date | None

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "label": self.label,
            "holds": self.holds,
            "evidence": [e.to_dict() for e in self.evidence],
            "explanation": self.explanation,
            "clears_on": self.clears_on.isoformat() if self.clears_on else None,
        }


@dataclass(frozen=True)
class OutcomeContext:
    """Dates every outcome rule works from: attachment A, anchor (A or closure) and D."""

    household: Household
    attachment: date
    anchor: date
    as_of: date
    params: Parameters

    @property
    def sustain(self) -> Window:
        """(D - sustain months, D], cut short so it never reaches back to the anchor."""
        return Window(
            max(months_before(self.as_of, self.params.sustain_months), self.anchor), self.as_of
        )

    @property
    def baseline(self) -> Window:
        return Window.ending(self.attachment, self.params.baseline_months)

    @property
    def full_period(self) -> bool:
        """True once D - sustain months >= anchor: a whole sustain window has passed."""
        return months_before(self.as_of, self.params.sustain_months) >= self.anchor

    def after(self, d: date) -> date:
        """When a record dated ``d`` leaves the sustain window."""
        return months_after(d, self.params.sustain_months)

    @property
    def next_day(self) -> date:
        """The earliest a not-yet-recorded piece of evidence could make a difference."""
        return self.as_of + ONE_DAY

    def records(self, kind: Kind, window: Window) -> tuple[tuple[Member, Record], ...]:
        return tuple((m, r) for m, r in self.household.records_of(kind) if window.contains(r.date))


def cited(records: Iterable[Record]) -> str:
    """`` (asb records X1, X2)`` for records, or nothing when there are none."""
    text = cite(r.ref() for r in records)
    return f" ({text})" if text else ""
