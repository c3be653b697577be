"""The back-off rule for failed sign-ins and password-reset requests, as plain data.

A key (one account from one address, or one address) may fail `limit.hits` times; the next
failure blocks it for `limit.minutes`, and each further block is twice as long, up to
`limit.max_minutes`. A key left quiet for a day starts again from nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

QUIET_RESET = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    hits: int
    minutes: int
    max_minutes: int = 24 * 60


@dataclass(frozen=True)
class State:
    hits: int = 0
    blocks: int = 0
    blocked_until: datetime | None = None
    last_hit_at: datetime | None = None


def is_blocked(state: State, now: datetime) -> bool:
    return state.blocked_until is not None and state.blocked_until > now


def after_hit(state: State, limit: Limit, now: datetime) -> State:
    """The state after one more failure (or request) for this key."""
    hits, blocks = state.hits, state.blocks
    if state.last_hit_at is not None and now - state.last_hit_at > QUIET_RESET:
        hits, blocks = 0, 0
    hits += 1
    if hits < limit.hits:
        return State(hits, blocks, state.blocked_until, now)
    minutes = min(limit.minutes * 2**blocks, limit.max_minutes)
    return State(0, blocks + 1, now + timedelta(minutes=minutes), now)


def minutes_left(state: State, now: datetime) -> int:
    """Whole minutes until the block lifts, at least 1 while it lasts."""
    if not is_blocked(state, now):
        return 0
    assert state.blocked_until is not None
    return max(1, -(-int((state.blocked_until - now).total_seconds()) // 60))
