"""Who may see and change casework records: each is reached through its family
(families.access), with one `<noun>_for_user(user, id, *, write)` per record type.

Reading follows the family; changing is for the family's workers and the coordinators of
its authority, except that a TAF partner may update their own agency's actions. Spend
approval and closure sign-off are the coordinator's of the family's authority.
"""

from typing import Any

from families.access import can_change_family, family_record_for_user, is_programme_team
from outcomes.models import (
    Action,
    Assessment,
    BudgetItem,
    Closure,
    FollowUp,
    Goal,
    Review,
    TierChange,
)


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
