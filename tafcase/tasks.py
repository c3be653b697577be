from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

BEAT_HEARTBEAT_KEY = "beat:last-seen"


@shared_task
def ping() -> str:
    """Round-trip check through the worker, used by /health/?worker=1."""
    return "pong"


@shared_task
def beat_heartbeat() -> None:
    cache.set(BEAT_HEARTBEAT_KEY, timezone.now().isoformat(), 60 * 60)
