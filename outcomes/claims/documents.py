"""The claims' long PDFs, made by the worker as prepared documents (tafcase.documents):
the claim schedule of a window and the evidence pack of one claim or a spot check's list.
Registered in OutcomesConfig.ready()."""

from django.http import Http404
from django.urls import reverse

from outcomes import access
from outcomes.claims import exports
from outcomes.claims.models import Claim, ClaimWindow
from tafcase.accounts.models import User
from tafcase.documents import kinds, services
from tafcase.documents.models import Document

SCHEDULE = "claims.schedule"
EVIDENCE_PACK = "claims.evidence_pack"


def _schedule_allowed(user, params: dict) -> bool:
    try:
        window = access.claim_window_for_user(user, params.get("window_id"), write=False)
    except Http404:
        return False
    return access.sees_claims(user, window.local_authority_id)


def _schedule_build(document: Document, progress: kinds.Progress) -> bytes:
    window = ClaimWindow.objects.select_related("local_authority", "framework").get(
        pk=document.params["window_id"]
    )
    return exports.schedule_pdf(
        window, actor=document.requested_by, ip=document.requested_from, progress=progress
    )


def _pack_allowed(user, params: dict) -> bool:
    try:
        access.claims_for_user(user, params.get("claim_ids") or [], write=False)
    except Http404:
        return False
    return True


def _pack_build(document: Document, progress: kinds.Progress) -> bytes:
    found = Claim.objects.select_related("window", "family", "local_authority").in_bulk(
        document.params["claim_ids"]
    )
    claims = [found[pk] for pk in document.params["claim_ids"] if pk in found]
    return exports.evidence_pack_pdf(
        claims, actor=document.requested_by, ip=document.requested_from, progress=progress
    )


def _pack_back(params: dict) -> str:
    ids = params.get("claim_ids") or []
    if len(ids) == 1:
        return reverse("claims:claim", args=[ids[0]])
    return reverse("claims:windows")


def register() -> None:
    kinds.register(
        SCHEDULE,
        kinds.Kind(
            build=_schedule_build,
            allowed=_schedule_allowed,
            back_url=lambda params: reverse("claims:window", args=[params["window_id"]]),
        ),
    )
    kinds.register(
        EVIDENCE_PACK,
        kinds.Kind(build=_pack_build, allowed=_pack_allowed, back_url=_pack_back),
    )


def schedule_request(*, actor: User, window: ClaimWindow, ip: str | None) -> Document:
    """The caller has the window through access.claim_window_for_user and sees_claims."""
    return services.document_request(
        actor=actor,
        kind=SCHEDULE,
        authority=window.local_authority,
        title=f"Claim schedule: {window.name}",
        filename=exports.schedule_filename(window),
        params={"window_id": window.pk},
        ip=ip,
    )


def evidence_pack_request(*, actor: User, claims: list[Claim], ip: str | None) -> Document:
    """The caller has the claims through access.claims_for_user."""
    title = (
        f"Evidence pack: {claims[0].reference}"
        if len(claims) == 1
        else f"Evidence packs: {len(claims)} claims"
    )
    return services.document_request(
        actor=actor,
        kind=EVIDENCE_PACK,
        authority=claims[0].local_authority,
        title=title,
        filename=exports.evidence_pack_filename(claims),
        params={"claim_ids": [c.pk for c in claims]},
        ip=ip,
    )
