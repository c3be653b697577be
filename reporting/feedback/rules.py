"""Pure rules for feedback and the case-quality sample. No database."""

import random
from collections.abc import Iterable
from datetime import date

from reporting.rules import Period

DEFAULT_SAMPLE_PERCENT = 10


def sample_size(population: int, percent: int) -> int:
    """How many of `population` cases a `percent` sample reviews: rounded up, at least one
    while there is any case, never more than there are."""
    if population <= 0:
        return 0
    return min(population, max(1, -(-population * percent // 100)))


def draw_sample(case_ids: Iterable[int], *, percent: int, seed: int) -> list[int]:
    """The cases drawn for a quality review: `percent` of `case_ids` (see sample_size) at
    random from `seed`, in id order. The ids are sorted and de-duplicated first, so the
    same seed and the same cases always give the same sample, whatever order the
    database returned them in."""
    if not 1 <= percent <= 100:
        raise ValueError("The sample percentage must be from 1 to 100.")
    population = sorted(set(case_ids))
    drawn = random.Random(seed).sample(population, sample_size(len(population), percent))
    return sorted(drawn)


def key_player_periods(today: date) -> list[Period]:
    """The quarters a key worker or panel member may give feedback about: the one that is
    running and the one just ended (answers often come in after a quarter closes)."""
    current = Period.containing(today)
    return [current, current.previous()]
