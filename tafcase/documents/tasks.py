from celery import shared_task

from tafcase.documents import services


@shared_task
def document_build(document_id: int) -> None:
    """A requested document, on the worker. Safe to deliver twice."""
    services.document_build(document_id=document_id)


@shared_task
def documents_sweep() -> None:
    """Beat: delete old documents and fail those whose worker died."""
    services.documents_sweep()
