"""The home-page panels of casework (tafcase.home): what is due for a key worker's
families, and what waits for the coordinator. Each figure links to the list it counts."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from outcomes import selectors
from outcomes.claims.selectors import windows_for
from tafcase.accounts.models import Role
from tafcase.home import Figure, LivePanel, register_home_panel

K = selectors.DueKind
W = selectors.DueWindow


def _due_url(kind: str, window: str) -> str:
    return f"{reverse('outcomes:dashboard')}?{urlencode({'kind': kind, 'window': window})}"


def casework_due_figures(user) -> list[Figure]:
    """Four counts, one query each, over the families the user works with."""
    today = timezone.localdate()
    shown = [
        ("Reviews overdue", K.REVIEWS, W.OVERDUE),
        ("Reviews due in the next 14 days", K.REVIEWS, W.NEXT_14),
        ("Plan actions overdue", K.ACTIONS, W.OVERDUE),
        ("Follow-ups overdue or due in the next 14 days", K.FOLLOW_UPS, W.DUE_SOON),
    ]
    return [
        Figure(
            label,
            str(
                selectors.casework_due(
                    user, selectors.CaseworkFilters(kind=kind, window=window), today
                ).count()
            ),
            _due_url(kind, window),
        )
        for label, kind, window in shown
    ]


def waiting_figures(user) -> list[Figure]:
    spend = selectors.spend_awaiting_totals(user)
    return [
        Figure(
            "Spend awaiting approval",
            f"{spend['count']} (£{spend['amount']:,.2f})" if spend["count"] else "0",
            reverse("outcomes:spend-awaiting"),
        ),
        Figure(
            "Closures awaiting sign-off",
            str(selectors.closures_awaiting_sign_off(user).count()),
            reverse("outcomes:closures-awaiting"),
        ),
    ]


def claim_window_figures(user) -> list[Figure]:
    """The newest claim window's stage and deadline, from one query."""
    windows = sorted(windows_for(user), key=lambda w: (w.deadline, w.pk), reverse=True)
    if not windows:
        return [Figure("Claim windows", "None open yet", reverse("claims:windows"))]
    newest = windows[0]
    return [
        Figure(
            newest.name,
            f"{newest.get_stage_display()}, deadline {newest.deadline:%-d %B %Y}",
            reverse("claims:window", args=[newest.pk]),
        )
    ]


def register() -> None:
    due = LivePanel(
        "Casework due", casework_due_figures, ("Open casework due", "outcomes:dashboard")
    )
    register_home_panel(Role.KEY_WORKER, due)
    register_home_panel(Role.COORDINATOR, due)
    register_home_panel(Role.COORDINATOR, LivePanel("Waiting for your approval", waiting_figures))
    claims = LivePanel(
        "Claim windows", claim_window_figures, ("Open claim windows", "claims:windows")
    )
    for role in (Role.COORDINATOR, Role.DATA_ANALYST, Role.MANAGER):
        register_home_panel(role, claims)
