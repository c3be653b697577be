"""The reports home: the cards, what has been published, and the returns."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from reporting import access
from reporting import dashboard as programme
from reporting.cards import selectors
from reporting.cards.measures import CARD_TITLES
from tafcase.audit.services import audit_listed


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


@login_required
def dashboard(request):
    authority_id = access.report_authority_id(request.user)
    audit_listed(request, what="programme dashboard", family_ids=())
    return render(
        request,
        "reporting/dashboard.html",
        {
            "dashboard": programme.dashboard(authority_id, timezone.localdate()),
            "suppress": not access.sees_names(request.user, authority_id),
        },
    )
