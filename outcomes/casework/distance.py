"""Distance travelled: how each domain's need score has moved since the baseline.

Scores run from 1 (no need) upwards, so a *fall* is progress. For every subject (the family
as a whole, or one child or adult) and every domain of its profile this module reports the
scores at each occasion, the change from baseline to the latest score, and a direction.

A rise after baseline is never hidden. Guidance (000 section 2.4, "Measuring and reporting
distance travelled") warns that workers often discover more need after the first weeks, so
scores "may in fact go up initially". A score record can say so (``more_need_found``); a rise
is then reported as :attr:`Direction.MORE_NEED_FOUND` rather than :attr:`Direction.WORSE` —
but only when the whole rise is accounted for by reviews flagged that way, so a real
deterioration cannot shelter behind an earlier discovery.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from outcomes.casework.domains import DomainSet, Profile, occasion_label

FAMILY_SUBJECT = "family"


class Direction(StrEnum):
    """Movement of a domain from its baseline to its latest score (lower is better)."""

    IMPROVED = "improved"
    NO_CHANGE = "no_change"
    WORSE = "worse"
    MORE_NEED_FOUND = "more_need_found"
    # Fewer than two scores: there is nothing to compare yet.
    NOT_MEASURED = "not_measured"

    @property
    def label(self) -> str:
        return _DIRECTION_LABELS[self]


_DIRECTION_LABELS = {
    Direction.IMPROVED: "Improved",
    Direction.NO_CHANGE: "No change",
    Direction.WORSE: "Got worse",
    Direction.MORE_NEED_FOUND: "More need found",
    Direction.NOT_MEASURED: "Not measured yet",
}


@dataclass(frozen=True)
class Subject:
    """Whose scores these are: ``key`` is ``"family"`` or a member's id as text."""

    key: str
    profile: Profile
    name: str


@dataclass(frozen=True)
class ScoreRecord:
    """One score as recorded on the tool.

    ``occasion`` 0 is the Baseline, *n* is Review *n*. ``more_need_found`` is set by the
    worker when a score is higher than before because more need was discovered, not
    because things got worse. ``score`` is ``None`` when the domain was deliberately left
    unscored at that occasion (it counts as missing).
    """

    subject: str
    domain: str
    occasion: int
    score: int | None
    more_need_found: bool = False


@dataclass(frozen=True)
class OccasionScore:
    """A domain's score at one occasion; ``score`` is ``None`` where none was recorded."""

    occasion: int
    score: int | None
    more_need_found: bool = False
    # Change from the subject's baseline score for this domain; None if either is missing.
    change_from_baseline: int | None = None

    @property
    def label(self) -> str:
        return occasion_label(self.occasion)


@dataclass(frozen=True)
class DomainProgress:
    """Distance travelled in one domain for one subject.

    ``baseline`` is the first recorded score (normally at occasion 0; a member who joined
    later has a later one, given by ``baseline_occasion``). ``latest`` is the last recorded
    score. ``change = latest - baseline``: negative means less need. ``need_found`` is the
    total of rises at occasions flagged "more need found", shown alongside the change.
    """

    subject: str
    domain: str
    label: str
    group: str
    scores: tuple[OccasionScore, ...]
    baseline: int | None
    baseline_occasion: int | None
    latest: int | None
    latest_occasion: int | None
    change: int | None
    direction: Direction
    need_found: int


@dataclass(frozen=True)
class Summary:
    """Counts of domains by direction and the mean change over measured domains.

    ``mean_change`` is rounded to two decimal places, ``None`` when no domain has two
    scores; negative means less need.
    """

    domains: int
    measured: int
    improved: int
    no_change: int
    worse: int
    more_need_found: int
    not_measured: int
    total_change: int
    mean_change: float | None


@dataclass(frozen=True)
class SubjectProgress:
    """All domains of one subject's profile, in the domain set's order."""

    subject: Subject
    occasions: int
    domains: tuple[DomainProgress, ...]
    summary: Summary


@dataclass(frozen=True)
class DistanceTravelled:
    """The whole family's distance travelled: per subject, per profile and overall."""

    domain_set_code: str
    domain_set_version: int
    occasions: int
    subjects: tuple[SubjectProgress, ...]
    by_profile: tuple[tuple[Profile, Summary], ...]
    overall: Summary

    def profile_summary(self, profile: Profile) -> Summary:
        return dict(self.by_profile)[profile]


def summarise(progress: Iterable[DomainProgress]) -> Summary:
    """Count domains by direction; average the change over domains that have one."""
    items = list(progress)
    counts = dict.fromkeys(Direction, 0)
    changes: list[int] = []
    for item in items:
        counts[item.direction] += 1
        if item.change is not None:
            changes.append(item.change)
    total = sum(changes)
    return Summary(
        domains=len(items),
        measured=len(changes),
        improved=counts[Direction.IMPROVED],
        no_change=counts[Direction.NO_CHANGE],
        worse=counts[Direction.WORSE],
        more_need_found=counts[Direction.MORE_NEED_FOUND],
        not_measured=counts[Direction.NOT_MEASURED],
        total_change=total,
        mean_change=round(total / len(changes), 2) if changes else None,
    )


