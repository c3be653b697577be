from celery import shared_task

from tafcase.idempotency.services import idempotency_keys_purge


@shared_task
def idempotency_keys_purge_task() -> int:
    """Beat: expired idempotency keys are only a table to keep small."""
    return idempotency_keys_purge()
