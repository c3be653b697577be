"""Writes for casework. Each runs in one transaction and writes its audit row; rules come
from outcomes.casework; the family's lifecycle moves only through family_transition."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Round
from django.utils import timezone

from eligibility.selectors import agencies_for, criteria_choices
from families import services as family_services
from families.models import Family, Membership
from outcomes import casework
from outcomes.claims import services as claim_services
from outcomes.models import (
    Action,
    Assessment,
    AssessmentAmendment,
    BudgetItem,
    Closure,
    DomainScore,
    FollowUp,
    Goal,
    Review,
    TierChange,
)
from tafcase.accounts.models import Role
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record
from tafcase.errors import Conflict, bump_version, set_once, unique_violation
from tafcase.idempotency.services import idempotency_claim, idempotency_record

A = AuditEvent.Action


def casework_settings() -> casework.CaseworkSettings:
    return casework.CaseworkSettings(
        review_interval=timedelta(weeks=settings.CASEWORK_REVIEW_WEEKS),
        follow_up_months=tuple(settings.CASEWORK_FOLLOW_UP_MONTHS),
        intensive_flag_months=settings.CASEWORK_INTENSIVE_FLAG_MONTHS,
        budget_approval_threshold=Decimal(settings.BUDGET_APPROVAL_THRESHOLD),
    )


def _bump(model, obj, expected_version: int, what: str) -> None:
    obj.version = bump_version(model, obj.pk, expected_version, what)


def _results_refresh_when_saved(family: Family) -> None:
    """A fact a result depends on (assessment, plan, closure) changed: re-evaluate the
    family's results once the change is committed (claims.md §1)."""
    transaction.on_commit(
        lambda: claim_services.results_refresh(
            authority=family.local_authority, family_ids=[family.pk]
        )
    )


def _audit(actor, obj, family_id, summary, action=A.UPDATED):
    audit_record(actor=actor, action=action, obj=obj, family_id=family_id, summary=summary)


# --- assessments ----------------------------------------------------------------------


@transaction.atomic
def assessment_start(*, actor, family: Family) -> Assessment:
    """The next occasion: Baseline first, then Review 1, 2 … Two starts at the same moment
    (a double click, two workers) make one: the second gets the assessment the first
    started, or a Conflict if that one is no longer open."""
    last = family.assessments.aggregate(n=Max("occasion"))["n"]
    if last is not None and family.assessments.filter(status=Assessment.Status.OPEN).exists():
        raise ValidationError("Complete the open assessment before starting another.")
    domain_set = casework.APPENDIX_D
    occasion = 0 if last is None else last + 1
    try:
        # A savepoint, so the transaction is still usable when the other start won.
        with transaction.atomic():
            assessment = Assessment.objects.create(
                family=family,
                occasion=occasion,
                domain_set=domain_set.code,
                domain_set_version=domain_set.version,
                created_by=actor,
            )
    except IntegrityError as error:
        if not unique_violation(error, "one_assessment_per_occasion"):
            raise
        started = family.assessments.filter(occasion=occasion).first()
        if started is None or started.status != Assessment.Status.OPEN:
            raise Conflict(
                "Someone else started an assessment for this family at the same moment. "
                "Check the family's assessments."
            ) from error
        return started
    _audit(actor, assessment, family.pk, f"Started {assessment}", A.CREATED)
    return assessment


def _profiles(family_id: int, on: date) -> dict[int, casework.Profile]:
    """The profile each scored member is on (outcomes.selectors.subjects_for lists the same
    people): current members other than wider family, child or adult by age."""
    members = (
        Membership.objects.filter(family_id=family_id, ended_on__isnull=True)
        .exclude(role=Membership.Role.WIDER_FAMILY)
        .values_list("person_id", "person__dob", "role")
    )
    return {
        person_id: casework.member_profile(dob, on, listed_as_child=role == Membership.Role.CHILD)
        for person_id, dob, role in members
    }


def _score_changes(assessment: Assessment, scores: list[dict]) -> dict[str, list]:
    """Scores that a save changes, old and new, so the audit trail shows what an edit
    replaced (old is None for a domain scored for the first time), each named in words:
    "Housing (whole family)", "Physical health (Dana)"."""
    before: dict[tuple[int | None, str], int] = {
        (person_id, domain): score
        for person_id, domain, score in assessment.scores.values_list(
            "person_id", "domain", "score"
        )
    }
    changes: dict[str, list] = {}
    for s in scores:
        person_id = s["person"].pk if s["person"] is not None else None
        old = before.get((person_id, s["domain"]))
        if old != s["score"]:
            who = "whole family" if s["person"] is None else s["person"].forename
            label = casework.APPENDIX_D.domain(s["domain"]).label
            changes[f"{label} ({who})"] = [old, s["score"]]
    return changes


