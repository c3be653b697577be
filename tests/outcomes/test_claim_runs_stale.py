"""Claim runs whose worker died: the sweeper (beat, every minute) queues a silent running
run again until CLAIM_RUN_MAX_ATTEMPTS, then fails it with the reason on the window page so
a new run can start; a queued run no worker took is sent again; a live run is left alone;
a worker that wakes up after its run was taken away stops without writing."""

from datetime import timedelta
from unittest.mock import patch

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from outcomes import tasks
from outcomes.claims import services
from outcomes.claims.models import Claim, ClaimRun
from tafcase.audit.models import AuditEvent
from tests.families.conftest import make_family, world  # noqa: F401
from tests.outcomes.conftest import active  # noqa: F401
from tests.outcomes.test_claims import open_window

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    """The run ids sent to the worker by transactions that commit."""
    with patch.object(tasks.claim_run, "delay") as delay:
        yield delay


def silent_for(run: ClaimRun, minutes: int, **fields) -> ClaimRun:
    """The run as a worker left it `minutes` ago."""
    fields.setdefault("heartbeat_at", timezone.now() - timedelta(minutes=minutes))
    ClaimRun.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()
    return run


def stale() -> int:
    return settings.CLAIM_RUN_HEARTBEAT_TIMEOUT_MINUTES + 1


def queued(team) -> ClaimRun:
    return services.claim_run_start(actor=team.coordinator, window=open_window(team), queue=False)


def test_a_silent_running_run_is_queued_again_and_sent(
    team, sent, django_capture_on_commit_callbacks
):
    run = silent_for(queued(team), stale(), status="running", attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.claim_runs_recover()
    run.refresh_from_db()
    assert result == {"requeued": [run.pk], "failed": [], "resent": []}
    assert run.status == "queued"
    sent.assert_called_once_with(run.pk)
    event = AuditEvent.objects.filter(object_id=str(run.pk)).latest("at")
    assert "queued again" in event.summary and event.actor is None


def test_the_requeued_run_finishes_and_proposes_each_claim_once(team, sent):
    run = silent_for(queued(team), stale(), status="running", attempts=1)
    services.claim_runs_recover()
    finished = services.claim_run_execute(run_id=run.pk)
    assert finished is not None and finished.status == "succeeded" and finished.attempts == 2
    assert finished.families_done == finished.families_total == 3
    assert Claim.objects.filter(window=run.window).count() == 3


def test_out_of_attempts_it_fails_with_the_reason_and_a_new_run_can_start(client, team, sent):
    run = silent_for(
        queued(team), stale(), status="running", attempts=settings.CLAIM_RUN_MAX_ATTEMPTS
    )
    result = services.claim_runs_recover()
    run.refresh_from_db()
    assert result["failed"] == [run.pk] and not sent.called
    assert run.status == "failed" and "stopped responding" in run.error
    client.force_login(team.coordinator)
    page = client.get(reverse("claims:window", args=[run.window_id]))
    assert "stopped responding" in page.content.decode()
    again = services.claim_run_start(actor=team.coordinator, window=run.window, queue=False)
    assert again.pk != run.pk


def test_a_live_run_and_a_recently_queued_run_are_left_alone(team, sent):
    live = silent_for(queued(team), stale() - 2, status="running", attempts=1)
    result = services.claim_runs_recover()
    live.refresh_from_db()
    assert result == {"requeued": [], "failed": [], "resent": []}
    assert live.status == "running"


def test_a_queued_run_nobody_took_is_sent_again_once_per_timeout(
    team, sent, django_capture_on_commit_callbacks
):
    run = silent_for(queued(team), stale())
    with django_capture_on_commit_callbacks(execute=True):
        first = services.claim_runs_recover()
        second = services.claim_runs_recover()
    assert first["resent"] == [run.pk] and second["resent"] == []
    sent.assert_called_once_with(run.pk)


def test_a_worker_that_wakes_after_its_run_was_requeued_stops_without_writing(team, sent):
    run = queued(team)
    calls = []

    def requeue_midway(progress):
        # The sweeper gives up on this worker after its first batch.
        calls.append(progress.families_done)
        ClaimRun.objects.filter(pk=run.pk).update(
            heartbeat_at=timezone.now() - timedelta(minutes=stale())
        )
        services.claim_runs_recover()

    with patch.object(services, "BATCH", 1):
        assert services.claim_run_execute(run_id=run.pk, on_progress=requeue_midway) is None
    run.refresh_from_db()
    assert calls == [1]
    assert run.status == "queued" and run.families_done == 1
    assert Claim.objects.filter(window=run.window).count() == 1
