from celery import shared_task

from outcomes.claims import services
from tafcase.accounts.models import LocalAuthority


@shared_task
def claim_run(run_id: int) -> None:
    """A claim run, on the worker. Safe to deliver twice."""
    services.claim_run_execute(run_id=run_id)


@shared_task
def claim_runs_recover() -> None:
    """Beat, every minute: re-queue or fail claim runs whose worker died. Safe twice."""
    services.claim_runs_recover()


@shared_task
def results_refresh(authority_id: int) -> None:
    """Re-evaluate one authority's results: after a successful data-match run (sent by
    name from eligibility, which cannot import outcomes)."""
    authority = LocalAuthority.objects.filter(pk=authority_id).first()
    if authority is not None:
        services.results_refresh(authority=authority)


@shared_task
def results_refresh_all() -> None:
    """Beat, nightly: every authority's results as of today."""
    for authority in LocalAuthority.objects.all():
        services.results_refresh(authority=authority)
