"""Requesting, building and sweeping prepared documents. The worker's writes are
conditional on the document still being its own, so a document delivered twice, or found
stale while the worker slept, is built once."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tafcase.accounts.models import LocalAuthority, User
from tafcase.documents import kinds
from tafcase.documents.models import Document

log = logging.getLogger(__name__)
S = Document.Status


class Superseded(Exception):
    """The document is no longer this worker's (failed by the sweeper meanwhile)."""


def document_request(
    *,
    actor: User,
    kind: str,
    authority: LocalAuthority,
    title: str,
    filename: str,
    params: dict,
    ip: str | None,
) -> Document:
    """Ask the worker for a document; the caller has checked the actor may have it."""
    kinds.kind(kind)  # a kind nobody registered is a programming error: fail here
    document = Document.objects.create(
        kind=kind,
        title=title,
        filename=filename,
        params=params,
        requested_by=actor,
        local_authority=authority,
        requested_from=ip,
    )
    _send_to_worker(document.pk)
    return document


def _send_to_worker(document_id: int) -> None:
    from tafcase.documents.tasks import document_build as task

    transaction.on_commit(lambda: task.delay(document_id))


def _running(document_id: int):
    return Document.objects.filter(pk=document_id, status=S.RUNNING)


def document_build(*, document_id: int) -> Document | None:
    """Build a queued document. Only the delivery that moves it from queued to running does
    anything; a build that raises marks the document failed with words for its page."""
    now = timezone.now()
    if not Document.objects.filter(pk=document_id, status=S.QUEUED).update(
        status=S.RUNNING, stage="Starting", percent=0, heartbeat_at=now
    ):
        return None
    document = Document.objects.select_related("requested_by").defer("content").get(pk=document_id)

    def progress(stage: str, percent: int) -> None:
        if not _running(document_id).update(
            stage=stage[:120], percent=max(0, min(99, percent)), heartbeat_at=timezone.now()
        ):
            raise Superseded

    try:
        content = kinds.kind(document.kind).build(document, progress)
    except Superseded:
        log.warning("Document %s was taken away from its worker; stopped", document_id)
        return None
    except Exception as error:
        # The error's type only: its text could hold personal data.
        log.exception("Document %s (%s) failed", document_id, document.kind)
        _running(document_id).update(
            status=S.FAILED,
            finished_at=timezone.now(),
            error=f"The document could not be made ({type(error).__name__}). Ask for it "
            "again; if it fails twice, tell support.",
        )
        return None
    finished = timezone.now()
    _running(document_id).update(
        status=S.READY,
        stage="Ready",
        percent=100,
        content=content,
        size=len(content),
        finished_at=finished,
        heartbeat_at=finished,
    )
    return Document.objects.defer("content").get(pk=document_id)


def documents_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: delete documents older than DOCUMENT_KEEP_HOURS, fail any whose worker has
    been silent for DOCUMENT_TIMEOUT_MINUTES (so the page says to ask again)."""
    now = now or timezone.now()
    deleted, _ = Document.objects.filter(
        requested_at__lt=now - timedelta(hours=settings.DOCUMENT_KEEP_HOURS)
    ).delete()
    failed = Document.objects.filter(
        status__in=[S.QUEUED, S.RUNNING],
        heartbeat_at__lt=now - timedelta(minutes=settings.DOCUMENT_TIMEOUT_MINUTES),
    ).update(
        status=S.FAILED,
        finished_at=now,
        error="The document was not made: the background worker stopped responding. Ask "
        "for it again; if it stops again, ask for the worker to be checked.",
    )
    return {"deleted": deleted, "failed": failed}
