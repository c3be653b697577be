"""Writes for families, people, consent, the Team Around the Family and case notes.

Every function runs in one transaction and writes its own audit event. Updates to
families and people are optimistic: the caller names the version it edited, and a stale
version is refused with StaleEdit rather than silently overwriting someone else's work.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from families.access import VIEW_PERMISSION
from families.models import (
    CaseNote,
    Consent,
    Family,
    FamilyGroupObjectPermission,
    Involvement,
    Membership,
    Person,
    StatusChange,
)
from tafcase import identity
from tafcase.accounts.models import Agency, Role
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record
from tafcase.errors import Conflict, StaleEdit, bump_version, set_once
from tafcase.idempotency.services import idempotency_claim, idempotency_record

A = AuditEvent.Action
S = Family.Status

# The lifecycle (DESIGN.md §2). Closed families come back as active on re-referral.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.IDENTIFIED: frozenset({S.NOMINATED, S.SCREENING}),
    S.NOMINATED: frozenset({S.SCREENING}),
    S.SCREENING: frozenset({S.ELIGIBLE, S.NOT_ELIGIBLE}),
    S.ELIGIBLE: frozenset({S.AWAITING_PANEL}),
    S.NOT_ELIGIBLE: frozenset({S.NOMINATED}),
    S.AWAITING_PANEL: frozenset({S.ACTIVE, S.NOT_ELIGIBLE}),
    S.ACTIVE: frozenset({S.CLOSED}),
    S.CLOSED: frozenset({S.ACTIVE, S.NOMINATED}),
}


# Changes of status made by hand on the status page: the rest belong to a workflow
# (screening decides eligibility, the panel makes a family active, closure closes it).
WORKFLOW_STATUSES = frozenset({S.ELIGIBLE, S.NOT_ELIGIBLE, S.ACTIVE, S.CLOSED})
MANUAL_TRANSITIONS: dict[str, frozenset[str]] = {
    status: targets - WORKFLOW_STATUSES for status, targets in TRANSITIONS.items()
}


class InvalidTransition(ValidationError):
    pass


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _apply_changes(obj, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """Set fields on obj; return {field: [before, after]} for those that changed."""
    changes = {}
    for name, value in fields.items():
        before = getattr(obj, name)
        if before != value:
            changes[name] = [_plain(before), _plain(value)]
            setattr(obj, name, value)
    return changes


# --- families -------------------------------------------------------------------------


@transaction.atomic
def family_create(
    *,
    actor,
    local_authority,
    name: str,
    address_line_1: str = "",
    address_line_2: str = "",
    town: str = "",
    postcode: str = "",
    locality=None,
    tier: str = "",
    lead_professional=None,
) -> Family:
    family = Family.objects.create(
        local_authority=local_authority,
        name=name,
        address_line_1=address_line_1,
        address_line_2=address_line_2,
        town=town,
        postcode=identity.normalise_postcode(postcode),
        locality=locality,
        tier=tier,
        lead_professional=lead_professional,
    )
    StatusChange.objects.create(
        family=family, to_status=family.status, changed_by=actor, reason="Family record created"
    )
    audit_record(
        actor=actor,
        action=A.CREATED,
        obj=family,
        family_id=family.pk,
        summary=f"Created family {family.reference}",
    )
    return family


def family_open(*, actor, local_authority, lead_professional=None, **fields) -> Family:
    """A family opened by a worker: a key worker who names no lead professional leads it,
    so that its creator can always find it again."""
    if lead_professional is None and actor.has_role(Role.KEY_WORKER):
        lead_professional = actor
    return family_create(
        actor=actor, local_authority=local_authority, lead_professional=lead_professional, **fields
    )


FAMILY_EDITABLE = (
    "name",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "locality",
    "tier",
    "lead_professional",
    "next_review_due",
)


def _family_change(
    *,
    actor,
    family: Family,
    fields: dict[str, Any],
    expected_version: int | None = None,
    action: str = A.UPDATED,
    summary: str = "",
) -> Family:
    """The one writer of a Family row: lock it, check the version the editor read (when
    there is one), apply the fields, bump the version and audit the diff. Must run inside
    the caller's transaction."""
    locked = Family.objects.select_for_update().get(pk=family.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit("family", current_version=locked.version)
    changes = _apply_changes(locked, fields)
    locked.version += 1
    locked.save(update_fields=[*fields, "version", "updated_at"])
    audit_record(
        actor=actor,
        action=action,
        obj=locked,
        family_id=locked.pk,
        changes=changes,
        summary=summary or f"Updated family {locked.reference}",
    )
    return locked


@transaction.atomic
def family_update(*, actor, family: Family, expected_version: int, **fields) -> Family:
    unknown = set(fields) - set(FAMILY_EDITABLE)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    if "postcode" in fields:
        fields["postcode"] = identity.normalise_postcode(fields["postcode"])
    return _family_change(
        actor=actor, family=family, fields=fields, expected_version=expected_version
    )


# Fields that other apps' services set as a case moves on (allocation at panel, tier
# changes, reviews, closure), always through family_set_case_fields.
CASE_FIELDS = frozenset(
    {"tier", "lead_professional", "programme_start", "programme_end", "next_review_due"}
)


@transaction.atomic
def family_set_case_fields(*, actor, family: Family, summary: str, **fields) -> Family:
    unknown = set(fields) - CASE_FIELDS
    if unknown:
        raise ValueError(f"Not set here: {', '.join(sorted(unknown))}")
    return _family_change(actor=actor, family=family, fields=fields, summary=summary)


@transaction.atomic
def family_set_key_workers(*, actor, family: Family, key_workers: list) -> None:
    before = sorted(family.key_workers.values_list("pk", flat=True))
    family.key_workers.set(key_workers)
    after = sorted(user.pk for user in key_workers)
    audit_record(
        actor=actor,
        action=A.UPDATED,
        obj=family,
        family_id=family.pk,
        changes={"key_workers": [before, after]},
    )


@transaction.atomic
def family_transition(*, actor, family: Family, to_status: str, reason: str = "") -> Family:
    """Move a family along its lifecycle; refuse transitions the lifecycle does not allow."""
    family = Family.objects.select_for_update().get(pk=family.pk)
    if to_status not in TRANSITIONS[family.status]:
        allowed = ", ".join(S(s).label.lower() for s in sorted(TRANSITIONS[family.status]))
        raise InvalidTransition(
            f"A family that is {S(family.status).label.lower()} cannot become "
            f"{S(to_status).label.lower()}. It can become: {allowed}."
        )
    before = family.status
    family = _family_change(
        actor=actor,
        family=family,
        fields={"status": to_status},
        action=A.TRANSITIONED,
        summary=reason or f"Status changed to {S(to_status).label.lower()}",
    )
    StatusChange.objects.create(
        family=family, from_status=before, to_status=to_status, changed_by=actor, reason=reason
    )
    return family


def family_transition_by_hand(*, actor, family: Family, to_status: str, reason: str = ""):
    """A coordinator's change of status on the status page; workflow statuses refused."""
    if to_status not in MANUAL_TRANSITIONS[family.status]:
        raise InvalidTransition(
            {
                "to_status": "That change is made by screening, a panel decision or closing the "
                "case, not by hand."
            }
        )
    return family_transition(actor=actor, family=family, to_status=to_status, reason=reason)


@transaction.atomic
def family_merge_members(*, actor, source: Family, into: Family, same_person) -> dict[int, int]:
    """Move a family record's members and consents into another family; a member that
    `same_person(known, member)` recognises in `into` is not moved. Returns the ids of
    those duplicates and the person each is the same as; the caller repoints its own
    records, then calls family_discard_merged."""
    known = [m.person for m in into.memberships.select_related("person")]
    same_as: dict[int, int] = {}
    for membership in source.memberships.select_related("person"):
        match = next((p for p in known if same_person(p, membership.person)), None)
        if match is None:
            membership.family = into
            membership.save(update_fields=["family"])
        else:
            same_as[membership.person_id] = match.pk
    for duplicate_id, person_id in same_as.items():
        Consent.objects.filter(given_by_id=duplicate_id).update(given_by_id=person_id)
    Consent.objects.filter(family=source).update(family=into)
    family_sync_agency_access(family=into)
    return same_as


@transaction.atomic
def family_discard_merged(*, actor, source: Family, into: Family, duplicates: list[int]) -> None:
    """Remove a family record whose members were merged into `into`, with the duplicate
    people family_merge_members found."""
    Membership.objects.filter(family=source).delete()
    Person.objects.filter(pk__in=duplicates, memberships__isnull=True).delete()
    audit_record(
        actor=actor,
        action=A.DELETED,
        obj=source,
        family_id=source.pk,
        summary=f"Family record {source.reference} merged into {into.reference}",
    )
    source.delete()


# --- people and membership ------------------------------------------------------------

PERSON_FIELDS = ("forename", "surname", "dob", "sex", "ethnicity", *Person.IDENTIFIER_FIELDS)


def _person_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"Not a person field: {', '.join(sorted(unknown))}")
    return {
        name: identity.normalise_identifier(name, value)
        if name in Person.IDENTIFIER_FIELDS
        else value
        for name, value in fields.items()
    }


