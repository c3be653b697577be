"""The home-page panels of eligibility (tafcase.home): the coordinator's nominations
queue and the panel chair's next panel."""

from django.urls import reverse
from django.utils import timezone

from eligibility import access, selectors
from eligibility.models import AgendaItem
from tafcase.accounts.models import Role
from tafcase.home import Figure, LivePanel, register_home_panel


def nomination_queue_figures(user) -> list[Figure]:
    """Open nominations and how long the oldest has waited at its stage, in one query."""
    queue = selectors.nomination_queue(access.nominations_visible_to(user))
    waiting = sum(row.count for row in queue)
    ages = [row.oldest_days for row in queue if row.oldest_days is not None]
    url = reverse("eligibility:nominations")
    figures = [Figure("Nominations waiting", str(waiting), url)]
    if ages:
        oldest = max(ages)
        figures.append(
            Figure("The oldest has waited", f"{oldest} day{'' if oldest == 1 else 's'}", url)
        )
    return figures


def next_panel_figures(user) -> list[Figure]:
    panel = (
        access.panels_visible_to(user)
        .filter(meets_on__gte=timezone.localdate())
        .order_by("meets_on", "pk")
        .first()
    )
    if panel is None:
        return [Figure("Next panel", "None arranged", reverse("eligibility:panels"))]
    url = reverse("eligibility:panel", args=[panel.pk])
    items = AgendaItem.objects.filter(panel=panel)
    return [
        Figure("Next panel", f"{panel.meets_on:%-d %B %Y}", url),
        Figure("Nominations on its agenda", str(items.count()), url),
        Figure("Not yet decided", str(items.filter(decision="").count()), url),
    ]


def register() -> None:
    register_home_panel(
        Role.COORDINATOR,
        LivePanel(
            "Nominations queue",
            nomination_queue_figures,
            ("Open the queue", "eligibility:nominations"),
        ),
    )
    register_home_panel(
        Role.PANEL_CHAIR,
        LivePanel("Next panel", next_panel_figures, ("Open panels", "eligibility:panels")),
    )
