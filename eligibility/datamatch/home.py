"""The data analyst's home-page panel (tafcase.home): how current each partner dataset
is, how many possible links wait for a person to review, and how many eligible households
the run in use newly identified."""

from django.db.models import Max
from django.http import Http404
from django.urls import reverse

from eligibility.datamatch import selectors
from eligibility.datamatch.access import authority_for
from eligibility.datamatch.models import KIND_CHOICES, PartnerImport
from tafcase.accounts.models import Role
from tafcase.home import Figure, LivePanel, register_home_panel


def partner_data_figures(user) -> list[Figure]:
    """The latest extract of each dataset (one query), the review queue (one more) and the
    run in use with its eligible households (two more)."""
    try:
        authority = authority_for(user)
    except Http404:
        return []
    latest = dict(
        PartnerImport.objects.filter(local_authority=authority)
        .values("kind")
        .annotate(as_of=Max("as_of"))
        .values_list("kind", "as_of")
    )
    imports = reverse("datamatch:imports")
    figures = [
        Figure(
            f"{label}: latest extract",
            f"{latest[kind]:%-d %B %Y}" if kind in latest else "None uploaded",
            imports,
        )
        for kind, label in KIND_CHOICES
    ]
    # The queue the figure links to: open items of the current run only. Items left open
    # by a run since superseded are not waiting for anyone.
    waiting = selectors.review_queue(authority).count()
    figures.append(
        Figure("Possible links waiting for review", str(waiting), reverse("datamatch:review"))
    )
    run = selectors.current_run(authority)
    if run is not None:
        split = selectors.eligible_split(run)
        newly = str(split.newly_identified)
        if split.eligible:
            newly += f" of {split.eligible} eligible ({split.newly_identified_percent}%)"
        figures.append(
            Figure(
                "Eligible households newly identified by the data-match in use",
                newly,
                reverse("datamatch:run", args=[run.pk]),
            )
        )
    return figures


def register() -> None:
    register_home_panel(
        Role.DATA_ANALYST,
        LivePanel(
            "Partner data and data-match",
            partner_data_figures,
            ("Open partner data", "datamatch:imports"),
        ),
    )