@transaction.atomic
def member_add(
    *,
    actor,
    family: Family,
    role: str,
    person: Person | None = None,
    lives_in_household: bool = True,
    started_on: date | None = None,
    in_care: bool = False,
    in_custody: bool = False,
    no_contact_for_safety: bool = False,
    **person_fields,
) -> Membership:
    """Add an existing person, or a new one described by person_fields, to a family."""
    if person is None:
        person = Person.objects.create(
            local_authority=family.local_authority, **_person_fields(person_fields)
        )
        audit_record(
            actor=actor,
            action=A.CREATED,
            obj=person,
            family_id=family.pk,
            person_ids=[person.pk],
            summary=f"Created person {person}",
        )
    membership = Membership.objects.create(
        family=family,
        person=person,
        role=role,
        lives_in_household=lives_in_household,
        started_on=started_on or timezone.localdate(),
        in_care=in_care,
        in_custody=in_custody,
        no_contact_for_safety=no_contact_for_safety,
    )
    audit_record(
        actor=actor,
        action=A.CREATED,
        obj=membership,
        family_id=family.pk,
        person_ids=[person.pk],
        summary=f"Added {person} as {membership.get_role_display()}",
    )
    return membership


@transaction.atomic
def person_update(
    *, actor, person: Person, expected_version: int, family_id: int | None, **fields
) -> Person:
    fields = _person_fields(fields)
    bump_version(Person, person.pk, expected_version, "person")
    person.refresh_from_db()
    changes = _apply_changes(person, fields)
    person.save(update_fields=list(fields))
    audit_record(
        actor=actor,
        action=A.UPDATED,
        obj=person,
        family_id=family_id,
        person_ids=[person.pk],
        changes=changes,
        summary=f"Updated {person}",
    )
    return person


