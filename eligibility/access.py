"""Who may see and act on nominations, panels and agenda items: one place, like
families.access, with one `<noun>_for_user(user, id, *, write)` per record type.

The programme team (coordinator, data analyst) and auditors of the authority a user is
working in see all its nominations; a referrer sees their own (that it was received, never
what it matched); panel chairs and members see those on agendas of their panels, as
summaries — a family's details only once it is shared with them through families.access.
Anyone else gets 404. Changes are the coordinator's of the record's own authority, and the
panel's chair's.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from eligibility.models import AgendaItem, Nomination, PanelMeeting
from families.access import AUTHORITY_WIDE_ROLES, families_visible_to, record_id
from tafcase.accounts import authority as working
from tafcase.accounts.models import LocalAuthority, Role

PANEL_ROLES = (Role.PANEL_CHAIR, Role.PANEL_MEMBER)


def nominations_visible_to(user) -> QuerySet[Nomination]:
    if not user.is_authenticated or not user.is_active:
        return Nomination.objects.none()
    condition = Q(referrer=user)
    authority_id = working.working_authority_id(user)
    if authority_id is not None and user.has_role(*AUTHORITY_WIDE_ROLES):
        condition |= Q(local_authority_id=authority_id)
    if user.has_role(*PANEL_ROLES):
        condition |= Q(
            pk__in=AgendaItem.objects.filter(panel__in=panels_visible_to(user)).values(
                "nomination_id"
            )
        )
    return Nomination.objects.filter(condition)


def sees_progress(user, nomination: Nomination) -> bool:
    """Stage, family reference and criteria: for the programme team of its authority and
    panel members whose agendas carry it. A referrer who is neither sees a receipt only."""
    if working.acts_for(user, nomination.local_authority_id, *AUTHORITY_WIDE_ROLES):
        return True
    return nomination.referrer_id != user.pk


def can_screen(user, nomination: Nomination) -> bool:
    """Screening (and merging with a known family) is the decision of a coordinator of the
    nomination's own authority."""
    return not user.is_read_only and working.acts_for(
        user, nomination.local_authority_id, Role.COORDINATOR
    )


def can_add_evidence(user, nomination: Nomination) -> bool:
    return not user.is_read_only and working.acts_for(
        user, nomination.local_authority_id, Role.COORDINATOR, Role.DATA_ANALYST
    )


def nomination_for_user(user, nomination_id: Any, *, write: bool) -> Nomination:
    """The nomination if the user may see it (404); 403 if `write` and they may not screen
    it."""
    nomination = (
        nominations_visible_to(user)
        .select_related("family", "referrer", "referrer_agency", "local_authority")
        .filter(pk=record_id(nomination_id))
        .first()
    )
    if nomination is None:
        raise Http404("No nomination found.")
    if write and not can_screen(user, nomination):
        raise PermissionDenied
    return nomination


def authority_for_nomination(user, chosen: LocalAuthority | None = None) -> LocalAuthority:
    """Any practitioner may nominate (read-only roles may not): to the authority they work
    in, their agency's, or — for partners who work across authorities — the one they
    choose. A nomination discloses nothing, so any authority may be chosen."""
    if not may_nominate(user):
        raise PermissionDenied
    authority = (
        working.working_authority(user)
        or (user.agency.local_authority if user.agency else None)
        or chosen
    )
    if authority is None:
        raise PermissionDenied
    return authority


def may_nominate(user) -> bool:
    return not user.is_read_only and bool(user.roles)


def needs_authority_choice(user) -> bool:
    """Partners of agencies that serve several authorities say which council the family
    lives in."""
    return working.working_authority_id(user) is None and not (
        user.agency and user.agency.local_authority_id
    )


def panels_visible_to(user) -> QuerySet[PanelMeeting]:
    if not user.is_authenticated or not user.has_role(*PANEL_ROLES, Role.COORDINATOR, Role.AUDITOR):
        return PanelMeeting.objects.none()
    # The working authority's panels, the ones the user chairs, and those the user's agency
    # sits on (police, health… serve several authorities and are on no programme team).
    condition = Q(chair=user) | Q(
        pk__in=PanelMeeting.member_agencies.through.objects.filter(agency_id=user.agency_id).values(
            "panelmeeting_id"
        )
    )
    authority_id = working.working_authority_id(user)
    if authority_id is not None:
        condition |= Q(local_authority_id=authority_id)
    return PanelMeeting.objects.filter(condition)


def can_run_panel(user, panel: PanelMeeting) -> bool:
    if user.is_read_only:
        return False
    return panel.chair_id == user.pk or working.acts_for(
        user, panel.local_authority_id, Role.COORDINATOR
    )


def panel_for_user(user, panel_id: Any, *, write: bool) -> PanelMeeting:
    """The panel if the user may see it (404 otherwise); 403 if `write` and they are not
    its chair or a coordinator of its authority."""
    panel = (
        panels_visible_to(user)
        .select_related("chair", "local_authority")
        .filter(pk=record_id(panel_id))
        .first()
    )
    if panel is None:
        raise Http404("No panel found.")
    if write and not can_run_panel(user, panel):
        raise PermissionDenied
    return panel


def agenda_item_for_user(user, item_id: Any, *, write: bool) -> AgendaItem:
    """An agenda item of a panel the user may see (404); 403 if `write` and they may not
    run that panel."""
    item = (
        AgendaItem.objects.filter(panel__in=panels_visible_to(user))
        .select_related("nomination__family", "panel__chair", "panel__local_authority")
        .filter(pk=record_id(item_id))
        .first()
    )
    if item is None:
        raise Http404("No agenda item found.")
    if write and not can_run_panel(user, item.panel):
        raise PermissionDenied
    return item


def authority_for_new_panel(user) -> LocalAuthority:
    """Coordinators and chairs set up panels for the authority they work in (403)."""
    authority = working.working_authority(user)
    if (
        user.is_read_only
        or authority is None
        or not user.has_role(Role.COORDINATOR, Role.PANEL_CHAIR)
    ):
        raise PermissionDenied
    return authority


def can_create_panel(user) -> bool:
    try:
        authority_for_new_panel(user)
    except PermissionDenied:
        return False
    return True


def authority_for_rulebook(user) -> LocalAuthority:
    """Administrators edit the rulebook of the authority they work in (403 otherwise)."""
    authority = working.working_authority(user)
    if not user.has_role(Role.ADMINISTRATOR) or authority is None:
        raise PermissionDenied
    return authority


def named_on_agenda(user, panel: PanelMeeting, family_ids) -> set[int]:
    """Families an agenda shows by name to this user: all of them to the panel's chair,
    who leads the discussion; to everyone else only families shared with them. Others
    appear by reference, locality and priority only."""
    if panel.chair_id == user.pk:
        return set(family_ids)
    return set(families_visible_to(user).filter(pk__in=family_ids).values_list("pk", flat=True))
