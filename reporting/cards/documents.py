"""Published cards as one PDF, made by the worker as a prepared document
(tafcase.documents): a single card, or a report pack of several. Registered in
ReportingConfig.ready()."""

from django.http import Http404
from django.urls import reverse

from reporting import access
from reporting.cards import exports
from reporting.cards.models import PublishedCard
from tafcase.accounts.models import User
from tafcase.documents import kinds, services
from tafcase.documents.models import Document

CARDS = "reporting.cards"


def _allowed(user, params: dict) -> bool:
    try:
        for published_id in params.get("published_ids") or [None]:
            access.published_card_for_user(user, published_id, write=False)
    except Http404:
        return False
    return True


def _build(document: Document, progress: kinds.Progress) -> bytes:
    ids = document.params["published_ids"]
    found = PublishedCard.objects.select_related("published_by").in_bulk(ids)
    return exports.cards_pdf(
        [found[i] for i in ids],
        suppress=document.params["suppress"],
        actor=document.requested_by,
        ip=document.requested_from,
        progress=progress,
    )


def _back(params: dict) -> str:
    ids = params["published_ids"]
    if len(ids) == 1:
        return reverse("reporting:published", args=ids)
    return reverse("reporting:reports")


def register() -> None:
    kinds.register(CARDS, kinds.Kind(build=_build, allowed=_allowed, back_url=_back))


def cards_request(
    *, actor: User, published: list[PublishedCard], suppress: bool, ip: str | None
) -> Document:
    """The caller has each card through access.published_card_for_user, all of one
    authority; `suppress` is whether the requester sees small counts suppressed."""
    return services.document_request(
        actor=actor,
        kind=CARDS,
        authority=published[0].local_authority,
        title=exports.pdf_title(published),
        filename=exports.pack_filename(published),
        params={"published_ids": [p.pk for p in published], "suppress": suppress},
        ip=ip,
    )
