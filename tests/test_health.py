import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.urls import reverse

from tafcase.tasks import ping


@pytest.mark.django_db
def test_health_reports_database_and_redis(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_health_reports_redis_down_as_503(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    from django.core.cache import caches

    caches._settings = None  # drop the cached connection handler so the new setting applies
    caches.__init__()
    response = client.get(reverse("health"))
    caches.__init__()
    assert response.status_code == 503
    assert response.json()["redis"] == "error"


def test_a_task_round_trips_through_a_real_celery_worker(tmp_path):
    """Start a real worker against the (embedded) Redis and send it a task."""
    env = {
        **os.environ,
        "REDIS_URL": settings.REDIS_URL,
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    }
    env = {k: v for k, v in env.items() if v}
    worker = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "celery"),
            "-A",
            "tafcase",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "-Q",
            "health-test",
            "--hostname",
            f"health-test-{os.getpid()}@%h",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started = time.monotonic()
        result = ping.apply_async(queue="health-test")
        assert result.get(timeout=60) == "pong"
        assert time.monotonic() - started < 60
    finally:
        worker.terminate()
        worker.wait(timeout=30)
