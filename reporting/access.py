"""Who sees reports. Managers and boards (the manager role), the programme team and the
auditor of the authority they work in see the cards' aggregates; only the programme team
drills down to named families and sees small counts unsuppressed (reporting.md §4).
Everyone else gets 404, as for any page they may not see."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from reporting.cards.models import PublishedCard
from tafcase.accounts.authority import acts_for, working_authority_id
from tafcase.accounts.models import PROGRAMME_TEAM_ROLES, Role
from tafcase.ids import record_id

REPORT_READERS = (*PROGRAMME_TEAM_ROLES, Role.MANAGER, Role.AUDITOR)


def sees_reports(user, authority_id: int | None) -> bool:
    return acts_for(user, authority_id, *REPORT_READERS)


def sees_names(user, authority_id: int | None) -> bool:
    """Drill-down to named families, and small counts shown as they are."""
    return acts_for(user, authority_id, *PROGRAMME_TEAM_ROLES)


def can_edit_reports(user, authority_id: int | None) -> bool:
    """Targets, forecasts, the story behind the curve, publishing a card: the programme
    team and the manager (the board's officer)."""
    return acts_for(user, authority_id, *PROGRAMME_TEAM_ROLES, Role.MANAGER)


def report_authority_id(user) -> int:
    """The authority the user works in, if they may read its reports; 404 otherwise."""
    authority_id = working_authority_id(user)
    if authority_id is None or not sees_reports(user, authority_id):
        raise Http404("No reports here.")
    return authority_id


def published_card_for_user(user, published_id: Any, *, write: bool) -> PublishedCard:
    """A published card of the authority the user works in. Published cards are never
    changed, so `write` is refused."""
    authority_id = report_authority_id(user)
    found = (
        PublishedCard.objects.select_related("published_by")
        .filter(pk=record_id(published_id), local_authority_id=authority_id)
        .first()
    )
    if found is None:
        raise Http404("No such published card.")
    if write:
        raise PermissionDenied
    return found
