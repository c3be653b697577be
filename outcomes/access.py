"""Who may see and change casework records: each is reached through its family
(families.access), with one `<noun>_for_user(user, id, *, write)` per record type.

Reading follows the family; changing is for the family's workers and the coordinators of
its authority, except that a TAF partner may update their own agency's actions. Spend
approval and closure sign-off are the coordinator's of the family's authority.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from families.access import (
    can_change_family,
    family_record_for_user,
    is_programme_team,
    record_id,
)
from outcomes.models import (
    Action,
    Assessment,
    BudgetItem,
    Claim,
    ClaimWindow,
    Closure,
    FollowUp,
    Goal,
    Review,
    TierChange,
)
from tafcase.accounts.authority import acts_for, working_authority_id
from tafcase.accounts.models import Role


def can_update_action(user, action: Action, family) -> bool:
    """The family's workers update any action; a TAF partner only their agency's."""
    if user.is_read_only:
        return False
    return can_change_family(user, family) or (
        action.owner_agency_id is not None and action.owner_agency_id == user.agency_id
    )


def can_approve_spend(user, item: BudgetItem) -> bool:
    return is_programme_team(user, item.family)


def can_sign_off(user, closure: Closure) -> bool:
    return is_programme_team(user, closure.family)


def assessment_for_user(user, assessment_id: Any, *, write: bool) -> Assessment:
    return family_record_for_user(Assessment.objects.all(), user, assessment_id, write=write)


def goal_for_user(user, goal_id: Any, *, write: bool) -> Goal:
    return family_record_for_user(Goal.objects.all(), user, goal_id, write=write)


def action_for_user(user, action_id: Any, *, write: bool) -> Action:
    return family_record_for_user(
        Action.objects.select_related("goal"),
        user,
        action_id,
        write=write,
        family_path="goal__family",
        may_change=lambda u, action, family: can_update_action(u, action, family),
    )


def review_for_user(user, review_id: Any, *, write: bool) -> Review:
    return family_record_for_user(Review.objects.all(), user, review_id, write=write)


def tier_change_for_user(user, tier_change_id: Any, *, write: bool) -> TierChange:
    return family_record_for_user(TierChange.objects.all(), user, tier_change_id, write=write)


def budget_item_for_user(user, item_id: Any, *, write: bool) -> BudgetItem:
    return family_record_for_user(BudgetItem.objects.all(), user, item_id, write=write)


def closure_for_user(user, closure_id: Any, *, write: bool) -> Closure:
    return family_record_for_user(Closure.objects.all(), user, closure_id, write=write)


def follow_up_for_user(user, follow_up_id: Any, *, write: bool) -> FollowUp:
    return family_record_for_user(
        FollowUp.objects.select_related("closure"),
        user,
        follow_up_id,
        write=write,
        family_path="closure__family",
    )


# --- Payment by Results (claims.md §5) ---------------------------------------------------
# Windows belong to an authority. Its coordinators and analysts run them; its auditors
# read them and decide the sample; its managers (the senior responsible officer) see
# totals and declare, never names. Everyone else gets 404.

CLAIM_TEAM = (Role.COORDINATOR, Role.DATA_ANALYST)


def sees_claim_windows(user, authority_id: int | None) -> bool:
    return acts_for(user, authority_id, *CLAIM_TEAM, Role.AUDITOR, Role.MANAGER)


def sees_claims(user, authority_id: int | None) -> bool:
    """Claims name families: the programme team and the auditor only."""
    return acts_for(user, authority_id, *CLAIM_TEAM, Role.AUDITOR)


def can_run_claims(user, authority_id: int | None) -> bool:
    return acts_for(user, authority_id, *CLAIM_TEAM)


def can_audit_claims(user, authority_id: int | None) -> bool:
    return acts_for(user, authority_id, Role.AUDITOR)


def can_declare(user, authority_id: int | None) -> bool:
    return acts_for(user, authority_id, Role.MANAGER)


def claim_windows_visible_to(user) -> QuerySet[ClaimWindow]:
    authority_id = working_authority_id(user)
    if not sees_claim_windows(user, authority_id):
        return ClaimWindow.objects.none()
    return ClaimWindow.objects.filter(local_authority_id=authority_id)


def claim_window_for_user(user, window_id: Any, *, write: bool) -> ClaimWindow:
    """`write` is running the window (open, run, validate, sample, submit); the auditor's
    and the manager's steps check can_audit_claims and can_declare."""
    window = (
        ClaimWindow.objects.select_related("local_authority", "framework")
        .filter(pk=record_id(window_id))
        .first()
    )
    if window is None or not sees_claim_windows(user, window.local_authority_id):
        raise Http404("No such claim window.")
    if write and not can_run_claims(user, window.local_authority_id):
        raise PermissionDenied
    return window


def claim_window_outputs_for_user(user, window_id: Any) -> ClaimWindow:
    """A window whose outputs (schedule, return) the user may have: they name every family,
    so like the claims they are for the programme team and auditor; the manager gets 404."""
    window = claim_window_for_user(user, window_id, write=False)
    if not sees_claims(user, window.local_authority_id):
        raise Http404("No such claim window.")
    return window


def claim_for_user(user, claim_id: Any, *, write: bool) -> Claim:
    claim = (
        Claim.objects.select_related("window", "family", "local_authority")
        .filter(pk=record_id(claim_id))
        .first()
    )
    if claim is None or not sees_claims(user, claim.local_authority_id):
        raise Http404("No such claim.")
    if write and not can_run_claims(user, claim.local_authority_id):
        raise PermissionDenied
    return claim


def claims_for_user(user, claim_ids: list[Any], *, write: bool) -> list[Claim]:
    """Several claims at once (an evidence pack for a spot check), in the order given, in
    one query: 404 for the lot if any is not one the user may see."""
    ids = list(dict.fromkeys(record_id(pk) for pk in claim_ids))
    found = {
        c.pk: c
        for c in Claim.objects.select_related("window", "family", "local_authority").filter(
            pk__in=ids
        )
    }
    if not ids or len(found) != len(ids):
        raise Http404("No such claim.")
    for authority_id in {c.local_authority_id for c in found.values()}:
        if not sees_claims(user, authority_id):
            raise Http404("No such claim.")
        if write and not can_run_claims(user, authority_id):
            raise PermissionDenied
    return [found[pk] for pk in ids]


def sees_results(user, family) -> bool:
    """A family's result statuses: the programme team and auditor of its authority, and
    the family's own workers (lead professional and key workers)."""
    return sees_claims(user, family.local_authority_id) or (
        family.lead_professional_id == user.pk or family.key_workers.filter(pk=user.pk).exists()
    )
