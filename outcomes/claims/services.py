"""Writes for results tracking and claims (claims.md). The rules are pure functions in
eligibility.rules (results, rules.claims); these functions load, call them and persist,
each in one transaction with its audit rows. Every state change is a conditional update,
so a step sent twice happens once."""

import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, QuerySet, Sum
from django.utils import timezone

from eligibility import rules
from eligibility.models import FrameworkVersion, Screening
from eligibility.rules import claims as claim_rules
from eligibility.rules.dates import months_after
from eligibility.selectors import active_framework, framework_in_force, households_for
from families.models import Family
from outcomes.claims.models import (
    LIVE,
    Claim,
    ClaimRun,
    ClaimWindow,
    ResultsTarget,
    ResultTracking,
)
from outcomes.models import Assessment, Closure, Goal
from tafcase.accounts.models import LocalAuthority, User
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_event, audit_record
from tafcase.errors import Conflict
from tafcase.idempotency.services import idempotency_claim, idempotency_record

log = logging.getLogger(__name__)

BATCH = 500
Progress = Callable[[ClaimRun], None]


# --- loading what the rules need, a batch at a time -------------------------------------


def attached_families(authority: LocalAuthority, as_of: date) -> QuerySet[Family]:
    """Families attached to the programme on or before a date."""
    return Family.objects.filter(
        local_authority=authority, programme_start__isnull=False, programme_start__lte=as_of
    ).order_by("pk")


