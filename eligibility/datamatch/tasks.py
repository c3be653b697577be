from celery import shared_task

from eligibility.datamatch import services


@shared_task
def datamatch_run(run_id: int) -> None:
    """The quarterly data-match, on the worker. Safe to deliver twice."""
    services.run_execute(run_id=run_id)


@shared_task
def datamatch_stale_runs_recover() -> None:
    """Beat, every minute: re-queue or fail runs whose worker died. Safe to run twice."""
    services.stale_runs_recover()
