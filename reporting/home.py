"""The manager's home-page panel (tafcase.home): a few headline figures of the programme
dashboard, and the way to the report cards."""

from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from reporting import access
from reporting import dashboard as programme
from reporting.rules import Unit, shown
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
    # As on the dashboard it links to: small counts are "<5" outside the programme team.
    suppress = not access.sees_names(user, authority_id)

    def count(value: int) -> str:
        return shown(value, Unit.COUNT, suppress=suppress)

    return [
        Figure("Families active on the programme", count(caseload.active), url),
        Figure("Active families without a lead professional", count(caseload.without_lead), url),
        Figure("Reviews overdue", count(overdue.reviews), url),
        Figure("Report cards", "Open the report cards", reverse("reporting:reports")),
    ]


def register() -> None:
    register_home_panel(
        Role.MANAGER,
        LivePanel(
            "Programme at a glance", headline_figures, ("Open the dashboard", "reporting:dashboard")
        ),
    )
