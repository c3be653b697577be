"""Which met results an attached family may claim in a claim window, and why a claim must
be audited: pure functions over the statuses ``results()`` returns.

Rules (claims.md §2, rulebooks.md "Readings settled"):

- the attachment fee is claimed once per family;
- one results payment per family per framework: when several results are met, the first
  in the framework's order is proposed (TF2015: sustained progress before continuous
  employment). TF2012 is the permitted combination: progress to work may be claimed
  beside crime/ASB and education or continuous employment, and the family's claims never
  total more than the full attachment fee (£4,000);
- SF2022 closures before the window's earliest closure date are not claimed;
- outcomes dated on or before attachment never count (``results()`` guarantees it; a
  claim also states its sustained period, which the database checks).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .criteria import CriterionResult, evaluate_criterion
from .dates import months_after
from .evidence import Household
from .framework import Framework
from .results import ResultStatus, Status

ATTACHMENT_FEE = "attachment_fee"
# Results that may be claimed beside the family's one results payment.
ALONGSIDE = frozenset({"progress_to_work"})


class Flag:
    """Why a claim is always in the audit sample."""

    RECORDED_ONLY = "recorded_evidence_only"
    SCREENING_OVERRIDE = "screening_override"
    NEEDS_ADDED = "needs_added_after_attachment"
    DISCRETIONARY = "discretionary"
    OUTLIER = "outlier"

    LABELS = {
        RECORDED_ONLY: "A need met only by practitioners' recorded evidence",
        SCREENING_OVERRIDE: "Screening overrode the rulebook",
        NEEDS_ADDED: "Needs added after attachment",
        DISCRETIONARY: "Discretionary (equivalent progress)",
        OUTLIER: "Result met unusually soon after attachment",
    }


def needs_met(household: Household, as_of: date, framework: Framework) -> list[CriterionResult]:
    """The framework's national needs met as of a date, with their evidence: at
    attachment, the needs a claim's outcomes must answer."""
    return [
        found
        for spec in framework.active_national
        if (found := evaluate_criterion(spec, household, as_of, framework.parameters)).met
    ]


def payment_slot(result_code: str) -> str:
    """Claims in the same slot exclude each other for a family and framework."""
    if result_code == ATTACHMENT_FEE:
        return ATTACHMENT_FEE
    if result_code in ALONGSIDE:
        return result_code
    return "results"


@dataclass(frozen=True)
class FamilyClaims:
    """What the claim run knows about one attached family besides its result statuses."""

    attachment: date
    closed_on: date | None
    needs_added: tuple[str, ...] = ()
    screening_overridden: bool = False
    # Slots already taken by a live claim of this framework, and their total amount.
    taken_slots: frozenset[str] = frozenset()
    claimed_total: int = 0


@dataclass(frozen=True)
class Proposal:
    result: ResultStatus
    amount: int
    slot: str
    flags: tuple[str, ...]
    sustained_from: date | None
    sustained_to: date | None


def sustained_period(
    result: ResultStatus, family: FamilyClaims, as_of: date, sustain_months: int
) -> tuple[date | None, date | None]:
    """The period the result's outcomes held: ending at D, starting after attachment (or
    after closure for outcomes judged from closure). None for the attachment fee."""
    if result.code == ATTACHMENT_FEE:
        return None, None
    anchor = family.closed_on if result.code == "family_outcome" and family.closed_on else None
    start = anchor or family.attachment
    end = months_after(start, sustain_months) if anchor else as_of
    return start, min(end, as_of)


def flags_for(result: ResultStatus, family: FamilyClaims, *, outlier_days: int) -> tuple[str, ...]:
    found = []
    checks = result.outcomes
    if checks and any(c.evidence and all(e.audit_sample for e in c.evidence) for c in checks):
        found.append(Flag.RECORDED_ONLY)
    if family.screening_overridden:
        found.append(Flag.SCREENING_OVERRIDE)
    if family.needs_added:
        found.append(Flag.NEEDS_ADDED)
    if "equivalent progress" in result.explanation.lower():
        found.append(Flag.DISCRETIONARY)
    # When the result was met: the day its last outcome cleared; for a result with no
    # outcomes that clear (a job), its latest evidence.
    met_on = max((c.clears_on for c in checks if c.holds and c.clears_on), default=None) or max(
        (e.date for e in result.evidence), default=None
    )
    if (
        result.code != ATTACHMENT_FEE
        and met_on is not None
        and (met_on - family.attachment).days < outlier_days
    ):
        found.append(Flag.OUTLIER)
    return tuple(found)


def proposals(
    statuses: Sequence[ResultStatus],
    family: FamilyClaims,
    framework: Framework,
    *,
    as_of: date,
    earliest_closure: date | None,
    outlier_days: int = 183,
) -> list[Proposal]:
    """The claims to propose for one family as of D: met results whose payment slot is
    free, in the framework's order, within the TF2012 family cap."""
    cap = framework.amounts.get(ATTACHMENT_FEE) if framework.code == "TF2012" else None
    taken = set(family.taken_slots)
    total = family.claimed_total
    order = {code: i for i, code in enumerate(framework.results)}
    chosen: list[Proposal] = []
    for result in sorted(statuses, key=lambda r: order.get(r.code, len(order))):
        if result.status is not Status.MET:
            continue
        slot = payment_slot(result.code)
        if slot in taken:
            continue
        if (
            framework.code == "SF2022"
            and earliest_closure is not None
            and (family.closed_on is None or family.closed_on < earliest_closure)
        ):
            continue
        amount = result.amount
        if cap is not None:
            amount = min(amount, cap - total)
            if amount <= 0:
                continue
        start, end = sustained_period(result, family, as_of, framework.parameters.sustain_months)
        chosen.append(
            Proposal(
                result,
                amount,
                slot,
                flags_for(result, family, outlier_days=outlier_days),
                start,
                end,
            )
        )
        taken.add(slot)
        total += amount
    return chosen


def audit_sample(
    validated: Iterable[int], flagged: Iterable[int], *, percent: int, seed: int
) -> list[int]:
    """The claims an auditor checks: every flagged claim, plus ``percent`` of the rest
    (rounded up, at least one while any remain) drawn at random with ``seed``, so the same
    seed and claims always give the same sample."""
    flagged_set = set(flagged)
    rest = sorted(set(validated) - flagged_set)
    count = min(len(rest), max(1, -(-len(rest) * percent // 100))) if rest else 0
    drawn = random.Random(seed).sample(rest, count)
    return sorted(flagged_set | set(drawn))
