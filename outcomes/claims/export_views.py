"""Download views for the claim outputs, mounted under /claims/ by outcomes.claims.urls
(export_urlpatterns, namespace "claims").

The schedule and the return name every family of a window, so like the claims themselves
they are for the programme team and the auditor of the window's authority
(outcomes.access.sees_claims): the authority's manager, who declares the window from its
totals, gets 404 as everyone else does. Responses are never cached (tafcase.middleware).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.views.decorators.http import require_GET

from outcomes import access
from outcomes.claims import exports
from outcomes.claims.models import ClaimWindow
from tafcase import web


def _window_with_claims(request, window_id) -> ClaimWindow:
    window = access.claim_window_for_user(request.user, window_id, write=False)
    if not access.sees_claims(request.user, window.local_authority_id):
        raise Http404("No such claim window.")
    return window


@require_GET
@login_required
def schedule_pdf(request, window_id):
    window = _window_with_claims(request, window_id)
    pdf = exports.schedule_pdf(request, window)
    return web.pdf_response(pdf, exports.schedule_filename(window), inline=True)


@require_GET
@login_required
def return_csv(request, window_id):
    window = _window_with_claims(request, window_id)
    response = HttpResponse(
        exports.return_csv(request, window), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.return_filename(window)}"'
    return response


@require_GET
@login_required
def evidence_pack_pdf(request, claim_id):
    claim = access.claim_for_user(request.user, claim_id, write=False)
    pdf = exports.evidence_pack_pdf(request, [claim])
    return web.pdf_response(pdf, exports.evidence_pack_filename([claim]), inline=True)


@require_GET
@login_required
def evidence_packs_pdf(request):
    """Evidence packs for a list of claims (a spot-check request): ?claims=12,15,40.
    A list that is not claim numbers is a bad request; any claim the user cannot see
    answers 404 for the whole request."""
    text = request.GET.get("claims", "")
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        return HttpResponseBadRequest("Give the claim numbers as ?claims=12,15,40.")
    ids = list(dict.fromkeys(int(p) for p in parts))
    if len(ids) > exports.EVIDENCE_PACK_LIMIT:
        return HttpResponseBadRequest(
            f"An evidence pack holds at most {exports.EVIDENCE_PACK_LIMIT} claims."
        )
    claims = [access.claim_for_user(request.user, pk, write=False) for pk in ids]
    pdf = exports.evidence_pack_pdf(request, claims)
    return web.pdf_response(pdf, exports.evidence_pack_filename(claims), inline=True)


# Paths follow the claims pages: /claims/<window>/… for a window, /claims/claim/<id>/…
export_urlpatterns = [
    path("<int:window_id>/schedule.pdf", schedule_pdf, name="schedule-pdf"),
    path("<int:window_id>/return.csv", return_csv, name="return-csv"),
    path("claim/<int:claim_id>/evidence-pack.pdf", evidence_pack_pdf, name="evidence-pack"),
    path("evidence-pack.pdf", evidence_packs_pdf, name="evidence-packs"),
]
