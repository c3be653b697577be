"""A published card's PDF, made by the worker as a prepared document (tafcase.documents).
Registered in ReportingConfig.ready()."""

from django.http import Http404
from django.urls import reverse

from reporting import access
from reporting.cards import exports
from reporting.cards.models import PublishedCard
from tafcase.accounts.models import User
from tafcase.documents import kinds, services
from tafcase.documents.models import Document

CARD = "reporting.card"


def _allowed(user, params: dict) -> bool:
    try:
        access.published_card_for_user(user, params.get("published_id"), write=False)
    except Http404:
        return False
    return True


def _build(document: Document, progress: kinds.Progress) -> bytes:
    published = PublishedCard.objects.select_related("published_by").get(
        pk=document.params["published_id"]
    )
    return exports.card_pdf(
        published,
        suppress=document.params["suppress"],
        actor=document.requested_by,
        ip=document.requested_from,
        progress=progress,
    )


def register() -> None:
    kinds.register(
        CARD,
        kinds.Kind(
            build=_build,
            allowed=_allowed,
            back_url=lambda params: reverse("reporting:published", args=[params["published_id"]]),
        ),
    )


def card_request(
    *, actor: User, published: PublishedCard, suppress: bool, ip: str | None
) -> Document:
    """The caller has the card through access.published_card_for_user; `suppress` is
    whether the requester sees small counts suppressed."""
    return services.document_request(
        actor=actor,
        kind=CARD,
        authority=published.local_authority,
        title=f"{published.figures['title']} report card, {published.figures['period_label']}",
        filename=exports.filename(published, "pdf"),
        params={"published_id": published.pk, "suppress": suppress},
        ip=ip,
    )
