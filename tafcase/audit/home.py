"""The auditor's home-page panel (tafcase.home): how much the audit trail has recorded
lately, with the way to search it."""

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from tafcase.accounts.models import Role
from tafcase.audit.models import AuditEvent
from tafcase.audit.selectors import start_of
from tafcase.home import Figure, LivePanel, register_home_panel


def recent_events_figures(user) -> list[Figure]:
    """Events recorded today and in the last seven days, each linked to the audit log
    searched from that day (the same count the log shows)."""
    today = timezone.localdate()
    week_start = today - timedelta(days=6)
    counts = AuditEvent.objects.filter(at__gte=start_of(week_start)).aggregate(
        week=Count("pk"), day=Count("pk", filter=Q(at__gte=start_of(today)))
    )
    url = reverse("audit-log")
    return [
        Figure("Events recorded today", str(counts["day"]), f"{url}?date_from={today}"),
        Figure(
            "Events recorded in the last 7 days",
            str(counts["week"]),
            f"{url}?date_from={week_start}",
        ),
    ]


def register() -> None:
    register_home_panel(
        Role.AUDITOR,
        LivePanel("Audit trail", recent_events_figures, ("Search the audit log", "audit-log")),
    )
