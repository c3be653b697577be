"""The claim outputs, mounted under /claims/ by outcomes.claims.urls (export_urlpatterns,
namespace "claims").

The schedule and the return name every family of a window, so like the claims themselves
they are for the programme team and the auditor of the window's authority
(outcomes.access.sees_claims): the authority's manager, who declares the window from its
totals, gets 404 as everyone else does. The PDFs are asked for with a POST and made by the
worker (outcomes.claims.documents); the page they lead to shows progress, then the file.
The CSV return is quick and is sent at once. Responses are never cached.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from outcomes import access
from outcomes.claims import documents, exports
from tafcase import web
from tafcase.audit.services import client_ip
from tafcase.documents.models import Document


def _to_document(document: Document):
    return redirect("documents:document", document.pk)


@login_required
@require_POST
def schedule_pdf(request, window_id):
    window = access.claim_window_outputs_for_user(request.user, window_id)
    return _to_document(
        documents.schedule_request(actor=request.user, window=window, ip=client_ip(request))
    )


@login_required
@require_GET
def return_csv(request, window_id):
    window = access.claim_window_outputs_for_user(request.user, window_id)
    csv = exports.return_csv(window, actor=request.user, ip=client_ip(request))
    return web.csv_response(csv, exports.return_filename(window))


@login_required
@require_POST
def evidence_pack_pdf(request, claim_id):
    claims = access.claims_for_user(request.user, [claim_id], write=False)
    return _to_document(
        documents.evidence_pack_request(actor=request.user, claims=claims, ip=client_ip(request))
    )


@login_required
@require_POST
def evidence_packs_pdf(request):
    """Evidence packs for a list of claims (a spot-check request): claims=CLM-000012, 15
    (references or plain numbers). A list that is not claims is a bad request; any claim
    the user cannot see answers 404 for the whole request."""
    text = request.POST.get("claims", "")
    parts = [p.strip().upper().removeprefix("CLM-") for p in text.split(",") if p.strip()]
    if not parts or not all(p.isascii() and p.isdigit() for p in parts):
        return HttpResponseBadRequest(
            "Give the claim references separated by commas: CLM-000012, CLM-000015."
        )
    ids = list(dict.fromkeys(parts))
    if len(ids) > exports.EVIDENCE_PACK_LIMIT:
        return HttpResponseBadRequest(
            f"An evidence pack holds at most {exports.EVIDENCE_PACK_LIMIT} claims."
        )
    claims = access.claims_for_user(request.user, ids, write=False)
    return _to_document(
        documents.evidence_pack_request(actor=request.user, claims=claims, ip=client_ip(request))
    )


# Paths follow the claims pages: /claims/<window>/… for a window, /claims/claim/<id>/…
export_urlpatterns = [
    path("<int:window_id>/schedule.pdf", schedule_pdf, name="schedule-pdf"),
    path("<int:window_id>/return.csv", return_csv, name="return-csv"),
    path("claim/<int:claim_id>/evidence-pack.pdf", evidence_pack_pdf, name="evidence-pack"),
    path("evidence-pack.pdf", evidence_packs_pdf, name="evidence-packs"),
]
