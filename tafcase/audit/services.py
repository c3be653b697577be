"""The audit trail. Every service that reads or changes personal data calls audit_record."""

from collections.abc import Iterable
from typing import Any

from django.db import models

from tafcase.audit.models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    ip: str | None = None,
    summary: str = "",
    changes: dict[str, list[Any]] | None = None,
    family_id: int | None = None,
    family_ids: Iterable[int | None] = (),
    person_ids: Iterable[int | None] = (),
) -> AuditEvent:
    event = audit_event(
        actor=actor,
        action=action,
        obj=obj,
        ip=ip,
        summary=summary,
        changes=changes,
        family_id=family_id,
        family_ids=family_ids,
        person_ids=person_ids,
    )
    event.save()
    return event


def audit_event(
    *,
    actor,
    action: str,
    obj: models.Model,
    ip: str | None = None,
    summary: str = "",
    changes: dict[str, list[Any]] | None = None,
    family_id: int | None = None,
    family_ids: Iterable[int | None] = (),
    person_ids: Iterable[int | None] = (),
) -> AuditEvent:
    """The row audit_record writes, not yet saved: for a service that changes many
    records in one statement and writes their rows with one bulk_create."""
    return AuditEvent(
        actor=actor,
        actor_agency_id=getattr(actor, "agency_id", None),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        family_id=family_id,
        family_ids=_ids(family_ids),
        person_ids=_ids(person_ids),
        summary=summary[:255],
        changes=changes or {},
        ip=ip,
    )


def _ids(ids: Iterable[int | None]) -> list[int]:
    """Each id once, in order, without the blanks of optional links."""
    return list(dict.fromkeys(i for i in ids if i is not None))


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def audit_viewed(
    request,
    obj: models.Model,
    *,
    family_id: int | None = None,
    family_ids: Iterable[int | None] = (),
    person_ids: Iterable[int | None] = (),
    summary: str = "",
) -> AuditEvent:
    """Record that the signed-in user read a record (a page, a form showing it, or an API
    object)."""
    return audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEWED,
        obj=obj,
        family_id=family_id,
        family_ids=family_ids,
        person_ids=person_ids,
        summary=summary,
        ip=client_ip(request),
    )


def audit_listed(
    request,
    *,
    what: str,
    family_ids: Iterable[int | None],
    person_ids: Iterable[int | None] = (),
    terms: str = "",
    action: str = AuditEvent.Action.VIEWED,
) -> AuditEvent:
    """Record that the signed-in user was shown a list (a page, an API page or a search
    result), or took it away (`action` EXPORTED: a CSV download): one row for what was
    returned, naming every family and person in it.

    `what` names the list ("family search", "api:nominations"). Search `terms` are kept
    in this row's summary and nowhere else: they are personal data themselves.
    """
    if action not in (AuditEvent.Action.VIEWED, AuditEvent.Action.EXPORTED):
        raise ValueError(f"A list is viewed or exported, not {action!r}.")
    if terms:
        summary = f"Searched for “{terms}” ({what})"
    elif action == AuditEvent.Action.EXPORTED:
        summary = f"Exported {what}"
    else:
        summary = f"Listed {what}"
    return AuditEvent.objects.create(
        actor=request.user,
        actor_agency_id=getattr(request.user, "agency_id", None),
        action=action,
        object_type=what[:60],
        object_id="",
        family_ids=_ids(family_ids),
        person_ids=_ids(person_ids),
        summary=summary[:255],
        ip=client_ip(request),
    )
