"""The audit trail. Every service that reads or changes personal data calls audit_record."""

from collections.abc import Sequence
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
    person_ids: Sequence[int] = (),
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        actor_agency_id=getattr(actor, "agency_id", None),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        family_id=family_id,
        person_ids=list(person_ids),
        summary=summary[:255],
        changes=changes or {},
        ip=ip,
    )


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def audit_viewed(
    request, obj: models.Model, *, family_id: int | None = None, person_ids: Sequence[int] = ()
) -> AuditEvent:
    """Record that the signed-in user read a record (a page or an API object)."""
    return audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEWED,
        obj=obj,
        family_id=family_id,
        person_ids=person_ids,
        ip=client_ip(request),
    )
