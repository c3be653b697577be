"""Payment by Results claims for the demo: the previous quarter's window through the whole
workflow, and the quarter just ended open with claims at every stage.

Everything goes through outcomes.claims.services, as the people in the demo would do it:
the data analyst opens each window and runs it, the coordinator validates or rejects its
claims and draws the audit sample, internal audit passes or fails each sampled claim, the
senior responsible officer (the manager) declares and the coordinator submits; payments
and a national spot-check rejection are recorded as they come back. The quarter just
ended is left with claims proposed, validated and rejected and its sample not drawn, so
the coordinator, the auditor and the manager each have their next step to take.

The results come from the demo families' partner records (eligibility.datamatch's
demo_families): the families whose turnaround held long enough by each cut-off.
"""

import random
from collections.abc import Iterable
from datetime import date, timedelta

from django.utils import timezone

from eligibility.datamatch.demo import previous_quarter_end, quarter_end
from eligibility.rules.claims import ATTACHMENT_FEE
from outcomes.claims import services
from outcomes.claims.models import Claim, ClaimWindow
from tafcase.accounts.models import LocalAuthority, User

S = Claim.Status
# Why the coordinator rejects a claim before the sample is drawn.
LAPSED_REASON = (
    "Police report a further incident after the cut-off date: not claimed until the "
    "family's progress holds again."
)
REJECTIONS = [
    "Family moved out of the borough during the quarter; checking with the new council "
    "before anything is claimed.",
    "The outcome rests on a school attendance return the school is correcting; claim it "
    "next quarter.",
    "Same household as a family already claimed under an earlier reference (merged on "
    "the family page).",
    "Key worker reports the family disengaged before the end of the sustain period; "
    "evidence to be checked at the next review.",
]
SPOT_CHECK_REASON = (
    "National spot check: the file does not show whole-family working (no plan covering "
    "the children's needs)."
)
AFTER_SPOT_CHECK = (
    "Rejected at the national spot check last quarter; not claimed again without new "
    "evidence of whole-family working."
)
AUDIT_PASS = [
    "Evidence pack checked: needs at attachment, plan and outcome records agree.",
    "Checked against the partner records and the case file; result supported.",
    "Attachment date confirmed from the panel minutes; evidence complete.",
]
AUDIT_RECORDED = "Recorded evidence confirmed with the practitioner who wrote it."
AUDIT_FAIL = (
    "The outcome records in the pack belong to the family's previous address and a "
    "different household; the result is not supported."
)


def _name(cutoff: date) -> str:
    return f"Quarter {(cutoff.month - 1) // 3 + 1} {cutoff.year}"


def _window(actor: User, authority: LocalAuthority, cutoff: date, deadline: date) -> ClaimWindow:
    """Open a window and run it, as the worker would."""
    window = services.claim_window_open(
        actor=actor, authority=authority, name=_name(cutoff), cutoff_date=cutoff, deadline=deadline
    )
    run = services.claim_run_start(actor=actor, window=window, queue=False)
    services.claim_run_execute(run_id=run.pk)
    return window


def _results(claims: Iterable[Claim]) -> list[Claim]:
    return [c for c in claims if c.slot != ATTACHMENT_FEE]


