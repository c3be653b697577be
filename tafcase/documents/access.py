"""A prepared document is its requester's alone, in an authority they serve, and only
while its kind's `allowed` check still passes; anyone else gets 404."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tafcase.accounts.authority import served_authority_ids
from tafcase.documents import kinds
from tafcase.documents.models import Document
from tafcase.ids import record_id


def document_for_user(user, document_id: Any, *, write: bool) -> Document:
    """The document without its content (read that only to send it). Nobody changes a
    document, so `write` is refused."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such document.")
    document = (
        Document.objects.defer("content")
        .filter(
            pk=record_id(document_id),
            requested_by=user,
            local_authority_id__in=served_authority_ids(user),
        )
        .first()
    )
    if document is None or not kinds.kind(document.kind).allowed(user, document.params):
        raise Http404("No such document.")
    if write:
        raise PermissionDenied
    return document