def domain_progress(
    subject: str,
    domain_code: str,
    label: str,
    group: str,
    occasions: int,
    records: Sequence[ScoreRecord],
) -> DomainProgress:
    """Distance travelled for one domain from that domain's records (any order, no dups).

    Missing occasions are skipped: each rise or fall is measured between consecutive
    recorded scores. The direction compares the latest score with the baseline; a rise is
    :attr:`Direction.MORE_NEED_FOUND` only if it is no bigger than the sum of the rises
    recorded at occasions flagged ``more_need_found``.
    """
    by_occasion = {r.occasion: r for r in records if r.score is not None}
    recorded = sorted(by_occasion)
    baseline_occasion = recorded[0] if recorded else None
    latest_occasion = recorded[-1] if recorded else None
    baseline = by_occasion[baseline_occasion].score if baseline_occasion is not None else None
    latest = by_occasion[latest_occasion].score if latest_occasion is not None else None

    need_found = 0
    previous: int | None = None
    for occasion in recorded:
        record = by_occasion[occasion]
        assert record.score is not None  # filtered above; narrows the type
        if previous is not None and record.more_need_found and record.score > previous:
            need_found += record.score - previous
        previous = record.score

    change: int | None = None
    if baseline is not None and latest is not None and latest_occasion != baseline_occasion:
        change = latest - baseline

    if change is None:
        direction = Direction.NOT_MEASURED
    elif change < 0:
        direction = Direction.IMPROVED
    elif change == 0:
        direction = Direction.NO_CHANGE
    elif change <= need_found:
        direction = Direction.MORE_NEED_FOUND
    else:
        direction = Direction.WORSE

    scores = []
    for occasion in range(occasions):
        at_occasion = by_occasion.get(occasion)
        score = at_occasion.score if at_occasion is not None else None
        scores.append(
            OccasionScore(
                occasion=occasion,
                score=score,
                more_need_found=at_occasion is not None and at_occasion.more_need_found,
                change_from_baseline=(
                    score - baseline if score is not None and baseline is not None else None
                ),
            )
        )
    return DomainProgress(
        subject=subject,
        domain=domain_code,
        label=label,
        group=group,
        scores=tuple(scores),
        baseline=baseline,
        baseline_occasion=baseline_occasion,
        latest=latest,
        latest_occasion=latest_occasion,
        change=change,
        direction=direction,
        need_found=need_found,
    )


def subject_progress(
    domain_set: DomainSet,
    subject: Subject,
    scores: Iterable[ScoreRecord],
    *,
    occasions: int | None = None,
) -> SubjectProgress:
    """Distance travelled in every domain of ``subject``'s profile.

    ``scores`` may include other subjects' records; they are ignored. ``occasions`` is how
    many columns to report (default: up to the latest occasion recorded for this subject).
    Raises ``ValueError`` for a score of an unknown domain, a domain from another profile, a
    score outside the scale, a negative occasion, or two records for the same occasion.
    """
    mine = [r for r in scores if r.subject == subject.key]
    _validate(domain_set, subject, mine)
    if occasions is None:
        occasions = max((r.occasion for r in mine), default=0) + 1
    by_domain: dict[str, list[ScoreRecord]] = {}
    for record in mine:
        if record.occasion >= occasions:
            raise ValueError(
                f"{subject.name}: a score at occasion {record.occasion} is beyond the "
                f"{occasions} occasion(s) asked for."
            )
        by_domain.setdefault(record.domain, []).append(record)
    domains = tuple(
        domain_progress(
            subject.key,
            domain.code,
            domain.label,
            domain.group,
            occasions,
            by_domain.get(domain.code, []),
        )
        for domain in domain_set.for_profile(subject.profile)
    )
    return SubjectProgress(
        subject=subject, occasions=occasions, domains=domains, summary=summarise(domains)
    )


def distance_travelled(
    domain_set: DomainSet,
    subjects: Sequence[Subject],
    scores: Iterable[ScoreRecord],
) -> DistanceTravelled:
    """Distance travelled for a whole family: every subject, then per profile and overall.

    All subjects are reported over the same number of occasions (the latest recorded for
    anyone, plus one), so their charts line up. A record for a subject not in ``subjects``
    is an error, as are the cases listed in :func:`subject_progress`.
    """
    records = list(scores)
    keys = [s.key for s in subjects]
    if len(set(keys)) != len(keys):
        raise ValueError("Each subject must appear once.")
    unknown = sorted({r.subject for r in records} - set(keys))
    if unknown:
        raise ValueError(f"Scores for unknown subject(s): {', '.join(unknown)}.")
    occasions = max((r.occasion for r in records), default=0) + 1
    progress = tuple(
        subject_progress(domain_set, subject, records, occasions=occasions) for subject in subjects
    )
    by_profile = tuple(
        (
            profile,
            summarise(d for p in progress if p.subject.profile == profile for d in p.domains),
        )
        for profile in Profile
    )
    return DistanceTravelled(
        domain_set_code=domain_set.code,
        domain_set_version=domain_set.version,
        occasions=occasions,
        subjects=progress,
        by_profile=by_profile,
        overall=summarise(d for p in progress for d in p.domains),
    )


def _validate(domain_set: DomainSet, subject: Subject, records: Sequence[ScoreRecord]) -> None:
    seen: set[tuple[str, int]] = set()
    for record in records:
        if not domain_set.has_domain(record.domain):
            raise ValueError(f"{subject.name}: unknown domain {record.domain!r}.")
        domain = domain_set.domain(record.domain)
        if domain.profile != subject.profile:
            raise ValueError(
                f"{subject.name}: domain {domain.label!r} belongs to the "
                f"{domain.profile.label.lower()}, not the {subject.profile.label.lower()}."
            )
        if record.occasion < 0:
            raise ValueError(f"{subject.name}: occasion {record.occasion} is negative.")
        if record.score is not None and not (
            domain_set.min_score <= record.score <= domain_set.max_score
        ):
            raise ValueError(
                f"{subject.name}: {domain.label} score {record.score} is outside "
                f"{domain_set.min_score} to {domain_set.max_score}."
            )
        key = (record.domain, record.occasion)
        if key in seen:
            raise ValueError(
                f"{subject.name}: two scores for {domain.label} at "
                f"{occasion_label(record.occasion)}."
            )
        seen.add(key)
