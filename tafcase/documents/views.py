"""A prepared document's page (progress, then the download), its progress for the page to
poll, and the file. Only its requester reaches any of them (documents.access)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record, client_ip
from tafcase.documents import kinds
from tafcase.documents.access import document_for_user
from tafcase.documents.models import Document


@require_GET
@login_required
def document(request, document_id):
    found = document_for_user(request.user, document_id, write=False)
    going = found.status in (Document.Status.QUEUED, Document.Status.RUNNING)
    return render(
        request,
        "documents/document.html",
        {
            "document": found,
            "going": going,
            "back_url": kinds.kind(found.kind).back_url(found.params),
            "keep_hours": settings.DOCUMENT_KEEP_HOURS,
        },
    )


@require_GET
@login_required
def progress(request, document_id):
    """Not audited: stage and percent only, polled every few seconds."""
    found = document_for_user(request.user, document_id, write=False)
    return JsonResponse({"status": found.status, "stage": found.stage, "percent": found.percent})


def download(request, document: Document) -> HttpResponse:
    """The document's file, for the page and the API alike: 404 until it is ready; every
    download audited."""
    content = (
        Document.objects.filter(pk=document.pk, status=Document.Status.READY)
        .values_list("content", flat=True)
        .first()
    )
    if content is None:
        raise Http404("This document is not ready.")
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEWED,
        obj=document,
        ip=client_ip(request),
        summary=f"Downloaded {document.title}",
    )
    response = HttpResponse(bytes(content), content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def document_file(request, document_id):
    return download(request, document_for_user(request.user, document_id, write=False))