MEMBERSHIP_EDITABLE = (
    "role",
    "lives_in_household",
    "ended_on",
    "in_care",
    "in_custody",
    "no_contact_for_safety",
)


@transaction.atomic
def membership_update(*, actor, membership: Membership, **fields) -> Membership:
    unknown = set(fields) - set(MEMBERSHIP_EDITABLE)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    changes = _apply_changes(membership, fields)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action=A.UPDATED,
        obj=membership,
        family_id=membership.family_id,
        person_ids=[membership.person_id],
        changes=changes,
    )
    return membership


# --- consent and the Team Around the Family -------------------------------------------


def _agencies_with_access(family: Family) -> set[int]:
    """Agencies currently on the TAF whose sharing consent is in force."""
    current = set(family.involvements.filter(ended_on=None).values_list("agency_id", flat=True))
    consents = family.consents.filter(withdrawn_on=None)
    if consents.filter(scope=Consent.Scope.SHARE_TAF).exists():
        return current
    named = set(
        consents.filter(scope=Consent.Scope.SHARE_AGENCY).values_list("agency_id", flat=True)
    )
    return current & named


def family_sync_agency_access(*, family: Family) -> None:
    """Make agency-group permissions on the family match its TAF and consent."""
    wanted = _agencies_with_access(family)
    held = dict(
        FamilyGroupObjectPermission.objects.filter(
            content_object=family, permission__codename=VIEW_PERMISSION
        ).values_list("group__agency__pk", "group_id")
    )
    for agency in Agency.objects.filter(pk__in=wanted - set(held)).select_related("group"):
        assign_perm(VIEW_PERMISSION, agency.group, family)
    for agency in Agency.objects.filter(pk__in=set(held) - wanted).select_related("group"):
        remove_perm(VIEW_PERMISSION, agency.group, family)


