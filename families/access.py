"""Who may see and change a family and its records: the access model of DESIGN.md §4.

A family is visible to its lead professional and key workers; to the agencies on its Team
Around the Family while consent to share with them is in force (a guardian object
permission on the agency's group, kept in step by services.family_sync_agency_access); and
to the programme team of its authority — in the authority the user is working in
(tafcase.accounts.authority), never in another they happen to serve. Anyone else gets 404,
never 403, so that a family's existence is not disclosed.

Every record reached by id goes through one `<noun>_for_user(user, id, *, write)` here
(404 when the user cannot see it, 403 when they may see but not change it); `write` has no
default on purpose. Lists filter in SQL with the `*_visible_to` querysets.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from families.models import (
    CaseNote,
    Consent,
    Family,
    FamilyGroupObjectPermission,
    Involvement,
    Membership,
    Person,
)
from tafcase.accounts import authority as working
from tafcase.accounts.models import PROGRAMME_TEAM_ROLES, LocalAuthority, Role
from tafcase.ids import record_id

VIEW_PERMISSION = "view_family"
# Roles that see every family of the authority they work in. Auditors read, never write.
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
    authority_id = working.working_authority_id(user)
    if authority_id is not None and user.has_role(*AUTHORITY_WIDE_ROLES):
        condition |= Q(local_authority_id=authority_id)
    return condition


def families_visible_to(user) -> QuerySet[Family]:
    if not user.is_authenticated or not user.is_active:
        return Family.objects.none()
    return Family.objects.filter(visibility_filter(user))


def is_programme_team(user, family: Family) -> bool:
    """Coordinator of the family's own authority, working in it."""
    return not user.is_read_only and working.acts_for(
        user, family.local_authority_id, Role.COORDINATOR
    )


def can_change_family(user, family: Family) -> bool:
    """Details, members, consent, the TAF and casework: the family's own workers, and the
    coordinators of its authority. A coordinator of another authority who sees the family
    through a TAF share is a partner here."""
    if user.is_read_only or not user.is_active:
        return False
    if family.lead_professional_id == user.pk or is_programme_team(user, family):
        return True
    return family.key_workers.filter(pk=user.pk).exists()


def can_change_status(user, family: Family) -> bool:
    """Changes of status by hand (families.services.MANUAL_TRANSITIONS) are the
    coordinator's; the rest follow screening, panel decisions and closure."""
    return is_programme_team(user, family)


def can_add_notes(user, family: Family) -> bool:
    """Everyone who can see a family may record their contact with it, except read-only
    roles (managers, auditors, panel members)."""
    return not user.is_read_only


def authority_for_new_family(user) -> LocalAuthority:
    """The authority a family this user creates belongs to; 403 if they may not create one.

    Key workers and coordinators create families in the authority they are working in (a
    key worker who serves none, in their agency's authority)."""
    if user.is_read_only or not user.has_role(Role.KEY_WORKER, Role.COORDINATOR):
        raise PermissionDenied
    authority = working.working_authority(user)
    if authority is None and not working.served_authority_ids(user) and user.agency:
        authority = user.agency.local_authority
    if authority is None:
        raise PermissionDenied
    return authority


def family_for_user(user, family_id: Any, *, write: bool) -> Family:
    """The family, if the user may see it (404 otherwise); 403 if `write` and they may not
    change it."""
    family = (
        families_visible_to(user)
        .select_related("lead_professional", "locality", "local_authority")
        .filter(pk=record_id(family_id))
        .first()
    )
    if family is None:
        raise Http404("No family found.")
    if write and not can_change_family(user, family):
        raise PermissionDenied
    return family


def family_record_for_user(
    queryset: QuerySet,
    user,
    record_pk: Any,
    *,
    write: bool,
    family_path: str = "family",
    may_change: Callable[[Any, Any, Family], bool] | None = None,
) -> Any:
    """A record that belongs to a family, reached through that family's visibility: 404
    when the user cannot see the family (or the record); 403 when `write` and
    `may_change(user, record, family)` (default: can_change_family) says no. The record
    comes with its family selected (`record.<family_path>`)."""
    record = (
        queryset.filter(**{f"{family_path}__in": families_visible_to(user)})
        .select_related(f"{family_path}__local_authority")
        .filter(pk=record_id(record_pk))
        .first()
    )
    if record is None:
        raise Http404("Not found.")
    if write:
        family = _follow(record, family_path)
        allowed = (
            may_change(user, record, family) if may_change else can_change_family(user, family)
        )
        if not allowed:
            raise PermissionDenied
    return record


def _follow(record: Model, path: str) -> Family:
    for name in path.split("__"):
        record = getattr(record, name)
    return record  # type: ignore[return-value]


def membership_for_user(user, membership_id: Any, *, write: bool) -> Membership:
    return family_record_for_user(
        Membership.objects.select_related("person"), user, membership_id, write=write
    )


def consent_for_user(user, consent_id: Any, *, write: bool) -> Consent:
    return family_record_for_user(
        Consent.objects.select_related("given_by", "agency"), user, consent_id, write=write
    )


def involvement_for_user(user, involvement_id: Any, *, write: bool) -> Involvement:
    return family_record_for_user(
        Involvement.objects.select_related("agency"), user, involvement_id, write=write
    )


def note_for_user(user, note_id: Any, *, write: bool) -> CaseNote:
    """A case note the user may read (restricted notes: lead professional and recording
    agency only); notes are never edited, so `write` asks whether they may add to it."""
    return family_record_for_user(
        CaseNote.objects.filter(note_visibility_filter(user)),
        user,
        note_id,
        write=write,
        may_change=lambda u, _note, family: can_add_notes(u, family),
    )


def people_visible_to(user) -> QuerySet[Person]:
    """People who are (or were) members of a family the user can see."""
    return Person.objects.filter(
        pk__in=Membership.objects.filter(family__in=families_visible_to(user)).values("person_id")
    )


def changeable_family_of(user, person: Person) -> Family | None:
    """A family of this person that the user may change (for the audit row of a person
    edit), or None."""
    families = families_visible_to(user).filter(memberships__person=person).distinct()
    return next((f for f in families if can_change_family(user, f)), None)


def person_for_user(user, person_id: Any, *, write: bool) -> Person:
    """A person in a family the user can see (404 otherwise); 403 if `write` and the user
    may change none of the person's families."""
    person = people_visible_to(user).filter(pk=record_id(person_id)).first()
    if person is None:
        raise Http404("No person found.")
    if write and changeable_family_of(user, person) is None:
        raise PermissionDenied
    return person


def in_family(record: Any, family_id: Any) -> Any:
    """A record reached by its own id under a family's URL must belong to that family."""
    if record.family_id != record_id(family_id):
        raise Http404("Not found.")
    return record


def can_export_person(user, person: Person) -> bool:
    """Subject-access exports: the programme team of an authority the person's family
    belongs to, working in it."""
    authority_id = working.working_authority_id(user)
    return (
        authority_id is not None
        and user.has_role(*PROGRAMME_TEAM_ROLES)
        and families_visible_to(user)
        .filter(memberships__person=person, local_authority_id=authority_id)
        .exists()
    )


def member_of_family(family: Family, person_id: Any) -> Person:
    """A person named in a request about `family` must be one of its members (404)."""
    membership = (
        Membership.objects.select_related("person")
        .filter(family=family, person_id=record_id(person_id))
        .first()
    )
    if membership is None:
        raise Http404("That person is not a member of this family.")
    return membership.person


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
