"""Which met results are proposed as claims, and the audit sample (eligibility.rules.claims)."""

from datetime import date

import pytest

from eligibility.rules import SF2022, TF2012, TF2015
from eligibility.rules.claims import (
    FamilyClaims,
    Flag,
    audit_sample,
    payment_slot,
    proposals,
)
from eligibility.rules.dates import months_after
from eligibility.rules.evidence import EvidenceRef
from eligibility.rules.progress import OutcomeCheck
from eligibility.rules.results import ResultStatus, Status

A = date(2025, 1, 15)
D = date(2026, 3, 31)


def result(
    code,
    status=Status.MET,
    amount=800,
    evidence_on=date(2025, 12, 1),
    recorded=False,
    clears_on=None,
):
    ref = EvidenceRef("school_attendance", "R1", evidence_on, "1", audit_sample=recorded)
    check = OutcomeCheck(code, code, status is Status.MET, (ref,), "holds", clears_on)
    return ResultStatus(code, code, status, amount, None, (check,), (ref,), f"{code}: met")


def family(**kw):
    return FamilyClaims(attachment=A, closed_on=kw.pop("closed_on", None), **kw)


def codes(found):
    return [(p.result.code, p.amount) for p in found]


@pytest.mark.parametrize(
    ("statuses", "taken", "expected"),
    [
        # Both TF2015 results met: the first in the framework's order is claimed.
        (
            [result("continuous_employment"), result("sustained_progress")],
            frozenset(),
            [("sustained_progress", 800)],
        ),
        # The attachment fee is claimed beside the results payment, once.
        (
            [result("attachment_fee", amount=1000), result("sustained_progress")],
            frozenset(),
            [("attachment_fee", 1000), ("sustained_progress", 800)],
        ),
        (
            [result("attachment_fee", amount=1000), result("sustained_progress")],
            frozenset({"attachment_fee"}),
            [("sustained_progress", 800)],
        ),
        # One results payment per family: a later window proposes nothing more.
        (
            [result("continuous_employment")],
            frozenset({"results"}),
            [],
        ),
        # Only met results are proposed.
        ([result("sustained_progress", Status.IN_PROGRESS)], frozenset(), []),
    ],
)
def test_tf2015_proposals(statuses, taken, expected):
    found = proposals(statuses, family(taken_slots=taken), TF2015, as_of=D, earliest_closure=None)
    assert codes(found) == expected


def test_tf2012_combines_progress_to_work_and_caps_the_family_at_the_full_fee():
    statuses = [
        result("attachment_fee", amount=3200),
        result("crime_education", amount=700),
        result("progress_to_work", amount=100),
    ]
    found = proposals(statuses, family(), TF2012, as_of=D, earliest_closure=None)
    # 3,200 + 700 = 3,900, leaving 100 of the £4,000 for progress to work.
    assert codes(found) == [
        ("attachment_fee", 3200),
        ("crime_education", 700),
        ("progress_to_work", 100),
    ]
    capped = proposals(
        statuses[1:],
        family(claimed_total=3500, taken_slots=frozenset({"attachment_fee"})),
        TF2012,
        as_of=D,
        earliest_closure=None,
    )
    assert codes(capped) == [("crime_education", 500)]
    assert payment_slot("progress_to_work") != payment_slot("crime_education")
    assert payment_slot("consecutive_employment") == payment_slot("crime_education")


@pytest.mark.parametrize(
    ("closed_on", "earliest", "claimed"),
    [
        (date(2025, 6, 1), date(2024, 3, 31), True),
        (date(2024, 3, 30), date(2024, 3, 31), False),
        (date(2024, 3, 31), date(2024, 3, 31), True),
    ],
)
def test_sf2022_claims_only_closures_on_or_after_the_earliest_closure(closed_on, earliest, claimed):
    found = proposals(
        [result("family_outcome")],
        family(closed_on=closed_on),
        SF2022,
        as_of=D,
        earliest_closure=earliest,
    )
    assert bool(found) is claimed
    if found:
        assert found[0].sustained_from == closed_on
        assert found[0].sustained_to == min(months_after(closed_on, 6), D)


def test_sustained_period_starts_at_attachment_never_before():
    found = proposals(
        [result("sustained_progress")], family(), TF2015, as_of=D, earliest_closure=None
    )
    assert found[0].sustained_from == A and found[0].sustained_to == D


@pytest.mark.parametrize(
    ("kwargs", "result_kwargs", "flag"),
    [
        ({}, {"recorded": True}, Flag.RECORDED_ONLY),
        ({"screening_overridden": True}, {}, Flag.SCREENING_OVERRIDE),
        ({"needs_added": ("housing",)}, {}, Flag.NEEDS_ADDED),
        ({}, {"evidence_on": date(2025, 2, 1)}, Flag.OUTLIER),
    ],
)
def test_flags_that_force_sampling(kwargs, result_kwargs, flag):
    found = proposals(
        [result("sustained_progress", **result_kwargs)],
        family(**kwargs),
        TF2015,
        as_of=D,
        earliest_closure=None,
    )
    assert flag in found[0].flags


@pytest.mark.parametrize(
    ("evidence_on", "clears_on", "outlier"),
    [
        # Early evidence (a job soon after attachment) but met only when its outcome
        # cleared late: not an outlier.
        (date(2025, 2, 1), date(2025, 11, 1), False),
        # Met within 183 days of attachment, whatever the later evidence says: outlier.
        (date(2025, 12, 1), date(2025, 3, 1), True),
    ],
)
def test_an_outlier_is_judged_by_when_the_result_was_met(evidence_on, clears_on, outlier):
    found = proposals(
        [result("sustained_progress", evidence_on=evidence_on, clears_on=clears_on)],
        family(),
        TF2015,
        as_of=D,
        earliest_closure=None,
    )
    assert (Flag.OUTLIER in found[0].flags) is outlier


def test_an_ordinary_claim_has_no_flags():
    found = proposals(
        [result("sustained_progress")], family(), TF2015, as_of=D, earliest_closure=None
    )
    assert found[0].flags == ()


def test_the_audit_sample_is_reproducible_from_its_seed_and_holds_every_flagged_claim():
    validated = range(1, 101)
    flagged = [7, 42]
    first = audit_sample(validated, flagged, percent=10, seed=1234)
    assert first == audit_sample(validated, flagged, percent=10, seed=1234)
    assert {7, 42} <= set(first)
    assert len(first) == 2 + 10  # 10% of the 98 unflagged, rounded up
    assert first != audit_sample(validated, flagged, percent=10, seed=4321)


def test_the_audit_sample_takes_at_least_one_claim():
    assert len(audit_sample([5, 6, 7], [], percent=1, seed=1)) == 1
    assert audit_sample([5], [5], percent=10, seed=1) == [5]
