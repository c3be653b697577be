from celery import current_app, shared_task

from eligibility.datamatch import services
from eligibility.datamatch.models import DatamatchRun

# Results tracking lives in outcomes, above eligibility: it is asked by task name.
RESULTS_REFRESH = "outcomes.tasks.results_refresh"


@shared_task
def datamatch_run(run_id: int) -> None:
    """The quarterly data-match, on the worker. Safe to deliver twice. A run that
    succeeds has every attached family's results re-evaluated on the new data."""
    run = services.run_execute(run_id=run_id)
    if run is not None and run.status == DatamatchRun.Status.SUCCEEDED:
        current_app.send_task(RESULTS_REFRESH, args=[run.local_authority_id])


@shared_task
def datamatch_stale_runs_recover() -> None:
    """Beat, every minute: re-queue or fail runs whose worker died. Safe to run twice."""
    services.stale_runs_recover()
