"""Who may see and act on nominations and panels: one place, like families.access.

The programme team (coordinator, data analyst) and auditors of an authority see all its
nominations; a referrer sees their own; panel chairs and members see those on agendas of
their authority's panels, as summaries — a family's details only once it is shared with
them through families.access. Anyone else gets 404.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from eligibility.models import AgendaItem, Nomination, PanelMeeting
from families.access import AUTHORITY_WIDE_ROLES, families_visible_to
from tafcase.accounts.models import LocalAuthority, Role

PANEL_ROLES = (Role.PANEL_CHAIR, Role.PANEL_MEMBER)


def nominations_visible_to(user) -> QuerySet[Nomination]:
    if not user.is_authenticated or not user.is_active:
        return Nomination.objects.none()
    condition = Q(referrer=user)
    if user.has_role(*AUTHORITY_WIDE_ROLES):
        condition |= Q(local_authority__in=user.authorities.all())
    if user.has_role(*PANEL_ROLES):
        condition |= Q(
            pk__in=AgendaItem.objects.filter(panel__in=panels_visible_to(user)).values(
                "nomination_id"
            )
        )
    return Nomination.objects.filter(condition)


def nomination_for_user(user, nomination_id: int) -> Nomination:
    nomination = (
        nominations_visible_to(user)
        .select_related("family", "referrer", "referrer_agency", "local_authority")
        .filter(pk=nomination_id)
        .first()
    )
    if nomination is None:
        raise Http404("No nomination found.")
    return nomination


def authority_for_nomination(user) -> LocalAuthority:
    """Any practitioner may nominate, to their own authority; read-only roles may not."""
    if user.is_read_only or not user.roles:
        raise PermissionDenied
    authority = user.authorities.first() or (user.agency.local_authority if user.agency else None)
    if authority is None:
        raise PermissionDenied
    return authority


def can_screen(user, nomination: Nomination) -> bool:
    return user.has_role(Role.COORDINATOR) and not user.is_read_only


def can_add_evidence(user) -> bool:
    return user.has_role(Role.COORDINATOR, Role.DATA_ANALYST) and not user.is_read_only


def panels_visible_to(user) -> QuerySet[PanelMeeting]:
    if not user.is_authenticated or not user.has_role(*PANEL_ROLES, Role.COORDINATOR, Role.AUDITOR):
        return PanelMeeting.objects.none()
    # The authority's panels, and those the user's agency sits on (police, health… serve
    # several authorities and are not on any one's programme team).
    return PanelMeeting.objects.filter(
        Q(local_authority__in=user.authorities.all())
        | Q(
            pk__in=PanelMeeting.member_agencies.through.objects.filter(
                agency_id=user.agency_id
            ).values("panelmeeting_id")
        )
    )


def panel_for_user(user, panel_id: int, *, write: bool) -> PanelMeeting:
    """The panel if the user may see it (404 otherwise); 403 if `write` and they are not
    its chair or a coordinator."""
    panel = (
        panels_visible_to(user).select_related("chair", "local_authority").filter(pk=panel_id)
    ).first()
    if panel is None:
        raise Http404("No panel found.")
    if write and not can_run_panel(user, panel):
        raise PermissionDenied
    return panel


def can_run_panel(user, panel: PanelMeeting) -> bool:
    if user.is_read_only:
        return False
    return panel.chair_id == user.pk or user.has_role(Role.COORDINATOR)


def can_create_panel(user) -> bool:
    return not user.is_read_only and user.has_role(Role.COORDINATOR, Role.PANEL_CHAIR)


def can_edit_frameworks(user) -> bool:
    return user.has_role(Role.ADMINISTRATOR)


def named_on_agenda(user, panel: PanelMeeting, family_ids) -> set[int]:
    """Families an agenda shows by name to this user: all of them to the panel's chair,
    who leads the discussion; to everyone else only families shared with them. Others
    appear by reference, locality and priority only."""
    if panel.chair_id == user.pk:
        return set(family_ids)
    return set(families_visible_to(user).filter(pk__in=family_ids).values_list("pk", flat=True))
