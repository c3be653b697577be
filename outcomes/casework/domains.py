"""The whole-family assessment domain set and its 1-5 scale, as data.

The shipped set, :data:`APPENDIX_D`, is the distance travelled tool from
``000_ffb0b6ac1cf3db8a.txt`` Appendix D ("Extract from a Team Around the Family Distance
Travelled Tool"), with its domains and wording exactly as printed there. An administrator can
configure a different set later: a :class:`DomainSet` round-trips through plain JSON-ready
dicts (:meth:`DomainSet.to_dict` / :meth:`DomainSet.from_dict`), and every rule in this
package takes the set as an argument rather than importing the default.

Occasions follow the tool's columns: occasion 0 is the Baseline (B), occasion *n* is Review
*n* (R1, R2, …).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from tafcase import identity


class Profile(StrEnum):
    """Whose profile a domain belongs to: the family as a whole, each child, each adult."""

    FAMILY = "family"
    CHILD = "child"
    ADULT = "adult"

    @property
    def label(self) -> str:
        """The heading Appendix D uses for the profile."""
        return _PROFILE_LABELS[self]


def member_profile(dob: date | None, on: date, *, listed_as_child: bool) -> Profile:
    """The profile a family member is scored on: child or adult by the identity rule
    (tafcase.identity.is_child: age when the date of birth is known, otherwise how they
    are listed in the family)."""
    child = identity.is_child(dob, on, listed_as_child=listed_as_child)
    return Profile.CHILD if child else Profile.ADULT


_PROFILE_LABELS = {
    Profile.FAMILY: "Family profile",
    Profile.CHILD: "Child and young person profile",
    Profile.ADULT: "Parent or carer profile",
}


@dataclass(frozen=True)
class Domain:
    """One scored area of a profile.

    ``code`` is stable (stored with scores, never shown to families); ``label`` is the
    family-facing wording. ``group`` sub-divides a profile (Appendix D splits the child
    profile into "Health" and "Learning"); it is empty where the profile has no groups.
    ``guidance`` is short help text for whoever scores the domain; Appendix D prints none, so
    the shipped set leaves it empty for a council to fill in.
    """

    code: str
    label: str
    profile: Profile
    group: str = ""
    guidance: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "label": self.label,
            "profile": self.profile.value,
            "group": self.group,
            "guidance": self.guidance,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Domain:
        return cls(
            code=str(data["code"]),
            label=str(data["label"]),
            profile=Profile(data["profile"]),
            group=str(data.get("group", "")),
            guidance=str(data.get("guidance", "")),
        )


@dataclass(frozen=True)
class ScaleLevel:
    """One point on the need scale: ``score`` 1 is the least need."""

    score: int
    label: str


@dataclass(frozen=True)
class DomainSet:
    """A versioned, ordered set of domains and the scale they are scored on.

    Invariants (checked on construction, so a bad configuration fails loudly):
    domain codes are unique and non-empty; labels are non-empty; the scale is the whole
    numbers from 1 upwards with no gaps, at least two levels, and a higher score always
    means more need. Domain order is display order.
    """

    code: str
    version: int
    name: str
    domains: tuple[Domain, ...]
    scale: tuple[ScaleLevel, ...]
    source: str = ""
    # Derived lookup, excluded from equality so two sets compare by their content only.
    _by_code: dict[str, Domain] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.domains:
            raise ValueError("A domain set needs at least one domain.")
        by_code: dict[str, Domain] = {}
        for domain in self.domains:
            if not domain.code.strip() or not domain.label.strip():
                raise ValueError(f"Domain {domain!r} needs a code and a label.")
            if domain.code in by_code:
                raise ValueError(f"Domain code {domain.code!r} is used twice.")
            by_code[domain.code] = domain
        scores = [level.score for level in self.scale]
        if len(scores) < 2 or scores != list(range(1, len(scores) + 1)):
            raise ValueError(f"The scale must run 1, 2, 3 … with no gaps; got {scores}.")
        object.__setattr__(self, "_by_code", by_code)

    @property
    def min_score(self) -> int:
        return self.scale[0].score

    @property
    def max_score(self) -> int:
        return self.scale[-1].score

    def domain(self, code: str) -> Domain:
        """The domain with this code; ``KeyError`` if the set has none."""
        return self._by_code[code]

    def has_domain(self, code: str) -> bool:
        return code in self._by_code

    def for_profile(self, profile: Profile) -> tuple[Domain, ...]:
        """The domains scored for one family, child or adult, in display order."""
        return tuple(d for d in self.domains if d.profile == profile)

    def scale_label(self, score: int) -> str:
        """The scale wording for a score (``4`` → ``"Significant"``)."""
        if not self.min_score <= score <= self.max_score:
            raise ValueError(
                f"Score {score} is outside the scale {self.min_score} to {self.max_score}."
            )
        return self.scale[score - 1].label

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_dict` reverses it exactly."""
        return {
            "code": self.code,
            "version": self.version,
            "name": self.name,
            "source": self.source,
            "scale": [{"score": level.score, "label": level.label} for level in self.scale],
            "domains": [domain.to_dict() for domain in self.domains],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DomainSet:
        """Build a set from :meth:`to_dict` output; raises ``ValueError``/``KeyError`` if bad."""
        return cls(
            code=str(data["code"]),
            version=int(data["version"]),
            name=str(data["name"]),
            source=str(data.get("source", "")),
            scale=tuple(
                ScaleLevel(score=int(level["score"]), label=str(level["label"]))
                for level in data["scale"]
            ),
            domains=tuple(Domain.from_dict(item) for item in data["domains"]),
        )


def occasion_code(occasion: int) -> str:
    """The tool's column heading: ``0`` → ``"B"``, ``2`` → ``"R2"``."""
    if occasion < 0:
        raise ValueError(f"Occasion {occasion} is negative.")
    return "B" if occasion == 0 else f"R{occasion}"


def occasion_label(occasion: int) -> str:
    """The tool's key in words: ``0`` → ``"Baseline"``, ``2`` → ``"Review 2"``."""
    if occasion < 0:
        raise ValueError(f"Occasion {occasion} is negative.")
    return "Baseline" if occasion == 0 else f"Review {occasion}"


HEALTH = "Health"
LEARNING = "Learning"


def _domains(profile: Profile, group: str, items: list[tuple[str, str]]) -> list[Domain]:
    return [
        Domain(code=f"{profile.value}.{code}", label=label, profile=profile, group=group)
        for code, label in items
    ]


# Wording is copied from Appendix D, including "links/supports" and "well-being", so a
# printed chart matches the paper tool a family may already have seen.
APPENDIX_D = DomainSet(
    code="appendix-d",
    version=1,
    name="Team Around the Family distance travelled tool",
    source="000_ffb0b6ac1cf3db8a.txt Appendix D",
    scale=(
        ScaleLevel(1, "None"),
        ScaleLevel(2, "Minor"),
        ScaleLevel(3, "Moderate"),
        ScaleLevel(4, "Significant"),
        ScaleLevel(5, "Critical/Complex"),
    ),
    domains=tuple(
        _domains(
            Profile.FAMILY,
            "",
            [
                ("housing", "Housing"),
                ("income_employment_finance", "Income, employment and finance"),
                (
                    "history_relationships_wellbeing",
                    "Family history, relationships and wellbeing",
                ),
                ("social_community_links", "Social and community links/supports"),
            ],
        )
        + _domains(
            Profile.CHILD,
            HEALTH,
            [
                ("general_health", "General health"),
                ("physical_development", "Physical development"),
                ("speech_language_communication", "Speech, language and communication"),
                ("emotional_social_development", "Emotional and social development"),
                ("behavioural_development", "Behavioural development"),
                ("self_esteem_self_image", "Self esteem and self image"),
                ("family_social_relationships", "Family and social relationships"),
                ("self_care_independence", "Self care skills and independence"),
            ],
        )
        + _domains(
            Profile.CHILD,
            LEARNING,
            [
                ("reasoning_problem_solving", "Reasoning and problem solving"),
                (
                    "participation_learning_education_work",
                    "Participation in learning, education or work",
                ),
                ("progress_achievement", "Progress and achievement"),
                ("aspirations", "Aspirations"),
            ],
        )
        + _domains(
            Profile.ADULT,
            "",
            [
                ("basic_care_safety", "Basic care, ensuring safety and protection"),
                ("routines_boundaries", "Setting routines and boundaries"),
                ("emotional_warmth_stability", "Emotional warmth and stability"),
                ("physical_health", "Physical health"),
                ("mental_health_wellbeing", "Mental health and emotional well-being"),
                ("drug_alcohol_use", "Drug or alcohol use"),
            ],
        )
    ),
)
