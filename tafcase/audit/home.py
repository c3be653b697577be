"""The auditor's home-page panel (tafcase.home): how much the audit trail has recorded
lately, with the way to search it."""

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from tafcase.accounts.models import Role
from tafcase.audit.models import AuditEvent
from tafcase.home import Figure, LivePanel, register_home_panel


def recent_events_figures(user) -> list[Figure]:
    now = timezone.now()
    counts = AuditEvent.objects.filter(at__gte=now - timedelta(days=7)).aggregate(
        week=Count("pk"), day=Count("pk", filter=Q(at__gte=now - timedelta(days=1)))
    )
    url = reverse("audit-log")
    return [
        Figure("Events recorded in the last 24 hours", str(counts["day"]), url),
        Figure("Events recorded in the last 7 days", str(counts["week"]), url),
    ]


def register() -> None:
    register_home_panel(
        Role.AUDITOR,
        LivePanel("Audit trail", recent_events_figures, ("Search the audit log", "audit-log")),
    )