@transaction.atomic
def assessment_save(
    *,
    actor,
    assessment: Assessment,
    expected_version: int,
    scores: list[dict],
    family_view: str = "",
    strengths: str = "",
    contributors: str = "",
    complete: bool = False,
    no_formal_assessment: bool = False,
) -> Assessment:
    """Save scores (dicts of person or None, domain, score, rationale) and notes; the
    assessment stays open unless `complete`. A score that rises above the previous
    occasion's is flagged as more need found when the worker says so."""
    if assessment.status == Assessment.Status.COMPLETED:
        raise ValidationError(
            "This assessment is completed. Amend it, giving the reason, to change it."
        )
    domain_set = casework.APPENDIX_D
    profiles = _profiles(assessment.family_id, timezone.localdate())
    for s in scores:
        if not domain_set.has_domain(s["domain"]):
            raise ValidationError(f"Unknown domain {s['domain']!r}.")
        person = s["person"]
        profile = casework.Profile.FAMILY if person is None else profiles.get(person.pk)
        if profile is None:
            raise ValidationError("Scores can only be given for current members of the family.")
        domain = domain_set.domain(s["domain"])
        if domain.profile != profile:
            who = "the whole family" if person is None else person.forename
            raise ValidationError(
                f"{domain.label} is not scored for {who}: it is on the "
                f"{domain.profile.label.lower()}, and {who} is scored on the "
                f"{profile.label.lower()}."
            )
        if not 1 <= s["score"] <= domain_set.max_score:
            raise ValidationError("Scores run from 1 (none) to 5 (critical or complex).")
    if complete and not scores and not assessment.scores.exists() and not no_formal_assessment:
        raise ValidationError(
            "Score at least one domain, or record that no formal assessment was done and "
            "panel information was used."
        )
    _bump(Assessment, assessment, expected_version, "assessment")
    changes = _score_changes(assessment, scores)
    for s in scores:
        DomainScore.objects.update_or_create(
            assessment=assessment,
            person=s["person"],
            domain=s["domain"],
            defaults={
                "score": s["score"],
                "rationale": s.get("rationale", ""),
                "more_need_found": s.get("more_need_found", False),
            },
        )
    assessment.family_view = family_view
    assessment.strengths = strengths
    assessment.contributors = contributors
    assessment.no_formal_assessment = no_formal_assessment
    if complete:
        assessment.status = Assessment.Status.COMPLETED
        assessment.completed_on = timezone.localdate()
    assessment.save()
    if complete:
        assessment_means_store([assessment.pk])
        assessment.refresh_from_db(fields=["mean_score", "baseline_mean"])
    audit_record(
        actor=actor,
        action=A.UPDATED,
        obj=assessment,
        family_id=assessment.family_id,
        summary=f"{'Completed' if complete else 'Saved'} {assessment}: {len(scores)} scores",
        changes=changes,
    )
    if complete:
        _results_refresh_when_saved(assessment.family)
    return assessment


def assessment_means_store(assessment_ids) -> None:
    """Keep each completed assessment's mean domain score on it, and on its family's
    reviews the baseline's (reporting reads distance travelled from these). A few
    UPDATEs however many."""
    mean = (
        DomainScore.objects.filter(assessment=OuterRef("pk"))
        .values("assessment")
        .annotate(mean=Round(Avg("score"), 2))
        .values("mean")
    )
    Assessment.objects.filter(pk__in=assessment_ids, status=Assessment.Status.COMPLETED).update(
        mean_score=Subquery(mean)
    )
    _review_baselines_store(Assessment.objects.filter(pk__in=assessment_ids).values("family"))


def _review_baselines_store(family_ids) -> None:
    """Copy the families' completed baseline means onto their reviews (none while the
    baseline is open)."""
    baseline = Assessment.objects.filter(
        family=OuterRef("family"), occasion=0, status=Assessment.Status.COMPLETED
    ).values("mean_score")[:1]
    Assessment.objects.filter(family__in=family_ids, occasion__gte=1).update(
        baseline_mean=Subquery(baseline)
    )


