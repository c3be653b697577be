"""The reports home: the cards, what has been published, and the returns."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from reporting import access
from reporting import dashboard as programme
from reporting.cards import documents, selectors
from reporting.cards.measures import CARD_TITLES
from tafcase.audit.services import audit_listed, client_ip

# The most cards one report pack holds, and the published cards the page lists.
PACK_MOST = 12
PUBLISHED_SHOWN = 20


def _reports_page(request, *, error: str = "", status: int = 200):
    authority_id = access.report_authority_id(request.user)
    return render(
        request,
        "reporting/reports.html",
        {
            "cards": list(CARD_TITLES.items()),
            "published": selectors.published_cards(authority_id)[:PUBLISHED_SHOWN],
            "pack_most": PACK_MOST,
            "pack_error": error,
            "chosen": request.POST.getlist("published"),
        },
        status=status,
    )


@login_required
def reports(request):
    return _reports_page(request)


@login_required
@require_POST
def pack(request):
    """Several published cards as one PDF (a report pack for a board), made as a prepared
    document. Each card is resolved through the reader's access, in the order listed."""
    access.report_authority_id(request.user)
    ids = list(dict.fromkeys(request.POST.getlist("published")))
    if not ids:
        return _reports_page(request, error="Select the cards for the report pack", status=400)
    if len(ids) > PACK_MOST:
        return _reports_page(
            request, error=f"A report pack holds up to {PACK_MOST} cards", status=400
        )
    found = [access.published_card_for_user(request.user, i, write=False) for i in ids]
    document = documents.cards_request(
        actor=request.user,
        published=found,
        suppress=not access.sees_names(request.user, found[0].local_authority_id),
        ip=client_ip(request),
    )
    return redirect("documents:document", document.pk)


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
