"""The demo seed: every app's synthetic data loads together, and only once."""

import io

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from eligibility.datamatch.models import DatamatchRun
from eligibility.models import AgendaItem, Nomination, Screening
from families.models import Family
from outcomes.claims.models import Claim, ClaimWindow, ResultTracking
from outcomes.models import Assessment, Closure, FollowUp
from reporting.returns.models import ReturnSample
from tafcase import settings as project_settings

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_whole_journey_once(settings):
    # The demo gives the programme team an authenticator only where production asks for
    # one; tests/conftest.py turns that off for every test, so turn it back on here.
    settings.TWO_FACTOR_REQUIRED_ROLES = project_settings.TWO_FACTOR_REQUIRED_ROLES
    out = io.StringIO()
    call_command("seed_demo", families=300, stdout=out)
    assert Family.objects.count() == 300
    nominated = Family.objects.filter(
        status__in=["nominated", "screening", "eligible", "awaiting_panel", "not_eligible"]
    ).count()
    assert Nomination.objects.count() == nominated > 0
    assert Screening.objects.exists()
    assert AgendaItem.objects.count() == Family.objects.filter(status="awaiting_panel").count()
    assert "nominations" in out.getvalue()
    run = DatamatchRun.objects.get()
    assert run.status == "succeeded" and run.is_current
    assert run.counts["linked"] > 0.9 * run.counts["partner_records"]
    casework_families = Family.objects.filter(status__in=["active", "closed"])
    assert Assessment.objects.filter(occasion=0).count() == casework_families.count()
    assert Closure.objects.count() == Family.objects.filter(status="closed").count()
    assert FollowUp.objects.count() == 3 * Closure.objects.count()
    assert set(ReturnSample.objects.values_list("kind", flat=True)) == {"fpd", "csc"}
    # The programme team's demo accounts share one authenticator key, printed with the
    # logins; the key worker has none.
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tafcase import demo

    device = TOTPDevice.objects.get(user__email="coordinator@northbridge.example")
    assert f"{TOTP(device.bin_key).token():06d}" == demo.demo_totp_code()
    assert not TOTPDevice.objects.filter(user__email="keyworker@northbridge.example").exists()
    assert demo.demo_totp_secret() in out.getvalue()
    _claims_at_every_stage(out.getvalue())
    call_command("seed_demo", families=300, if_empty=True, stdout=out)
    assert Family.objects.count() == 300
    assert ClaimWindow.objects.count() == 2


def _statuses(window: ClaimWindow) -> set[str]:
    return set(window.claims.values_list("status", flat=True))


def _claims_at_every_stage(output: str) -> None:
    """Payment by Results: the previous quarter claimed and paid, the quarter just ended
    open for every role's next step, and results claimed besides attachment fees."""
    assert "Claims: Quarter" in output
    closed, current = ClaimWindow.objects.order_by("cutoff_date")
    assert closed.cutoff_date < current.cutoff_date <= timezone.localdate()

    # The previous quarter went all the way: validated by the coordinator (two rejected
    # with reasons), sampled, audited by someone else (one failed, with a note), declared
    # by the manager, submitted and paid.
    assert closed.stage == ClaimWindow.Stage.SUBMITTED
    assert closed.declared_by.email == "manager@northbridge.example"
    assert {"paid", "rejected", "audit_failed"} <= _statuses(closed)
    assert not {"proposed", "validated"} & _statuses(closed)
    paid = closed.claims.filter(status=Claim.Status.PAID)
    assert paid.count() > 0.9 * closed.claims.count()
    assert not paid.filter(paid_on=None).exists()
    assert closed.claims.filter(status="rejected").exclude(rejection_reason="").count() == 2
    audited = closed.claims.filter(sampled=True)
    assert audited.exists() and not audited.filter(status="validated").exists()
    assert not audited.filter(audited_by_id=F("validated_by_id")).exists()
    assert closed.claims.get(status="audit_failed").audit_note

    # The quarter just ended is open with claims at every stage and its sample not drawn.
    assert current.stage == ClaimWindow.Stage.OPEN and current.sample_seed is None
    assert {"proposed", "validated", "rejected"} <= _statuses(current)
    assert not current.claims.filter(sampled=True).exists()

    # Results, not only attachment fees, in both windows; more families in progress.
    for window in (closed, current):
        fees = window.claims.filter(result_code="attachment_fee").count()
        results = window.claims.exclude(result_code="attachment_fee")
        assert results.filter(result_code="sustained_progress").exists(), window
        assert results.count() >= 0.05 * fees, window
    assert paid.filter(result_code="sustained_progress").exists()
    tracked = ResultTracking.objects.filter(code="sustained_progress")
    assert tracked.filter(status="in_progress").count() > tracked.filter(status="claimed").count()
