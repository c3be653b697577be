"""The demo seed: every app's synthetic data loads together, and only once."""

import io

import pytest
from django.core.management import call_command

from eligibility.datamatch.models import DatamatchRun
from eligibility.models import AgendaItem, Nomination, Screening
from families.models import Family
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
    call_command("seed_demo", families=300, if_empty=True, stdout=out)
    assert Family.objects.count() == 300
