"""Runs whose worker died: the sweeper (beat, every minute) queues a stale running run
again until it has been tried DATAMATCH_MAX_ATTEMPTS times, then marks it failed with the
reason on its page; a queued run no worker picked up is sent again; a live run is left
alone; a worker that wakes up after its run was taken away stops without writing."""

from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from eligibility.datamatch import linkage, services, tasks
from eligibility.datamatch.generator import generate_quarter
from eligibility.datamatch.models import DatamatchRun, HouseholdResult, RecordLink
from tafcase.audit.models import AuditEvent
from tests.datamatch.conftest import AS_OF

pytestmark = pytest.mark.django_db
RUNNING, QUEUED, FAILED = "running", "queued", "failed"


@pytest.fixture
def quarter(tmp_path, load, team):
    generated = generate_quarter(120, tmp_path, seed=7, as_of=AS_OF)
    for kind, path in generated.files.items():
        agency = team.council if kind == "persons" else team.police
        # The generator leaves some kinds header-only at this size: load them knowingly.
        load(kind, Path(path).read_bytes(), agency=agency, confirm_smaller=True)
    return generated


@pytest.fixture
def sent():
    """The run ids sent to the worker by transactions that commit."""
    with patch.object(tasks.datamatch_run, "delay") as delay:
        yield delay


def queued_run(team, authority) -> DatamatchRun:
    return services.run_start(actor=team.analyst, local_authority=authority, as_of=AS_OF)


def silent_for(run: DatamatchRun, minutes: int, **fields) -> DatamatchRun:
    """The run as a worker left it `minutes` ago."""
    fields.setdefault("heartbeat_at", timezone.now() - timedelta(minutes=minutes))
    DatamatchRun.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()
    return run


def stale_minutes() -> int:
    return settings.DATAMATCH_HEARTBEAT_TIMEOUT_MINUTES + 1


def test_stale_running_run_is_queued_again_and_sent_to_a_worker(
    team, authority, sent, django_capture_on_commit_callbacks
):
    run = silent_for(
        queued_run(team, authority),
        stale_minutes(),
        status=RUNNING,
        attempts=1,
        stage="Linking records to people",
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = services.stale_runs_recover()
    run.refresh_from_db()
    assert result.requeued == [run.pk] and result.failed == []
    assert run.status == QUEUED and run.attempts == 1
    assert "stopped responding" in run.stage
    sent.assert_called_once_with(run.pk)
    event = AuditEvent.objects.filter(object_id=str(run.pk)).latest("at")
    assert "again" in event.summary and event.actor is None


def test_run_out_of_attempts_is_marked_failed_with_the_reason_on_its_page(
    client, team, authority, sent, django_capture_on_commit_callbacks
):
    previous = silent_for(queued_run(team, authority), 0, status="succeeded", is_current=True)
    run = silent_for(
        queued_run(team, authority),
        stale_minutes(),
        status=RUNNING,
        attempts=settings.DATAMATCH_MAX_ATTEMPTS,
        stage="Linking records to people",
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = services.stale_runs_recover()
    run.refresh_from_db()
    previous.refresh_from_db()
    assert result.failed == [run.pk] and result.requeued == []
    assert run.status == FAILED and run.finished_at is not None
    assert "worker stopped responding while linking records to people" in run.error
    assert previous.is_current and not run.is_current
    sent.assert_not_called()
    client.force_login(team.analyst)
    page = client.get(reverse("datamatch:run", args=[run.pk])).content.decode()
    assert "The run failed" in page and "stopped responding" in page


def test_running_run_with_a_recent_heartbeat_is_left_alone(
    team, authority, sent, django_capture_on_commit_callbacks
):
    run = silent_for(
        queued_run(team, authority),
        settings.DATAMATCH_HEARTBEAT_TIMEOUT_MINUTES - 2,
        status=RUNNING,
        attempts=1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = services.stale_runs_recover()
    assert run.status == DatamatchRun.objects.get(pk=run.pk).status == RUNNING
    assert result == services.SweepResult()
    sent.assert_not_called()


def test_queued_run_never_picked_up_is_sent_again_once_per_timeout(
    team, authority, sent, django_capture_on_commit_callbacks
):
    run = silent_for(queued_run(team, authority), stale_minutes())
    with django_capture_on_commit_callbacks(execute=True):
        first = services.stale_runs_recover()
        second = services.stale_runs_recover()
    run.refresh_from_db()
    assert first.resent == [run.pk] and second == services.SweepResult()
    assert run.status == QUEUED and run.attempts == 0
    sent.assert_called_once_with(run.pk)


def test_timeout_is_a_setting(team, authority, settings):
    settings.DATAMATCH_HEARTBEAT_TIMEOUT_MINUTES = 60
    run = silent_for(queued_run(team, authority), 30, status=RUNNING, attempts=1)
    assert services.stale_runs_recover() == services.SweepResult()
    settings.DATAMATCH_HEARTBEAT_TIMEOUT_MINUTES = 20
    assert services.stale_runs_recover().requeued == [run.pk]


def test_progress_renews_the_heartbeat(team, authority, quarter):
    run = silent_for(queued_run(team, authority), stale_minutes())
    before = run.heartbeat_at
    run = services.run_execute(run_id=run.pk)
    assert run.status == "succeeded" and run.attempts == 1
    assert run.heartbeat_at > before + timedelta(minutes=stale_minutes() - 1)


def test_a_run_whose_worker_died_is_finished_by_the_next_attempt(team, authority, quarter):
    reference = services.run_execute(run_id=queued_run(team, authority).pk)
    run = queued_run(team, authority)
    # The worker process is killed after the links are stored, before the households.
    killed = patch.object(services, "_households_save", side_effect=SystemExit)
    with killed, pytest.raises(SystemExit):
        services.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RUNNING and RecordLink.objects.filter(run=run).exists()

    later = timezone.now() + timedelta(minutes=stale_minutes())
    assert services.stale_runs_recover(now=later).requeued == [run.pk]
    again = services.run_execute(run_id=run.pk)

    assert again.status == "succeeded" and again.is_current and again.attempts == 2
    assert again.links.count() == reference.links.count()
    assert HouseholdResult.objects.filter(run=run).count() == reference.households.count()


def test_worker_that_wakes_after_its_run_was_requeued_stops_without_writing(
    team, authority, quarter
):
    run = queued_run(team, authority)
    link_records = linkage.link_records

    def slow_linking(*args, **kwargs):
        # While this worker is silent, the sweeper gives its run to another worker.
        later = timezone.now() + timedelta(minutes=stale_minutes())
        assert services.stale_runs_recover(now=later).requeued == [run.pk]
        return link_records(*args, **kwargs)

    with patch.object(linkage, "link_records", side_effect=slow_linking):
        assert services.run_execute(run_id=run.pk) is None
    run.refresh_from_db()
    assert run.status == QUEUED and not RecordLink.objects.filter(run=run).exists()
    assert services.run_execute(run_id=run.pk).status == "succeeded"


def test_sweep_task_only_calls_the_service():
    with patch.object(services, "stale_runs_recover") as recover:
        tasks.datamatch_stale_runs_recover()
    recover.assert_called_once_with()


def test_beat_runs_the_sweep_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["datamatch-stale-runs"]
    assert entry["task"] == tasks.datamatch_stale_runs_recover.name
    assert entry["schedule"] <= 60
