"""The manager's home-page panel (tafcase.home): a few headline figures of the programme
dashboard, and the way to the report cards."""

from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from reporting import access
from reporting import dashboard as programme
from tafcase.accounts.models import Role
from tafcase.home import Figure, LivePanel, register_home_panel


def headline_figures(user) -> list[Figure]:
    try:
        authority_id = access.report_authority_id(user)
    except Http404:
        return []
    caseload = programme.caseload(authority_id)
    overdue = programme.overdue(authority_id, timezone.localdate())
    url = reverse("reporting:dashboard")
    return [
        Figure("Families active on the programme", str(caseload.active), url),
        Figure("Active families without a lead professional", str(caseload.without_lead), url),
        Figure("Reviews overdue", str(overdue.reviews), url),
        Figure("Report cards", "Open the report cards", reverse("reporting:reports")),
    ]


def register() -> None:
    register_home_panel(
        Role.MANAGER,
        LivePanel(
            "Programme at a glance", headline_figures, ("Open the dashboard", "reporting:dashboard")
        ),
    )
