"""Panel prioritisation: the default order of screened nominations at the checkpoint."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .decision import Decision


@dataclass(frozen=True)
class Nomination:
    """A screened nomination as the panel orders it. ``likelihood`` is the panel's
    likelihood-of-turnaround rating, 1 (low) to 3 (high), or None before it is rated."""

    nomination_id: str
    nominated_on: date
    local_criteria_met: int
    agencies_involved: int
    likelihood: int | None = None

    def __post_init__(self) -> None:
        if self.likelihood is not None and not 1 <= self.likelihood <= 3:
            raise ValueError(f"likelihood must be 1-3, got {self.likelihood}")

    @classmethod
    def from_decision(
        cls, nomination_id: str, nominated_on: date, decision: Decision, likelihood: int | None
    ) -> Nomination:
        """A nomination ranked by the priority inputs of its screening decision."""
        return cls(
            nomination_id,
            nominated_on,
            decision.priority.local_criteria_met,
            decision.priority.agencies_involved,
            likelihood,
        )


def priority_key(nomination: Nomination) -> tuple[int, int, int, date, str]:
    """Sort key: more local criteria, then more agencies, then higher likelihood (unrated
    last), then earlier nomination; the id only makes the order total."""
    return (
        -nomination.local_criteria_met,
        -nomination.agencies_involved,
        -(nomination.likelihood or 0),
        nomination.nominated_on,
        nomination.nomination_id,
    )


def prioritise(nominations: Iterable[Nomination]) -> list[Nomination]:
    """Nominations in the panel's default order, highest priority first."""
    return sorted(nominations, key=priority_key)