def _batches(families: QuerySet[Family]) -> Iterator[list[Family]]:
    last = 0
    while True:
        batch = list(families.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


@dataclass(frozen=True)
class _Batch:
    """What the rules need about a batch of families, loaded in a fixed number of queries."""

    households: dict[int, rules.Household]
    assessed: set[int]
    goal_criteria: dict[int, set[str]]
    closed_on: dict[int, date]
    overridden: set[int]

    @classmethod
    def load(cls, families: list[Family], as_of: date) -> "_Batch":
        ids = [f.pk for f in families]
        goal_criteria: dict[int, set[str]] = defaultdict(set)
        for family_id, criterion in Goal.objects.filter(family_id__in=ids).values_list(
            "family_id", "criterion"
        ):
            if criterion:
                goal_criteria[family_id].add(criterion)
        closed = (
            Closure.objects.filter(family_id__in=ids, closed_on__lte=as_of)
            .values("family_id")
            .annotate(last=Max("closed_on"))
        )
        screenings = Screening.objects.filter(nomination__family_id__in=ids).values_list(
            "nomination__family_id", "outcome", "rulebook_eligible"
        )
        return cls(
            households=households_for(families, as_of),
            assessed=set(
                Assessment.objects.filter(
                    family_id__in=ids,
                    status=Assessment.Status.COMPLETED,
                    completed_on__lte=as_of,
                ).values_list("family_id", flat=True)
            ),
            goal_criteria=goal_criteria,
            closed_on={row["family_id"]: row["last"] for row in closed},
            overridden={
                family_id
                for family_id, outcome, eligible in screenings
                if (outcome == Screening.Outcome.ELIGIBLE) != eligible
            },
        )

    def case(self, family: Family, needs: Sequence[str]) -> rules.CaseFacts:
        return rules.CaseFacts(
            lead_practitioner=family.lead_professional_id is not None,
            assessment=family.pk in self.assessed,
            plan_covers_all_needs=set(needs) <= self.goal_criteria[family.pk],
            closed_on=self.closed_on.get(family.pk),
        )


# --- results tracking -----------------------------------------------------------------


@dataclass(frozen=True)
class RefreshResult:
    families: int
    met: int
    lapsed: int


def _tracked_status(previous: ResultTracking | None, status: str, claimed: bool) -> str:
    S = ResultTracking.Status
    if claimed:
        return S.CLAIMED
    was_holding = previous is not None and previous.status in (S.MET, S.LAPSED)
    if was_holding and status != S.MET:
        return S.LAPSED
    return status


def results_refresh(
    *, authority: LocalAuthority, as_of: date | None = None, family_ids: Sequence[int] = ()
) -> RefreshResult:
    """Re-evaluate every attached family's results as of a date (today by default):
    after a data-match run, when case facts change and nightly. A result that was met and
    no longer is becomes lapsed, naming the outcome that stopped holding."""
    as_of = as_of or timezone.localdate()
    framework = framework_in_force(authority)
    families = attached_families(authority, as_of)
    if family_ids:
        families = families.filter(pk__in=list(family_ids))
    counts = {"families": 0, "met": 0, "lapsed": 0}
    for batch in _batches(families):
        with transaction.atomic():
            _refresh_batch(authority, framework, batch, as_of, counts)
    return RefreshResult(**counts)


# When a result was last evaluated: stamped on every row, changed or not.
_EVALUATED = ("evaluated_on", "evaluated_at")


def _refresh_batch(authority, framework, batch: list[Family], as_of: date, counts) -> None:
    loaded = _Batch.load(batch, as_of)
    ids = [f.pk for f in batch]
    existing = {
        (row.family_id, row.code): row
        for row in ResultTracking.objects.select_for_update().filter(
            family_id__in=ids, framework_code=framework.code
        )
    }
    claimed = set(
        Claim.objects.filter(LIVE, family_id__in=ids, framework_code=framework.code).values_list(
            "family_id", "result_code"
        )
    )
    now = timezone.now()
    rows_new, rows_changed, rows_unchanged = [], [], []
    for family in batch:
        household = loaded.households[family.pk]
        attached = family.programme_start
        assert attached is not None
        needs = [c.code for c in claim_rules.needs_met(household, attached, framework)]
        case = loaded.case(family, needs)
        for result in rules.results(household, attached, as_of, framework, case=case):
            previous = existing.get((family.pk, result.code))
            status = _tracked_status(
                previous, result.status.value, (family.pk, result.code) in claimed
            )
            S = ResultTracking.Status
            lapsed_because: dict = {}
            if status == S.LAPSED:
                broken = [o.to_dict() for o in result.outcomes if not o.holds]
                lapsed_because = (
                    previous.lapsed_because
                    if previous is not None and previous.status == S.LAPSED
                    else {"on": as_of.isoformat(), "outcomes": broken}
                )
            holding = status in (S.MET, S.CLAIMED)
            met_since = (
                (previous.met_since if previous and previous.met_since else as_of)
                if holding
                else None
            )
            counts["met"] += status == S.MET
            counts["lapsed"] += status == S.LAPSED
            values = {
                "local_authority_id": authority.pk,
                "framework_version": framework.version,
                "label": result.label,
                "status": status,
                "could_first_be_met": result.could_first_be_met,
                "met_since": met_since,
                "explanation": result.explanation,
                "detail": result.to_dict(),
                "lapsed_because": lapsed_because,
                "evaluated_on": as_of,
                "evaluated_at": now,
            }
            if previous is None:
                rows_new.append(
                    ResultTracking(
                        family_id=family.pk,
                        framework_code=framework.code,
                        code=result.code,
                        **values,
                    )
                )
            elif any(
                getattr(previous, name) != value
                for name, value in values.items()
                if name not in _EVALUATED
            ):
                for name, value in values.items():
                    setattr(previous, name, value)
                rows_changed.append(previous)
            else:
                rows_unchanged.append(previous.pk)
        counts["families"] += 1
    ResultTracking.objects.bulk_create(rows_new)
    ResultTracking.objects.bulk_update(
        rows_changed,
        [
            "local_authority_id",
            "framework_version",
            "label",
            "status",
            "could_first_be_met",
            "met_since",
            "explanation",
            "detail",
            "lapsed_because",
            *_EVALUATED,
        ],
    )
    # Most nights most results are as they were: one statement stamps them all.
    ResultTracking.objects.filter(pk__in=rows_unchanged).update(
        evaluated_on=as_of, evaluated_at=now
    )


# --- windows and runs -----------------------------------------------------------------


@transaction.atomic
def claim_window_open(
    *,
    actor: User,
    authority: LocalAuthority,
    name: str,
    cutoff_date: date,
    deadline: date,
    earliest_closure: date | None = None,
    sample_percent: int = 10,
) -> ClaimWindow:
    """Open a claim window for the authority's framework in force. SF2022 windows claim
    closures from 24 months before the cut-off unless told otherwise."""
    if deadline < cutoff_date:
        raise ValidationError({"deadline": "The deadline must be on or after the cut-off date."})
    row: FrameworkVersion | None = active_framework(authority)
    framework = framework_in_force(authority)
    if earliest_closure is None and framework.code == "SF2022":
        earliest_closure = months_after(cutoff_date, -24)
    already_open = (
        "This authority already has an open claim window for its framework: submit it "
        "before opening another."
    )
    if (
        ClaimWindow.objects.filter(local_authority=authority, framework_code=framework.code)
        .exclude(stage=ClaimWindow.Stage.SUBMITTED)
        .exists()
    ):
        raise ValidationError(already_open)
    try:
        # Two windows opened at the same moment: the database's one-open-window rule
        # refuses the second, which reads as the same refusal.
        with transaction.atomic():
            window = ClaimWindow.objects.create(
                local_authority=authority,
                framework=row,
                framework_code=framework.code,
                name=name,
                cutoff_date=cutoff_date,
                deadline=deadline,
                earliest_closure=earliest_closure,
                sample_percent=sample_percent,
                created_by=actor,
            )
    except IntegrityError:
        raise ValidationError(already_open) from None
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=window,
        summary=f"Claim window {name}, cut-off {cutoff_date:%Y-%m-%d}",
    )
    return window


