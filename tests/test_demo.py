"""The demo seed: every app's synthetic data loads together, and only once."""

import io

import pytest
from django.core.management import call_command
from django.db.models import F, Q
from django.utils import timezone

from eligibility.datamatch.models import DatamatchRun
from eligibility.models import AgendaItem, Nomination, Screening
from families.models import CaseNote, Family, Membership
from outcomes.claims.models import Claim, ClaimWindow, ResultTracking
from outcomes.models import Action, Assessment, Closure, FollowUp, Goal
from reporting.returns.models import ReturnSample
from reporting.rules import Period, periods_ending
from tafcase import settings as project_settings

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_whole_journey_once(settings):
    # The demo gives the programme team an authenticator only where production asks for
    # one; tests/conftest.py turns that off for every test, so turn it back on here.
    settings.TWO_FACTOR_REQUIRED_ROLES = project_settings.TWO_FACTOR_REQUIRED_ROLES
    out = io.StringIO()
    call_command("seed_demo", families=300, stdout=out)
    assert Family.objects.count() == 300
    # Every family past identification was nominated, those on the programme or closed
    # before they were attached.
    nominated = Family.objects.exclude(status="identified").count()
    assert Nomination.objects.count() == nominated > 0
    accepted = Nomination.objects.filter(stage="accepted")
    assert accepted.count() == Family.objects.filter(status__in=["active", "closed"]).count()
    assert not accepted.filter(submitted_at__date__gt=F("family__programme_start")).exists()
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
    # Report cards read the figures kept at completion and closure, as the services keep them.
    assert not Assessment.objects.filter(status="completed", mean_score__isnull=True).exists()
    for closure in Closure.objects.all()[:50]:
        plan = Goal.objects.filter(family=closure.family_id)
        achieved = plan.filter(status=Goal.Status.ACHIEVED).count()
        assert (closure.goals, closure.goals_achieved) == (plan.count(), achieved)
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


def test_seed_demo_reads_like_a_council_caseload():
    call_command("seed_demo", families=300, stdout=io.StringIO())

    # Goals, their actions and case notes name only members of the family concerned,
    # and the goal's title is about the member it names.
    members = set(Membership.objects.values_list("family_id", "person_id"))
    goals = Goal.objects.prefetch_related("members")
    assert goals.count() > 300
    for goal in goals:
        (person,) = goal.members.all()
        assert (goal.family_id, person.pk) in members
        assert person.forename in goal.title
    actions = Action.objects.values_list("goal__family_id", "owner_person_id")
    assert actions and all(pair in members for pair in actions)
    named = CaseNote.people.through.objects.values_list("casenote__family_id", "person_id")
    assert named.count() > 300 and all(pair in members for pair in named)

    # Case notes read differently from one another.
    notes = CaseNote.objects.values_list("text", flat=True)
    assert len(set(notes)) > 0.8 * notes.count() > 400

    # Screening decisions mostly agree with the rules; the few overrides say why.
    screenings = Screening.objects.all()
    overridden = screenings.filter(
        Q(outcome="eligible", rulebook_eligible=False)
        | Q(outcome="not_eligible", rulebook_eligible=True)
    )
    assert screenings.count() > 20
    assert overridden.count() < 0.1 * screenings.count()
    assert not overridden.filter(override_reason="").exists()

    # A minority of the borough's households in the partner data come out eligible, as
    # in a council. (Households of the demo's own attached families are left out: they
    # were attached because they met the criteria.)
    households = DatamatchRun.objects.get().households.filter(family=None)
    assert households.count() > 300
    assert 0.1 < households.filter(eligible=True).count() / households.count() < 0.3

    # Families were attached in each of the last twelve whole quarters, so every report
    # card has three years of history.
    last_whole = Period.containing(timezone.localdate()).previous()
    quarters = periods_ending(last_whole, 12)
    starts = Family.objects.exclude(programme_start=None).values_list("programme_start", flat=True)
    assert {Period.containing(day) for day in starts} >= set(quarters)
    assert not Closure.objects.filter(closed_on__gt=timezone.localdate()).exists()