def _previous_quarter(rng: random.Random, window: ClaimWindow, users, lapsed_families, today):
    """Validated (two rejected), sampled, audited (one fails), declared, submitted, paid,
    and one claim rejected afterwards by the national spot check."""
    coordinator, auditor, manager = users["coordinator"], users["auditor"], users["manager"]
    claims = list(Claim.objects.filter(window=window).order_by("pk"))
    results = _results(claims)
    # The families whose results lapsed since the cut-off, then any others.
    lapsed = [c for c in results if c.family_id in lapsed_families]
    others = [c for c in results if c not in lapsed]
    rejected = {c.pk: LAPSED_REASON for c in lapsed[:2]}
    for claim in rng.sample(others, min(len(others), 2 - len(rejected))):
        rejected[claim.pk] = rng.choice(REJECTIONS)
    # In claim order, as the coordinator works down the list: the claims between two
    # rejections are validated together.
    to_validate: list[Claim] = []
    for claim in claims:
        if claim.pk in rejected:
            services.claims_validate(actor=coordinator, window=window, claims=to_validate)
            to_validate = []
            services.claim_reject(actor=coordinator, claim=claim, reason=rejected[claim.pk])
        else:
            to_validate.append(claim)
    services.claims_validate(actor=coordinator, window=window, claims=to_validate)
    services.window_sample_draw(actor=coordinator, window=window, seed=rng.randrange(2**31))
    sampled = list(Claim.objects.filter(window=window, sampled=True).order_by("pk"))
    failing = rng.choice(_results(sampled) or sampled)
    for claim in sampled:
        note = AUDIT_RECORDED if "recorded_evidence_only" in claim.flags else rng.choice(AUDIT_PASS)
        passed = claim != failing
        services.claim_audit_decide(
            actor=auditor, claim=claim, passed=passed, note=note if passed else AUDIT_FAIL
        )
    services.window_declare(actor=manager, window=window)
    services.window_submit(actor=coordinator, window=window)
    paid_on = today  # submitted just now (the services stamp each step with its time)
    submitted = list(Claim.objects.filter(window=window, status=S.SUBMITTED).order_by("pk"))
    services.claims_payment_record(
        actor=users["analyst"], window=window, claims=submitted, paid_on=paid_on
    )
    paid = _results(submitted)
    if paid:
        services.claim_spot_check_reject(
            actor=users["analyst"], claim=rng.choice(paid), reason=SPOT_CHECK_REASON
        )


def _current_quarter(rng: random.Random, window: ClaimWindow, users) -> None:
    """Some claims validated, a few rejected, the rest still proposed; no sample yet."""
    coordinator = users["coordinator"]
    claims = list(Claim.objects.filter(window=window).order_by("pk"))
    spot_checked = set(
        Claim.objects.filter(status=S.SPOT_CHECK_REJECTED).values_list("family_id", "slot")
    )
    rest = []
    for claim in claims:
        if (claim.family_id, claim.slot) in spot_checked:
            services.claim_reject(actor=coordinator, claim=claim, reason=AFTER_SPOT_CHECK)
        else:
            rest.append(claim)
    rng.shuffle(rest)
    rejections = min(len(REJECTIONS), max(1, len(rest) // 60))
    for claim, reason in zip(rest, rng.sample(REJECTIONS, rejections), strict=False):
        services.claim_reject(actor=coordinator, claim=claim, reason=reason)
    services.claims_validate(
        actor=coordinator,
        window=window,
        claims=rest[rejections : rejections + len(rest) * 55 // 100],
    )


def seed(rng: random.Random, context: dict) -> None:
    authority = context["authority"]
    if ClaimWindow.objects.filter(local_authority=authority).exists():
        return
    users = context["users"]
    today = timezone.localdate()
    previous_cutoff, cutoff = previous_quarter_end(today), quarter_end(today)
    # The results of the families whose progress broke down after the previous cut-off,
    # as they stood then, so that they show as lapsed once refreshed today.
    courses = context.get("demo_courses", {})
    lapsed = [family_id for family_id, course in courses.items() if course.lapse_on]
    if lapsed:
        services.results_refresh(authority=authority, as_of=previous_cutoff, family_ids=lapsed)
    previous = _window(
        users["analyst"], authority, previous_cutoff, previous_cutoff + timedelta(weeks=8)
    )
    _previous_quarter(rng, previous, users, set(lapsed), today)
    current = _window(
        users["analyst"], authority, cutoff, max(cutoff + timedelta(weeks=8), today + timedelta(14))
    )
    _current_quarter(rng, current, users)
    services.results_refresh(authority=authority, as_of=today)
    summary = []
    for window in (previous, current):
        window.refresh_from_db()
        rows = list(Claim.objects.filter(window=window).values_list("status", "slot"))
        by_status: dict[str, int] = {}
        for status, _ in rows:
            by_status[status] = by_status.get(status, 0) + 1
        results = sum(slot != ATTACHMENT_FEE for _, slot in rows)
        summary.append(
            f"{window.name}, {window.get_stage_display().lower()}: {len(rows)} claims "
            f"({results} for results; "
            + ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
            + ")"
        )
    context["stdout"].write("Claims: " + "; ".join(summary) + ".")
