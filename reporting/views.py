"""The reports home: the cards, what has been published, and the returns."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from reporting import access
from reporting.cards import selectors
from reporting.cards.measures import CARD_TITLES


@login_required
def reports(request):
    authority_id = access.report_authority_id(request.user)
    return render(
        request,
        "reporting/reports.html",
        {
            "cards": list(CARD_TITLES.items()),
            "published": selectors.published_cards(authority_id)[:20],
        },
    )
