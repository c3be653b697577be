from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

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
        if family_id is None:  # not a reference: no family's events, not the family-less
            return events.none()
        events = events.filter(Q(family_id=family_id) | Q(family_ids__contains=[family_id]))
    if person:
        events = events.filter(person_ids__contains=[person])
    # Days are London days, read as moments so the index on the time serves them.
    if date_from:
        events = events.filter(at__gte=start_of(date_from))
    if date_to and date_to < date.max:
        events = events.filter(at__lt=start_of(date_to + timedelta(days=1)))
    return events


def start_of(day: date) -> datetime:
    """Midnight at the start of a London day."""
    return datetime.combine(day, time.min, timezone.get_current_timezone())