def _window_framework(window: ClaimWindow) -> rules.Framework:
    if window.framework is not None:
        return window.framework.framework
    return rules.DEFAULT_FRAMEWORK


@transaction.atomic
def claim_run_start(*, actor: User, window: ClaimWindow, queue: bool = True) -> ClaimRun:
    """Queue a claim run; one at a time per window, and only while the window is open."""
    if _stage(window.pk) != ClaimWindow.Stage.OPEN:
        raise ValidationError("Claims can only be proposed while the window is open.")
    try:
        with transaction.atomic():
            run = ClaimRun.objects.create(window=window, started_by=actor)
    except IntegrityError:
        raise ValidationError("A claim run for this window is already going.") from None
    audit_record(actor=actor, action=AuditEvent.Action.CREATED, obj=run, summary=window.name)
    if queue:
        _send_to_worker(run.pk)
    return run


class RunSuperseded(Exception):
    """The run is no longer this worker's: it was found stale and queued again (another
    worker may be doing it now) or failed. The worker stops without writing more."""


def _owned(run: ClaimRun) -> QuerySet[ClaimRun]:
    """The run's row, while it is still running under the attempt this worker claimed."""
    return ClaimRun.objects.filter(pk=run.pk, status=ClaimRun.Status.RUNNING, attempts=run.attempts)


def _send_to_worker(run_id: int) -> None:
    from outcomes.tasks import claim_run

    transaction.on_commit(lambda: claim_run.delay(run_id))


def claim_run_execute(*, run_id: int, on_progress: Progress | None = None) -> ClaimRun | None:
    """Run a queued claim run. Safe to deliver twice: only the delivery that moves the
    run from queued to running does anything; re-running a window proposes only claims
    whose slot is still free, so unchanged data creates nothing new, and a run queued
    again after its worker died simply starts from the first family."""
    now = timezone.now()
    started = ClaimRun.objects.filter(pk=run_id, status=ClaimRun.Status.QUEUED).update(
        status=ClaimRun.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        percent=0,
        families_done=0,
        attempts=F("attempts") + 1,
    )
    if not started:
        return None
    run = ClaimRun.objects.select_related("window__local_authority", "window__framework").get(
        pk=run_id
    )
    try:
        _claim_run(run, on_progress)
    except RunSuperseded:
        log.warning("Claim run %s attempt %s was superseded; stopped", run.pk, run.attempts)
        return None
    except Exception:
        log.exception("Claim run %s failed", run_id)
        _owned(run).update(
            status=ClaimRun.Status.FAILED,
            finished_at=timezone.now(),
            error="The run stopped with an error; nothing it found in its last batch was "
            "kept. Start it again, and tell support if it fails twice.",
        )
        raise
    run.refresh_from_db()
    return run