@transaction.atomic
def assessment_amend(
    *, actor, assessment: Assessment, reason: str, expected_version: int
) -> AssessmentAmendment:
    """Reopen a completed assessment to correct it. The reason, who and when are kept
    with a copy of the scores and notes as they were, and the audit row says why; the
    worker then saves and completes it again as usual."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the assessment needs amending."})
    if assessment.status != Assessment.Status.COMPLETED:
        raise ValidationError("Only a completed assessment can be amended.")
    _bump(Assessment, assessment, expected_version, "assessment")
    previous = {
        "completed_on": assessment.completed_on.isoformat() if assessment.completed_on else None,
        "family_view": assessment.family_view,
        "strengths": assessment.strengths,
        "contributors": assessment.contributors,
        "no_formal_assessment": assessment.no_formal_assessment,
        "scores": [
            {
                "person": person_id,
                "domain": domain,
                "score": score,
                "rationale": rationale,
                "more_need_found": more,
            }
            for person_id, domain, score, rationale, more in assessment.scores.order_by(
                "pk"
            ).values_list("person_id", "domain", "score", "rationale", "more_need_found")
        ],
    }
    amendment = AssessmentAmendment.objects.create(
        assessment=assessment, reason=reason, amended_by=actor, previous=previous
    )
    completed_on = assessment.completed_on
    assessment.status = Assessment.Status.OPEN
    assessment.completed_on = None
    assessment.mean_score = None  # kept again when it is completed again
    assessment.save(update_fields=["status", "completed_on", "mean_score"])
    _review_baselines_store([assessment.family_id])
    audit_record(
        actor=actor,
        action=A.UPDATED,
        obj=assessment,
        family_id=assessment.family_id,
        summary=f"Reopened {assessment} to amend it: {reason}",
        changes={
            "status": [Assessment.Status.COMPLETED, Assessment.Status.OPEN],
            "completed_on": [completed_on.isoformat() if completed_on else None, None],
        },
    )
    return amendment


# --- plan -----------------------------------------------------------------------------


@transaction.atomic
def goal_add(
    *,
    actor,
    family: Family,
    title: str,
    criterion: str,
    target: str,
    members=(),
    idempotency_key: str | None = None,
) -> Goal:
    """A goal of the family's plan, linked to one of the rulebook's criteria (or none) and
    to members of this family only. Sent again with the same ``idempotency_key``, returns
    the first goal (tafcase.idempotency)."""
    codes = {code for code, _ in criteria_choices(family.local_authority)}
    if criterion and criterion not in codes:
        raise ValidationError({"criterion": "Choose one of the programme's criteria."})
    member_ids = set(family.memberships.values_list("person_id", flat=True))
    if any(person.pk not in member_ids for person in members):
        raise ValidationError({"members": "Choose members of this family."})
    if earlier := idempotency_claim(user=actor, key=idempotency_key, model=Goal):
        return earlier
    goal = Goal.objects.create(
        family=family, title=title, criterion=criterion, target=target, created_by=actor
    )
    goal.members.set(members)
    _audit(actor, goal, family.pk, f"Goal added: {title}", A.CREATED)
    idempotency_record(user=actor, key=idempotency_key, obj=goal)
    _results_refresh_when_saved(family)
    return goal


@transaction.atomic
def goal_set_status(*, actor, goal: Goal, status: str, expected_version: int) -> Goal:
    _bump(Goal, goal, expected_version, "goal")
    goal.status = status
    goal.save(update_fields=["status"])
    _audit(actor, goal, goal.family_id, f"Goal {goal.get_status_display().lower()}")
    return goal


@transaction.atomic
def action_add(
    *,
    actor,
    goal: Goal,
    description: str,
    due_on: date,
    owner_person=None,
    owner_agency=None,
    idempotency_key: str | None = None,
) -> Action:
    if (owner_person is None) == (owner_agency is None):
        raise ValidationError("Give the action one owner: a family member or an agency.")
    family = goal.family
    if owner_person is not None and not family.memberships.filter(person=owner_person).exists():
        raise ValidationError({"owner_person": "Choose a member of this family."})
    if (
        owner_agency is not None
        and not family.involvements.filter(agency=owner_agency, ended_on__isnull=True).exists()
    ):
        raise ValidationError(
            {"owner_agency": "Choose an agency on the family's Team Around the Family."}
        )
    if earlier := idempotency_claim(user=actor, key=idempotency_key, model=Action):
        return earlier
    action = Action.objects.create(
        goal=goal,
        description=description,
        due_on=due_on,
        owner_person=owner_person,
        owner_agency=owner_agency,
    )
    _audit(actor, action, goal.family_id, f"Action added: {description}", A.CREATED)
    idempotency_record(user=actor, key=idempotency_key, obj=action)
    return action


@transaction.atomic
def action_set_status(*, actor, action: Action, status: str, expected_version: int) -> Action:
    _bump(Action, action, expected_version, "action")
    action.status = status
    action.completed_on = timezone.localdate() if status == Goal.Status.ACHIEVED else None
    action.save(update_fields=["status", "completed_on"])
    _audit(actor, action, action.goal.family_id, f"Action {action.get_status_display().lower()}")
    return action


# --- reviews --------------------------------------------------------------------------


@transaction.atomic
def review_record(
    *,
    actor,
    family: Family,
    held_on: date,
    decisions: str,
    attendees=(),
    family_attended: bool = True,
    plan_progress: str = "",
    rescore: bool = False,
    idempotency_key: str | None = None,
) -> Review:
    """Record a review; schedule the next one; optionally start the re-scoring
    assessment (Review n) that this review's scores go into. Sent again with the same
    ``idempotency_key``, returns the first review (tafcase.idempotency)."""
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "A review cannot be recorded before it is held."})
    allowed = set(agencies_for(family.local_authority).values_list("pk", flat=True))
    if any(agency.pk not in allowed for agency in attendees):
        raise ValidationError({"attendees": "Choose agencies that serve this authority."})
    if earlier := idempotency_claim(user=actor, key=idempotency_key, model=Review):
        return earlier
    review = Review.objects.create(
        family=family,
        held_on=held_on,
        decisions=decisions,
        family_attended=family_attended,
        plan_progress=plan_progress,
        recorded_by=actor,
    )
    review.attendees.set(attendees)
    if rescore:
        review.assessment = assessment_start(actor=actor, family=family)
        review.save(update_fields=["assessment"])
    attached = family.programme_start or held_on
    family_services.family_set_case_fields(
        actor=actor,
        family=family,
        summary=f"Next review scheduled after the review held {held_on:%-d %B %Y}",
        next_review_due=casework.next_review_due(attached, held_on, casework_settings()),
    )
    _audit(actor, review, family.pk, f"Review held {held_on:%-d %B %Y}", A.CREATED)
    idempotency_record(user=actor, key=idempotency_key, obj=review)
    return review


# --- tier, budget ---------------------------------------------------------------------


@transaction.atomic
def tier_change(*, actor, family: Family, to_tier: str, reason: str) -> TierChange:
    if to_tier == family.tier:
        raise ValidationError({"to_tier": "That is the family's tier already."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the tier of need is changing."})
    change = TierChange.objects.create(
        family=family, from_tier=family.tier, to_tier=to_tier, reason=reason, changed_by=actor
    )
    family_services.family_set_case_fields(
        actor=actor, family=family, summary="Tier of need changed", tier=to_tier
    )
    _audit(actor, change, family.pk, f"Tier changed to {change.get_to_tier_display()}")
    return change


@transaction.atomic
def spend_record(
    *,
    actor,
    family: Family,
    spent_on: date,
    purpose: str,
    amount: Decimal,
    idempotency_key: str | None = None,
) -> BudgetItem:
    """Record personalised budget spend. Sent again with the same ``idempotency_key``,
    returns the first item (tafcase.idempotency)."""
    if amount <= 0:
        raise ValidationError({"amount": "Enter an amount more than £0."})
    if spent_on > timezone.localdate():
        raise ValidationError({"spent_on": "The date cannot be in the future."})
    if earlier := idempotency_claim(user=actor, key=idempotency_key, model=BudgetItem):
        return earlier
    reasons = casework.spend_needs_approval(amount, casework_settings())
    item = BudgetItem.objects.create(
        family=family,
        spent_on=spent_on,
        purpose=purpose,
        amount=amount,
        needs_approval=bool(reasons),
        recorded_by=actor,
    )
    _audit(actor, item, family.pk, f"Budget spend £{amount}", A.CREATED)
    idempotency_record(user=actor, key=idempotency_key, obj=item)
    return item


@transaction.atomic
def spend_approve(*, actor, item: BudgetItem) -> BudgetItem:
    """Approve spend. Spend already approved (a second click, or another coordinator
    first) is returned as it is: nothing changes and no second audit row is written."""
    if not actor.has_role(Role.COORDINATOR) or actor.is_read_only:
        raise ValidationError("Only a coordinator can approve spend above the threshold.")
    if actor.pk == item.recorded_by_id:
        raise ValidationError("Spend must be approved by someone other than who recorded it.")
    now = timezone.now()
    if not set_once(BudgetItem, item.pk, "approved_at", approved_by=actor, approved_at=now):
        item.refresh_from_db(fields=["approved_by", "approved_at"])
        return item
    item.approved_by = actor
    item.approved_at = now
    _audit(actor, item, item.family_id, f"Approved spend £{item.amount}")
    return item


# --- closure --------------------------------------------------------------------------


OPEN_GOAL_STATUSES = (Goal.Status.NOT_STARTED, Goal.Status.IN_PROGRESS)


def case_close_check(family: Family) -> casework.ClosureCheck:
    """What would stop or hold up closing the case now: spend waiting for approval, goals
    still open. The closure form shows it; case_close enforces it."""
    awaiting = family.budget_items.filter(needs_approval=True, approved_by__isnull=True)
    return casework.closure_check(
        awaiting_approval=list(awaiting.values_list("amount", flat=True)),
        open_goals=list(
            family.goals.filter(status__in=OPEN_GOAL_STATUSES).values_list("title", flat=True)
        ),
    )


@transaction.atomic
def case_close(
    *,
    actor,
    family: Family,
    closed_on: date,
    reason: str,
    exit_plan: str,
    destination: str = "",
    open_goals_confirmed: bool = False,
) -> Closure:
    """Close the case with its exit plan and schedule the follow-ups. Refused while spend
    waits for approval; with goals still open, only once the worker has confirmed."""
    # Lock the family so spend or goals recorded meanwhile wait for this check.
    Family.objects.select_for_update().filter(pk=family.pk).first()
    check = case_close_check(family)
    if check.blocked_by:
        raise ValidationError(check.blocked_by, code="spend_awaiting_approval")
    if check.warning and not open_goals_confirmed:
        raise ValidationError(
            {
                "open_goals_confirmed": f"{check.warning} Confirm that the case can close "
                "with these goals open."
            }
        )
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": "The closing date cannot be in the future."})
    if not exit_plan.strip():
        raise ValidationError({"exit_plan": "Write the exit plan agreed with the family."})
    if reason in (Closure.Reason.STEPPED_UP, Closure.Reason.STEPPED_DOWN) and not destination:
        raise ValidationError({"destination": "Say which service the family moves to."})
    family = family_services.family_transition(
        actor=actor,
        family=family,
        to_status=Family.Status.CLOSED,
        reason=f"Closed: {Closure.Reason(reason).label}",
    )
    family_services.family_set_case_fields(
        actor=actor,
        family=family,
        summary="Case closed",
        programme_end=closed_on,
        next_review_due=None,
    )
    plan = Goal.objects.filter(family=family).aggregate(
        goals=Count("pk"), goals_achieved=Count("pk", filter=Q(status=Goal.Status.ACHIEVED))
    )
    closure = Closure.objects.create(
        family=family,
        closed_on=closed_on,
        reason=reason,
        exit_plan=exit_plan,
        destination=destination,
        closed_by=actor,
        **plan,
    )
    FollowUp.objects.bulk_create(
        FollowUp(closure=closure, months_after=f.months_after, due_on=f.due_on)
        for f in casework.closure_follow_ups(closed_on, casework_settings())
    )
    _audit(actor, closure, family.pk, f"Case closed: {closure.get_reason_display()}", A.CREATED)
    _results_refresh_when_saved(family)
    return closure


@transaction.atomic
def closure_sign_off(*, actor, closure: Closure) -> Closure:
    """Sign a closure off. One already signed off is returned as it is, unchanged and
    with no second audit row."""
    if not actor.has_role(Role.COORDINATOR) or actor.is_read_only:
        raise ValidationError("Closures are signed off by a coordinator.")
    if actor.pk == closure.closed_by_id:
        raise ValidationError("The person who closed the case cannot sign it off.")
    now = timezone.now()
    if not set_once(Closure, closure.pk, "signed_off_at", signed_off_by=actor, signed_off_at=now):
        closure.refresh_from_db(fields=["signed_off_by", "signed_off_at"])
        return closure
    closure.signed_off_by = actor
    closure.signed_off_at = now
    _audit(actor, closure, closure.family_id, "Closure signed off")
    return closure


@transaction.atomic
def follow_up_record(*, actor, follow_up: FollowUp, done_on: date, outcome: str) -> FollowUp:
    if not outcome.strip():
        raise ValidationError({"outcome": "Say how the family is doing."})
    follow_up.done_on = done_on
    follow_up.outcome = outcome
    follow_up.done_by = actor
    follow_up.save(update_fields=["done_on", "outcome", "done_by"])
    _audit(actor, follow_up, follow_up.closure.family_id, f"Follow-up +{follow_up.months_after}")
    return follow_up
