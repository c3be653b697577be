"""Who may see and change a family: the access model of DESIGN.md §4, in one place.

A family is visible to its lead professional and key workers; to the agencies on its Team
Around the Family while consent to share with them is in force (a guardian object
permission on the agency's group, kept in step by services.family_sync_agency_access); and
to the programme team of its authority. Anyone else gets 404, never 403, so that a family's
existence is not disclosed. Lists filter in SQL with families_visible_to(); detail pages
use family_for_user(), whose `write` argument has no default on purpose.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from families.models import CaseNote, Family, FamilyGroupObjectPermission, Person
from tafcase.accounts.models import PROGRAMME_TEAM_ROLES, LocalAuthority, Role

VIEW_PERMISSION = "view_family"
# Roles that see every family of the authorities they serve. Auditors read, never write.
AUTHORITY_WIDE_ROLES = (*PROGRAMME_TEAM_ROLES, Role.AUDITOR)
# Roles that may see people's identifiers (UPN, NI number, NHS number, PNC id).
IDENTIFIER_ROLES = (Role.COORDINATOR, Role.DATA_ANALYST, Role.AUDITOR, Role.KEY_WORKER)


def visibility_filter(user) -> Q:
    """The SQL condition for 'user may see this family'.

    Each share is an `id IN (…)` over an indexed table, which Postgres hashes once per
    query; correlated EXISTS clauses were planned as one index probe per family.
    """
    condition = Q(lead_professional=user) | Q(
        pk__in=Family.key_workers.through.objects.filter(user=user).values("family_id")
    )
    if user.agency_id:
        condition |= Q(
            pk__in=FamilyGroupObjectPermission.objects.filter(
                group_id=user.agency.group_id, permission__codename=VIEW_PERMISSION
            ).values("content_object_id")
        )
    if user.has_role(*AUTHORITY_WIDE_ROLES):
        condition |= Q(local_authority__in=user.authorities.all())
    return condition


def families_visible_to(user) -> QuerySet[Family]:
    if not user.is_authenticated or not user.is_active:
        return Family.objects.none()
    return Family.objects.filter(visibility_filter(user))


def can_change_family(user, family: Family) -> bool:
    """Details, members, consent and the TAF: the family's own workers and coordinators."""
    if user.is_read_only:
        return False
    if family.lead_professional_id == user.pk or user.has_role(Role.COORDINATOR):
        return True
    return family.key_workers.filter(pk=user.pk).exists()


def authority_for_new_family(user) -> LocalAuthority:
    """The authority a family this user creates belongs to; 403 if they may not create one.

    Key workers and coordinators create families, in the first authority they serve or
    their agency's own."""
    if user.is_read_only or not user.has_role(Role.KEY_WORKER, Role.COORDINATOR):
        raise PermissionDenied
    authority = user.authorities.first() or (user.agency.local_authority if user.agency else None)
    if authority is None:
        raise PermissionDenied
    return authority


def can_add_notes(user, family: Family) -> bool:
    """Everyone who can see a family may record their contact with it, except read-only roles."""
    return not user.is_read_only


def family_for_user(user, family_id: int, *, write: bool) -> Family:
    """The family, if the user may see it (404 otherwise); 403 if `write` and they may not
    change it."""
    family = (
        families_visible_to(user)
        .select_related("lead_professional", "locality", "local_authority")
        .filter(pk=family_id)
        .first()
    )
    if family is None:
        raise Http404("No family found.")
    if write and not can_change_family(user, family):
        raise PermissionDenied
    return family


def people_visible_to(user) -> QuerySet[Person]:
    """People who are (or were) members of a family the user can see."""
    families = families_visible_to(user)
    return Person.objects.filter(memberships__family__in=families).distinct()


def person_for_user(user, person_id: int) -> Person:
    person = people_visible_to(user).filter(pk=person_id).first()
    if person is None:
        raise Http404("No person found.")
    return person


def can_see_identifiers(user) -> bool:
    return user.has_role(*IDENTIFIER_ROLES)


def note_visibility_filter(user) -> Q:
    """Restricted notes: only the family's lead professional and the recording agency."""
    return (
        Q(confidentiality=CaseNote.Confidentiality.NORMAL)
        | Q(family__lead_professional=user)
        | Q(author_agency_id=user.agency_id, author_agency__isnull=False)
    )


def notes_visible_to(user) -> QuerySet[CaseNote]:
    return CaseNote.objects.filter(family__in=families_visible_to(user)).filter(
        note_visibility_filter(user)
    )