@transaction.atomic
def consent_record(
    *,
    actor,
    family: Family,
    given_by: Person,
    given_on: date,
    scope: str,
    agency: Agency | None = None,
) -> Consent:
    if not family.memberships.filter(person=given_by).exists():
        raise ValidationError("Consent must be given by a member of the family.")
    consent = Consent(
        family=family,
        given_by=given_by,
        given_on=given_on,
        scope=scope,
        agency=agency if scope == Consent.Scope.SHARE_AGENCY else None,
        recorded_by=actor,
    )
    if scope == Consent.Scope.SHARE_AGENCY and agency is None:
        raise ValidationError({"agency": "Choose the agency the family agreed to share with."})
    consent.save()
    family_sync_agency_access(family=family)
    audit_record(
        actor=actor,
        action=A.CREATED,
        obj=consent,
        family_id=family.pk,
        person_ids=[given_by.pk],
        summary=f"Consent recorded: {consent.get_scope_display()}",
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, withdrawn_on: date) -> Consent:
    """Withdraw consent from `withdrawn_on`. Withdrawing it again on the same date (a
    second click) changes nothing and is not audited again; on another date it is a
    Conflict, since it was withdrawn already."""
    if withdrawn_on < consent.given_on:
        raise ValidationError("Consent cannot be withdrawn before it was given.")
    if not set_once(Consent, consent.pk, "withdrawn_on", withdrawn_on=withdrawn_on):
        consent.refresh_from_db(fields=["withdrawn_on"])
        if consent.withdrawn_on == withdrawn_on:
            return consent
        raise Conflict(
            f"This consent was already withdrawn on {consent.withdrawn_on:%-d %B %Y}, so "
            "nothing was changed."
        )
    consent.withdrawn_on = withdrawn_on
    family_sync_agency_access(family=consent.family)
    audit_record(
        actor=actor,
        action=A.UPDATED,
        obj=consent,
        family_id=consent.family_id,
        person_ids=[consent.given_by_id],
        changes={"withdrawn_on": [None, _plain(withdrawn_on)]},
        summary=f"Consent withdrawn: {consent.get_scope_display()}",
    )
    return consent


@transaction.atomic
def involvement_add(
    *, actor, family: Family, agency: Agency, role: str, statutory: bool, started_on: date
) -> Involvement:
    if family.involvements.filter(agency=agency, ended_on=None).exists():
        raise ValidationError(f"{agency} is already on this family's Team Around the Family.")
    involvement = Involvement.objects.create(
        family=family, agency=agency, role=role, statutory=statutory, started_on=started_on
    )
    family_sync_agency_access(family=family)
    audit_record(
        actor=actor,
        action=A.CREATED,
        obj=involvement,
        family_id=family.pk,
        summary=f"{agency} joined the Team Around the Family",
    )
    return involvement


@transaction.atomic
def involvement_end(*, actor, involvement: Involvement, ended_on: date) -> Involvement:
    """End an agency's place on the TAF. Ending it again on the same date changes nothing
    and is not audited again; on another date it is a Conflict."""
    if ended_on < involvement.started_on:
        raise ValidationError("The end date cannot be before the start date.")
    if not set_once(Involvement, involvement.pk, "ended_on", ended_on=ended_on):
        involvement.refresh_from_db(fields=["ended_on"])
        if involvement.ended_on == ended_on:
            return involvement
        raise Conflict(
            f"This agency already left the Team Around the Family on "
            f"{involvement.ended_on:%-d %B %Y}, so nothing was changed."
        )
    involvement.ended_on = ended_on
    family_sync_agency_access(family=involvement.family)
    audit_record(
        actor=actor,
        action=A.UPDATED,
        obj=involvement,
        family_id=involvement.family_id,
        changes={"ended_on": [None, _plain(ended_on)]},
        summary=f"{involvement.agency} left the Team Around the Family",
    )
    return involvement


@transaction.atomic
def involvement_set_paused(*, actor, involvement: Involvement, paused: bool) -> Involvement:
    """Pausing keeps the agency on the TAF (and its access) while its work is on hold."""
    changes = _apply_changes(involvement, {"paused": paused})
    involvement.save(update_fields=["paused"])
    audit_record(
        actor=actor,
        action=A.UPDATED,
        obj=involvement,
        family_id=involvement.family_id,
        changes=changes,
    )
    return involvement


# --- notes ----------------------------------------------------------------------------


@transaction.atomic
def note_add(
    *,
    actor,
    family: Family,
    contact_type: str,
    contact_date: date,
    text: str,
    confidentiality: str,
    people: Sequence[Person] = (),
    child_seen_alone: bool = False,
    idempotency_key: str | None = None,
) -> CaseNote:
    """A case note. Sent again with the same ``idempotency_key``, returns the first note
    (tafcase.idempotency)."""
    if contact_date > timezone.localdate():
        raise ValidationError({"contact_date": "The date of contact cannot be in the future."})
    if earlier := idempotency_claim(user=actor, key=idempotency_key, model=CaseNote):
        return earlier
    note = CaseNote.objects.create(
        family=family,
        author=actor,
        author_agency_id=actor.agency_id,
        contact_type=contact_type,
        contact_date=contact_date,
        text=text,
        confidentiality=confidentiality,
        child_seen_alone=child_seen_alone,
    )
    note.people.set(people)
    audit_record(
        actor=actor,
        action=A.CREATED,
        obj=note,
        family_id=family.pk,
        person_ids=[p.pk for p in people],
        summary="Case note added",
    )
    idempotency_record(user=actor, key=idempotency_key, obj=note)
    return note