def _claim_run(run: ClaimRun, on_progress: Progress | None) -> None:
    window = run.window
    framework = _window_framework(window)
    as_of = window.cutoff_date
    families = attached_families(window.local_authority, as_of)
    run.families_total = families.count()
    if not _owned(run).update(families_total=run.families_total, heartbeat_at=timezone.now()):
        raise RunSuperseded
    for batch in _batches(families):
        with transaction.atomic():
            # Locks the run's row first: a second worker on the same run (delivered again
            # after the sweeper gave up on this one) waits here, then finds it is not its own.
            run.families_done += len(batch)
            run.percent = min(99, run.families_done * 100 // max(run.families_total, 1))
            if not _owned(run).update(
                families_done=run.families_done, percent=run.percent, heartbeat_at=timezone.now()
            ):
                raise RunSuperseded
            _propose_batch(window, framework, batch, as_of)
        if on_progress:
            on_progress(run)
    run.claims_proposed = Claim.objects.filter(window=window, adjustment_of__isnull=True).count()
    run.finished_at = timezone.now()
    with transaction.atomic():
        if not _owned(run).update(
            claims_proposed=run.claims_proposed,
            status=ClaimRun.Status.SUCCEEDED,
            percent=100,
            finished_at=run.finished_at,
            heartbeat_at=run.finished_at,
        ):
            raise RunSuperseded
        audit_record(
            actor=run.started_by,
            action=AuditEvent.Action.UPDATED,
            obj=run,
            summary=f"Claim run finished: {run.claims_proposed} claims in {window.name}",
        )


def claim_runs_recover(*, now: datetime | None = None) -> dict[str, list[int]]:
    """Recover claim runs whose worker has gone (beat, every minute). A running run with
    no heartbeat for CLAIM_RUN_HEARTBEAT_TIMEOUT_MINUTES is queued again until it has been
    tried CLAIM_RUN_MAX_ATTEMPTS times, then failed with the reason on the window page (so
    a new run can be started); a queued run no worker picked up is sent again. Conditional
    updates throughout, so a worker that wakes up stops at its next batch."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.CLAIM_RUN_HEARTBEAT_TIMEOUT_MINUTES)
    result: dict[str, list[int]] = {"requeued": [], "failed": [], "resent": []}
    stale = ClaimRun.objects.filter(status=ClaimRun.Status.RUNNING, heartbeat_at__lt=cutoff)
    for run in stale.order_by("pk"):
        with transaction.atomic():
            row = _owned(run).filter(heartbeat_at__lt=cutoff)
            if run.attempts < settings.CLAIM_RUN_MAX_ATTEMPTS:
                if not row.update(status=ClaimRun.Status.QUEUED, heartbeat_at=now):
                    continue
                summary = (
                    f"Claim run queued again: no word from its worker (attempt "
                    f"{run.attempts} of {settings.CLAIM_RUN_MAX_ATTEMPTS})"
                )
                _send_to_worker(run.pk)
                result["requeued"].append(run.pk)
            else:
                error = (
                    f"The worker stopped responding on each of {run.attempts} attempts, so "
                    "the run was stopped. Claims it proposed are kept. Start a new run; if it "
                    "stops again, ask for the background worker to be checked."
                )
                if not row.update(
                    status=ClaimRun.Status.FAILED, finished_at=now, heartbeat_at=now, error=error
                ):
                    continue
                summary = "Claim run failed: its worker stopped responding"
                result["failed"].append(run.pk)
            audit_record(actor=None, action=AuditEvent.Action.UPDATED, obj=run, summary=summary)
    waiting = ClaimRun.objects.filter(status=ClaimRun.Status.QUEUED, heartbeat_at__lt=cutoff)
    for run in waiting.order_by("pk"):
        with transaction.atomic():
            # Renewing the heartbeat means one more message per timeout, not per sweep.
            if waiting.filter(pk=run.pk).update(heartbeat_at=now):
                _send_to_worker(run.pk)
                result["resent"].append(run.pk)
    return result


def _propose_batch(window: ClaimWindow, framework: rules.Framework, batch, as_of: date) -> None:
    loaded = _Batch.load(batch, as_of)
    ids = [f.pk for f in batch]
    taken: dict[int, set[str]] = defaultdict(set)
    totals: dict[int, int] = defaultdict(int)
    for family_id, slot, amount in Claim.objects.filter(
        LIVE, family_id__in=ids, framework_code=framework.code
    ).values_list("family_id", "slot", "amount"):
        taken[family_id].add(slot)
        totals[family_id] += amount
    new = []
    for family in batch:
        household = loaded.households[family.pk]
        attached = family.programme_start
        assert attached is not None
        needs_at = claim_rules.needs_met(household, attached, framework)
        needs_now = {c.code for c in claim_rules.needs_met(household, as_of, framework)}
        codes_at = [c.code for c in needs_at]
        case = loaded.case(family, codes_at)
        statuses = rules.results(household, attached, as_of, framework, case=case)
        facts = claim_rules.FamilyClaims(
            attachment=attached,
            closed_on=case.closed_on,
            needs_added=tuple(sorted(needs_now - set(codes_at))),
            screening_overridden=family.pk in loaded.overridden,
            taken_slots=frozenset(taken[family.pk]),
            claimed_total=totals[family.pk],
        )
        for proposal in claim_rules.proposals(
            statuses,
            facts,
            framework,
            as_of=as_of,
            earliest_closure=window.earliest_closure,
        ):
            new.append(_claim_from(window, framework, family, proposal, facts, case, needs_at))
    # The unique constraint on live slots makes a second delivery racing this one harmless.
    Claim.objects.bulk_create(new, ignore_conflicts=True)


def _claim_from(window, framework, family, proposal, facts, case, needs_at) -> Claim:
    result = proposal.result
    snapshot = {
        "framework": {
            "code": framework.code,
            "version": framework.version,
            "label": framework.label,
        },
        "parameters": framework.parameters.to_dict(),
        "cutoff_date": window.cutoff_date.isoformat(),
        "attachment_date": facts.attachment.isoformat(),
        "closure_date": facts.closed_on.isoformat() if facts.closed_on else None,
        "needs_at_attachment": [c.to_dict() for c in needs_at],
        "needs_added": list(facts.needs_added),
        "case": {
            "lead_practitioner": case.lead_practitioner,
            "assessment": case.assessment,
            "plan_covers_all_needs": case.plan_covers_all_needs,
        },
        "result": result.to_dict(),
        "amount": proposal.amount,
        "flags": list(proposal.flags),
        "sustained_from": proposal.sustained_from.isoformat() if proposal.sustained_from else None,
        "sustained_to": proposal.sustained_to.isoformat() if proposal.sustained_to else None,
    }
    return Claim(
        window=window,
        family=family,
        local_authority_id=window.local_authority_id,
        framework_code=framework.code,
        framework_version=framework.version,
        result_code=result.code,
        result_label=result.label,
        slot=proposal.slot,
        amount=proposal.amount,
        attachment_date=facts.attachment,
        closure_date=facts.closed_on,
        sustained_from=proposal.sustained_from,
        sustained_to=proposal.sustained_to,
        flags=list(proposal.flags),
        snapshot=snapshot,
    )


# --- validation, the audit sample, declaration and submission --------------------------


def _move(claim: Claim, frm: Sequence[str], **changes) -> bool:
    """Change a claim only from the expected statuses: the second of two identical
    requests changes nothing."""
    return bool(Claim.objects.filter(pk=claim.pk, status__in=list(frm)).update(**changes))


def _claim_audit(actor: User, claim: Claim, summary: str, **changes) -> None:
    _claim_audit_event(actor, claim, summary, **changes).save()


def _claim_audit_event(actor: User, claim: Claim, summary: str, **changes) -> AuditEvent:
    return audit_event(
        actor=actor,
        action=AuditEvent.Action.TRANSITIONED,
        obj=claim,
        family_id=claim.family_id,
        summary=summary,
        changes={k: [None, str(v)] for k, v in changes.items()},
    )


def _move_many(claims: Sequence[Claim], frm: Sequence[str], **changes) -> list[Claim]:
    """_move for many claims in two statements: the ones still in an expected status are
    locked and changed; returns them in the order given (the order of their audit rows)."""
    movable = set(
        Claim.objects.select_for_update()
        .filter(pk__in=[c.pk for c in claims], status__in=list(frm))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Claim.objects.filter(pk__in=movable).update(**changes)
    return [c for c in claims if c.pk in movable]


def _stage(window_id: int) -> str:
    """The window's stage as stored now, locked until the transaction ends, whatever an
    object in memory says."""
    return ClaimWindow.objects.select_for_update().values_list("stage", flat=True).get(pk=window_id)


def _window_open(claim: Claim) -> None:
    if _stage(claim.window_id) != ClaimWindow.Stage.OPEN:
        raise ValidationError("The window's audit sample is drawn: claims can no longer change.")


@transaction.atomic
def claim_validate(*, actor: User, claim: Claim) -> bool:
    """The coordinator confirms a proposed claim. True if this call changed it."""
    _window_open(claim)
    S = Claim.Status
    done = _move(
        claim, [S.PROPOSED], status=S.VALIDATED, validated_by=actor, validated_at=timezone.now()
    )
    if done:
        _claim_audit(actor, claim, f"{claim} validated")
    return done


@transaction.atomic
def claims_validate(*, actor: User, window: ClaimWindow, claims: Sequence[Claim]) -> list[Claim]:
    """claim_validate for many claims of one window (validating every proposed claim),
    in a fixed number of queries. Claims not proposed any more are left as they are;
    returns the ones this call validated."""
    if any(c.window_id != window.pk for c in claims):
        raise ValidationError("Validate the claims of one window at a time.")
    if _stage(window.pk) != ClaimWindow.Stage.OPEN:
        raise ValidationError("The window's audit sample is drawn: claims can no longer change.")
    S = Claim.Status
    done = _move_many(
        claims, [S.PROPOSED], status=S.VALIDATED, validated_by=actor, validated_at=timezone.now()
    )
    AuditEvent.objects.bulk_create([_claim_audit_event(actor, c, f"{c} validated") for c in done])
    return done


@transaction.atomic
def claim_reject(*, actor: User, claim: Claim, reason: str) -> bool:
    _window_open(claim)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the claim is rejected."})
    S = Claim.Status
    done = _move(
        claim,
        [S.PROPOSED, S.VALIDATED],
        status=S.REJECTED,
        rejection_reason=reason.strip(),
        validated_by=actor,
        validated_at=timezone.now(),
    )
    if done:
        _claim_audit(actor, claim, f"{claim} rejected", reason=reason.strip())
    return done


@transaction.atomic
def window_sample_draw(*, actor: User, window: ClaimWindow, seed: int | None = None) -> list[int]:
    """Draw the audit sample: every flagged validated claim plus the window's percentage
    of the rest, from a stored seed (a re-draw with it gives the same claims)."""
    window = ClaimWindow.objects.select_for_update().get(pk=window.pk)
    if window.stage != ClaimWindow.Stage.OPEN:
        raise ValidationError("The audit sample for this window is already drawn.")
    claims = Claim.objects.filter(window=window)
    if claims.filter(status=Claim.Status.PROPOSED).exists():
        raise ValidationError("Validate or reject every proposed claim before the sample.")
    validated = claims.filter(status=Claim.Status.VALIDATED)
    if not validated.exists():
        raise ValidationError("There are no validated claims to sample.")
    seed = seed if seed is not None else secrets.randbelow(2**31)
    flagged = validated.exclude(flags=[]).values_list("pk", flat=True)
    chosen = claim_rules.audit_sample(
        validated.values_list("pk", flat=True),
        flagged,
        percent=window.sample_percent,
        seed=seed,
    )
    Claim.objects.filter(pk__in=chosen).update(sampled=True)
    window.stage = ClaimWindow.Stage.SAMPLED
    window.sample_seed = seed
    window.sampled_by = actor
    window.sampled_at = timezone.now()
    window.save(update_fields=["stage", "sample_seed", "sampled_by", "sampled_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.TRANSITIONED,
        obj=window,
        summary=f"Audit sample drawn: {len(chosen)} claims, seed {seed}",
    )
    return chosen


@transaction.atomic
def claim_audit_decide(*, actor: User, claim: Claim, passed: bool, note: str) -> bool:
    """The auditor passes or fails a sampled claim; never one they validated."""
    if _stage(claim.window_id) != ClaimWindow.Stage.SAMPLED or not claim.sampled:
        raise ValidationError("Only claims in a drawn audit sample are audited.")
    if claim.validated_by_id == actor.pk:
        raise ValidationError("You validated this claim, so someone else must audit it.")
    if not passed and not note.strip():
        raise ValidationError({"note": "Say why the claim fails audit."})
    S = Claim.Status
    done = _move(
        claim,
        [S.VALIDATED],
        status=S.AUDIT_PASSED if passed else S.AUDIT_FAILED,
        audited_by=actor,
        audited_at=timezone.now(),
        audit_note=note.strip(),
    )
    if done:
        _claim_audit(actor, claim, f"{claim} {'passed' if passed else 'failed'} audit")
    return done


def window_totals(window: ClaimWindow) -> list[dict[str, Any]]:
    """Claims and amounts by result, of the claims that go forward (no names)."""
    S = Claim.Status
    rows = (
        Claim.objects.filter(
            window=window, status__in=[S.VALIDATED, S.AUDIT_PASSED, S.SUBMITTED, S.PAID]
        )
        .values("result_code", "result_label")
        .annotate(claims=Count("pk"), amount=Sum("amount"))
        .order_by("result_code")
    )
    return [dict(row) for row in rows]


@transaction.atomic
def window_declare(*, actor: User, window: ClaimWindow) -> bool:
    """The senior responsible officer declares the window's totals."""
    if _stage(window.pk) != ClaimWindow.Stage.SAMPLED:
        raise ValidationError("Draw the audit sample before the declaration.")
    if Claim.objects.filter(window=window, sampled=True, status=Claim.Status.VALIDATED).exists():
        raise ValidationError("Every sampled claim must pass or fail audit first.")
    done = ClaimWindow.objects.filter(pk=window.pk, stage=ClaimWindow.Stage.SAMPLED).update(
        stage=ClaimWindow.Stage.DECLARED, declared_by=actor, declared_at=timezone.now()
    )
    if done:
        audit_record(
            actor=actor, action=AuditEvent.Action.TRANSITIONED, obj=window, summary="Declared"
        )
    return bool(done)


@transaction.atomic
def window_submit(*, actor: User, window: ClaimWindow) -> bool:
    """Submit a declared window: its claims are claimed and the window is locked."""
    if _stage(window.pk) != ClaimWindow.Stage.DECLARED:
        raise ValidationError("The senior responsible officer must declare the window first.")
    done = ClaimWindow.objects.filter(pk=window.pk, stage=ClaimWindow.Stage.DECLARED).update(
        stage=ClaimWindow.Stage.SUBMITTED, submitted_by=actor, submitted_at=timezone.now()
    )
    if done:
        S = Claim.Status
        Claim.objects.filter(window=window, status__in=[S.VALIDATED, S.AUDIT_PASSED]).update(
            status=S.SUBMITTED
        )
        audit_record(
            actor=actor, action=AuditEvent.Action.TRANSITIONED, obj=window, summary="Submitted"
        )
    return bool(done)


def _window_submitted(claim: Claim) -> None:
    if _stage(claim.window_id) != ClaimWindow.Stage.SUBMITTED:
        raise ValidationError("The claim's window is not submitted yet: submit it first.")


@transaction.atomic
def claim_payment_record(*, actor: User, claim: Claim, paid_on: date) -> bool:
    """Record that a submitted claim was paid. True if this call changed it; recording the
    same date again changes nothing, another date is a Conflict (it was paid already)."""
    _window_submitted(claim)
    S = Claim.Status
    done = _move(claim, [S.SUBMITTED], status=S.PAID, paid_on=paid_on)
    if done:
        _claim_audit(actor, claim, f"{claim} paid", paid_on=paid_on)
        return True
    claim.refresh_from_db(fields=["status", "paid_on"])
    if claim.status != S.PAID:
        shown = claim.get_status_display().lower()
        raise ValidationError(f"Only a claim that was claimed is paid; this one is {shown}.")
    if claim.paid_on != paid_on:
        raise Conflict(
            f"This claim was already recorded as paid on {claim.paid_on:%-d %B %Y}, so "
            "nothing was changed."
        )
    return False


@transaction.atomic
def claims_payment_record(
    *, actor: User, window: ClaimWindow, claims: Sequence[Claim], paid_on: date
) -> list[Claim]:
    """claim_payment_record for many claims of one submitted window (a remittance paying
    them on one date), in a fixed number of queries. Claims not awaiting payment are left
    as they are; returns the ones this call recorded as paid."""
    if any(c.window_id != window.pk for c in claims):
        raise ValidationError("Record the payments of one window at a time.")
    if _stage(window.pk) != ClaimWindow.Stage.SUBMITTED:
        raise ValidationError("The claim's window is not submitted yet: submit it first.")
    S = Claim.Status
    done = _move_many(claims, [S.SUBMITTED], status=S.PAID, paid_on=paid_on)
    AuditEvent.objects.bulk_create(
        [_claim_audit_event(actor, c, f"{c} paid", paid_on=paid_on) for c in done]
    )
    return done


@transaction.atomic
def claim_spot_check_reject(*, actor: User, claim: Claim, reason: str) -> bool:
    """Record that the national spot check rejected a claimed or paid claim. True if this
    call changed it; a claim already rejected at the spot check is left as it is."""
    if claim.adjustment_of_id is not None:
        raise ValidationError(
            "An adjustment is not rejected at the spot check: record the rejection on the "
            "claim it adjusts."
        )
    _window_submitted(claim)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the national spot check rejected it."})
    S = Claim.Status
    done = _move(
        claim,
        [S.SUBMITTED, S.PAID],
        status=S.SPOT_CHECK_REJECTED,
        rejection_reason=reason.strip(),
    )
    if done:
        _claim_audit(actor, claim, f"{claim} rejected at spot check", reason=reason.strip())
        return True
    claim.refresh_from_db(fields=["status"])
    if claim.status != S.SPOT_CHECK_REJECTED:
        shown = claim.get_status_display().lower()
        raise ValidationError(
            "Only a claim that was claimed or paid is rejected at the spot check; this one "
            f"is {shown}."
        )
    return False


@transaction.atomic
def claim_adjust(
    *,
    actor: User,
    claim: Claim,
    window: ClaimWindow,
    amount: int,
    reason: str,
    idempotency_key: str | None = None,
) -> Claim:
    """Correct a submitted claim: an adjustment record (usually a negative amount) in a
    later open window of the same authority and framework; the claim itself never changes.
    Sent again with the same ``idempotency_key``, returns the first adjustment
    (tafcase.idempotency); the key used before for another claim is a Conflict."""
    if earlier := idempotency_claim(user=actor, key=idempotency_key, model=Claim):
        if earlier.adjustment_of_id != claim.pk:
            raise Conflict(
                "This request was sent before for another claim, so it was not repeated."
            )
        return earlier
    if claim.adjustment_of_id is not None:
        raise ValidationError("An adjustment is not adjusted again: adjust the original claim.")
    if _stage(claim.window_id) != ClaimWindow.Stage.SUBMITTED:
        raise ValidationError("Only a submitted claim is adjusted; change it in its window.")
    if amount == 0:
        raise ValidationError({"amount": "An adjustment of £0 changes nothing."})
    # Locks the claim's row, so two adjustments at once cannot both take back the rest.
    Claim.objects.select_for_update().filter(pk=claim.pk).exists()
    adjusted = (
        Claim.objects.filter(adjustment_of=claim).aggregate(total=Sum("amount"))["total"] or 0
    )
    net = claim.amount + adjusted
    if net + amount < 0:
        raise ValidationError(
            {"amount": f"That takes back more than was claimed: at most £{net:,} can be."}
        )
    if (
        _stage(window.pk) != ClaimWindow.Stage.OPEN
        or window.local_authority_id != claim.local_authority_id
        or window.framework_code != claim.framework_code
    ):
        raise ValidationError({"window": "Choose an open window of the same framework."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the claim is adjusted."})
    adjustment = Claim.objects.create(
        window=window,
        family_id=claim.family_id,
        local_authority_id=claim.local_authority_id,
        framework_code=claim.framework_code,
        framework_version=claim.framework_version,
        result_code=claim.result_code,
        result_label=claim.result_label,
        slot=claim.slot,
        amount=amount,
        attachment_date=claim.attachment_date,
        closure_date=claim.closure_date,
        status=Claim.Status.VALIDATED,
        validated_by=actor,
        validated_at=timezone.now(),
        adjustment_of=claim,
        snapshot={"adjustment_of": claim.pk, "reason": reason.strip(), "amount": amount},
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=adjustment,
        family_id=claim.family_id,
        summary=f"Adjustment of {claim}: £{amount}",
        changes={"reason": [None, reason.strip()]},
    )
    idempotency_record(user=actor, key=idempotency_key, obj=adjustment)
    return adjustment


def results_target_set(*, actor: User, authority: LocalAuthority, target: int) -> ResultsTarget:
    """The number of results the authority aims to claim; the pipeline reads against it."""
    with transaction.atomic():
        previous = (
            ResultsTarget.objects.select_for_update().filter(local_authority=authority).first()
        )
        if previous is not None and previous.target == target:
            return previous
        row, _ = ResultsTarget.objects.update_or_create(
            local_authority=authority,
            defaults={"target": target, "set_by": actor, "set_at": timezone.now()},
        )
        before = f" (was {previous.target})" if previous else ""
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATED,
            obj=row,
            summary=f"Results target set to {target}{before}",
        )
    return row
