from datetime import date

from django.db.models import Q, QuerySet

from tafcase.audit.models import AuditEvent
from tafcase.references import id_from_reference


def audit_search(
    *,
    actor: str = "",
    family: str = "",
    person: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor", "actor_agency")
    if actor:
        events = events.filter(actor__email__iexact=actor.strip())
    if family:
        family_id = id_from_reference(family)
        shown = Q(family_ids__contains=[family_id]) if family_id is not None else Q(pk__in=[])
        events = events.filter(Q(family_id=family_id) | shown)
    if person:
        events = events.filter(person_ids__contains=[person])
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events
