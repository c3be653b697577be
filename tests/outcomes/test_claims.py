"""Claim windows, runs, validation, the audit sample, declaration, submission and
adjustments (outcomes.claims.services), and results tracking."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from families.models import Family
from outcomes.claims import services
from outcomes.claims.models import Claim, ClaimRun, ClaimWindow, ResultTracking
from tafcase.audit.models import AuditEvent
from tests.families.conftest import TODAY, World, make_family, world  # noqa: F401
from tests.outcomes.conftest import active, open_window, run, validate_all  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_run_proposes_the_attachment_fee_for_every_attached_family_with_a_snapshot(team):
    window = open_window(team)
    finished = run(team, window)
    assert finished.status == ClaimRun.Status.SUCCEEDED and finished.percent == 100
    claims = Claim.objects.filter(window=window)
    assert finished.claims_proposed == claims.count() == 3
    claim = claims.get(family=team.family)
    assert claim.result_code == "attachment_fee" and claim.amount == 1000
    assert claim.snapshot["framework"]["code"] == "TF2015"
    assert claim.snapshot["attachment_date"] == team.family.programme_start.isoformat()
    assert "attached on" in claim.snapshot["result"]["explanation"]


def test_running_again_on_unchanged_data_creates_nothing_and_a_second_delivery_does_nothing(team):
    window = open_window(team)
    first = run(team, window)
    assert services.claim_run_execute(run_id=first.pk) is None  # delivered twice
    snapshot = Claim.objects.get(window=window, family=team.family).snapshot
    second = run(team, window)
    assert second.claims_proposed == 3
    assert Claim.objects.filter(window=window).count() == 3
    assert Claim.objects.get(window=window, family=team.family).snapshot == snapshot


def test_later_data_never_changes_a_snapshot(team):
    window = open_window(team)
    run(team, window)
    claim = Claim.objects.get(window=window, family=team.family)
    before = dict(claim.snapshot)
    Family.objects.filter(pk=team.family.pk).update(
        programme_start=TODAY - timedelta(days=10), lead_professional=None
    )
    run(team, window)
    claim.refresh_from_db()
    assert claim.snapshot == before


def test_families_attached_after_the_cutoff_are_not_claimed(team):
    window = open_window(team, cutoff_date=TODAY - timedelta(days=75))
    run(team, window)
    assert set(Claim.objects.filter(window=window).values_list("family__name", flat=True)) == {
        "Attached 0",
        "Attached 1",
    }


def test_one_live_attachment_fee_per_family_is_a_database_rule(team):
    window = open_window(team)
    run(team, window)
    claim = Claim.objects.get(window=window, family=team.family)
    claim.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        claim.save()


def test_an_outcome_sustained_from_before_attachment_is_refused_by_the_database(team):
    window = open_window(team)
    run(team, window)
    claim = Claim.objects.get(window=window, family=team.family)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(
            sustained_from=claim.attachment_date - timedelta(days=1)
        )


def test_only_one_open_window_per_framework(team):
    open_window(team)
    with pytest.raises(ValidationError):
        open_window(team, name="Another")


def test_validation_is_once_and_rejection_needs_a_reason(team):
    window = open_window(team)
    run(team, window)
    first, second, _ = Claim.objects.filter(window=window).order_by("pk")
    assert services.claim_validate(actor=team.coordinator, claim=first)
    assert not services.claim_validate(actor=team.coordinator, claim=first)
    assert AuditEvent.objects.filter(object_id=str(first.pk), action="transitioned").count() == 1
    with pytest.raises(ValidationError):
        services.claim_reject(actor=team.coordinator, claim=second, reason=" ")
    assert services.claim_reject(actor=team.coordinator, claim=second, reason="Not attached")
    second.refresh_from_db()
    assert second.status == Claim.Status.REJECTED


def test_the_sample_waits_for_every_claim_to_be_decided_and_is_stored_with_its_seed(team):
    window = open_window(team, sample_percent=10)
    run(team, window)
    with pytest.raises(ValidationError):
        services.window_sample_draw(actor=team.coordinator, window=window)
    validate_all(team, window)
    chosen = services.window_sample_draw(actor=team.coordinator, window=window, seed=99)
    window.refresh_from_db()
    assert window.stage == ClaimWindow.Stage.SAMPLED and window.sample_seed == 99
    assert len(chosen) == 1  # 10% of 3, at least one
    assert set(Claim.objects.filter(sampled=True).values_list("pk", flat=True)) == set(chosen)
    # The same seed over the same claims draws the same sample.
    from eligibility.rules.claims import audit_sample

    ids = Claim.objects.filter(window=window).values_list("pk", flat=True)
    assert audit_sample(ids, [], percent=10, seed=99) == chosen


def test_the_auditor_is_never_the_validator_and_a_failure_needs_a_note(team):
    window = open_window(team)
    run(team, window)
    validate_all(team, window)
    [sampled_id] = services.window_sample_draw(actor=team.coordinator, window=window, seed=1)
    claim = Claim.objects.get(pk=sampled_id)
    with pytest.raises(ValidationError, match="someone else"):
        services.claim_audit_decide(actor=team.coordinator, claim=claim, passed=True, note="")
    with pytest.raises(ValidationError):
        services.claim_audit_decide(actor=team.auditor, claim=claim, passed=False, note="")
    assert services.claim_audit_decide(
        actor=team.auditor, claim=claim, passed=False, note="No evidence of the plan"
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.AUDIT_FAILED and claim.audited_by == team.auditor


def test_an_open_sampled_claim_blocks_the_declaration_and_submission_locks_the_window(team):
    window = open_window(team)
    run(team, window)
    validate_all(team, window)
    [sampled_id] = services.window_sample_draw(actor=team.coordinator, window=window, seed=1)
    with pytest.raises(ValidationError, match="sampled claim"):
        services.window_declare(actor=team.manager, window=window)
    with pytest.raises(ValidationError):
        services.window_submit(actor=team.coordinator, window=window)
    services.claim_audit_decide(
        actor=team.auditor, claim=Claim.objects.get(pk=sampled_id), passed=True, note="Fine"
    )
    assert services.window_declare(actor=team.manager, window=window)
    assert services.window_submit(actor=team.coordinator, window=window)
    with pytest.raises(ValidationError):
        services.window_submit(actor=team.coordinator, window=window)
    assert set(Claim.objects.filter(window=window).values_list("status", flat=True)) == {
        "submitted"
    }
    totals = services.window_totals(window)
    assert totals == [
        {
            "result_code": "attachment_fee",
            "result_label": "Attachment fee",
            "claims": 3,
            "amount": 3000,
        }
    ]
    claim = Claim.objects.filter(window=window).first()
    with pytest.raises(ValidationError):
        services.claim_validate(actor=team.coordinator, claim=claim)


def test_a_correction_after_submission_is_an_adjustment_in_a_later_window(team):
    window = open_window(team)
    run(team, window)
    validate_all(team, window)
    [sampled_id] = services.window_sample_draw(actor=team.coordinator, window=window, seed=1)
    services.claim_audit_decide(
        actor=team.auditor, claim=Claim.objects.get(pk=sampled_id), passed=True, note="Fine"
    )
    services.window_declare(actor=team.manager, window=window)
    window.refresh_from_db()
    services.window_submit(actor=team.coordinator, window=window)
    claim = Claim.objects.get(window=window, family=team.family)
    assert services.claim_spot_check_reject(
        actor=team.coordinator, claim=claim, reason="No evidence of attachment"
    )
    later = open_window(team, name="Quarter 4", cutoff_date=TODAY + timedelta(days=1))
    adjustment = services.claim_adjust(
        actor=team.coordinator, claim=claim, window=later, amount=-1000, reason="Spot check"
    )
    claim.refresh_from_db()
    assert claim.amount == 1000 and claim.status == Claim.Status.SPOT_CHECK_REJECTED
    assert adjustment.amount == -1000 and adjustment.adjustment_of == claim
    # The freed slot is claimed again by the next run only if the family still qualifies.
    run(team, later)
    assert Claim.objects.filter(window=later, adjustment_of__isnull=True).count() == 1


def test_results_tracking_records_each_result_and_marks_a_lapse(team):
    outcome = services.results_refresh(authority=team.family.local_authority)
    assert outcome.families == 3
    rows = ResultTracking.objects.filter(family=team.family)
    assert set(rows.values_list("code", flat=True)) == {
        "attachment_fee",
        "sustained_progress",
        "continuous_employment",
    }
    fee = rows.get(code="attachment_fee")
    assert fee.status == ResultTracking.Status.MET and fee.met_since == TODAY
    assert "attached on" in fee.explanation
    progress = rows.get(code="sustained_progress")
    assert progress.status == ResultTracking.Status.NOT_MET
    assert progress.explanation.endswith("no headline problem at attachment.")


def test_a_claimed_result_shows_as_claimed(team):
    window = open_window(team)
    run(team, window)
    services.results_refresh(authority=team.family.local_authority)
    fee = ResultTracking.objects.get(family=team.family, code="attachment_fee")
    assert fee.status == ResultTracking.Status.CLAIMED


def test_a_result_that_held_and_no_longer_does_is_lapsed_with_what_broke_it(team):
    authority = team.family.local_authority
    services.results_refresh(authority=authority)
    row = ResultTracking.objects.get(family=team.family, code="sustained_progress")
    ResultTracking.objects.filter(pk=row.pk).update(
        status=ResultTracking.Status.MET, met_since=TODAY - timedelta(days=5)
    )
    outcome = services.results_refresh(authority=authority)
    row.refresh_from_db()
    assert outcome.lapsed >= 1
    assert row.status == ResultTracking.Status.LAPSED and row.met_since is None
    assert row.lapsed_because["on"] == TODAY.isoformat()
    # It stays lapsed, with the same reason, until it is met again.
    services.results_refresh(authority=authority)
    row.refresh_from_db()
    assert row.status == ResultTracking.Status.LAPSED
    assert row.lapsed_because["on"] == TODAY.isoformat()


def test_closing_the_case_re_evaluates_its_results_once_saved(
    team, django_capture_on_commit_callbacks
):
    from outcomes import services as casework_services

    assert not ResultTracking.objects.filter(family=team.family).exists()
    with django_capture_on_commit_callbacks(execute=True):
        casework_services.case_close(
            actor=team.lead,
            family=team.family,
            closed_on=TODAY,
            reason="outcomes_met",
            exit_plan="Stays with the school nurse",
        )
    rows = ResultTracking.objects.filter(family=team.family)
    assert rows.count() == 3 and {r.evaluated_on for r in rows} == {TODAY}
    # Only the family whose facts changed is re-evaluated.
    assert not ResultTracking.objects.exclude(family=team.family).exists()


@pytest.fixture
def adjustable(submitted):
    """A submitted £1,000 claim, and a later open window to adjust it in."""
    w, _window, claim = submitted
    later = open_window(w, name="Quarter 4", cutoff_date=TODAY + timedelta(days=1))
    return w, claim, later


def adjust(w, claim, later, amount, key=None):
    return services.claim_adjust(
        actor=w.coordinator,
        claim=claim,
        window=later,
        amount=amount,
        reason="Correction",
        idempotency_key=key,
    )


@pytest.mark.parametrize(
    ("amounts", "refused", "words"),
    [
        ([0], 0, "£0 changes nothing"),
        ([-1001], -1001, "at most £1,000 can be"),
        ([-600, -401], -401, "at most £400 can be"),
    ],
)
def test_an_adjustment_never_takes_back_more_than_was_claimed(adjustable, amounts, refused, words):
    w, claim, later = adjustable
    assert claim.amount == 1000
    for amount in amounts[:-1]:
        adjust(w, claim, later, amount)
    with pytest.raises(ValidationError) as error:
        adjust(w, claim, later, refused)
    assert words in " ".join(error.value.messages)
    assert Claim.objects.filter(adjustment_of=claim).count() == len(amounts) - 1


def test_the_whole_claim_can_be_taken_back_and_an_underpayment_added(adjustable):
    w, claim, later = adjustable
    adjust(w, claim, later, -1000)
    adjust(w, claim, later, 250)
    assert sorted(Claim.objects.filter(adjustment_of=claim).values_list("amount", flat=True)) == [
        -1000,
        250,
    ]


def test_an_adjustment_is_neither_adjusted_nor_rejected_at_the_spot_check(adjustable):
    w, claim, later = adjustable
    adjustment = adjust(w, claim, later, -100)
    with pytest.raises(ValidationError, match="adjust the original claim"):
        adjust(w, adjustment, later, -100)
    with pytest.raises(ValidationError, match="record the rejection on the claim it adjusts"):
        services.claim_spot_check_reject(actor=w.coordinator, claim=adjustment, reason="No")
    assert Claim.objects.filter(adjustment_of__isnull=False).count() == 1


def test_an_adjustment_sent_twice_with_its_key_is_recorded_once(adjustable):
    w, claim, later = adjustable
    first = adjust(w, claim, later, -100, key="k-1")
    assert adjust(w, claim, later, -100, key="k-1") == first
    assert Claim.objects.filter(adjustment_of=claim).count() == 1


def test_refreshing_again_restamps_unchanged_results_and_rewrites_only_changed_ones(team):
    authority = team.family.local_authority
    services.results_refresh(authority=authority, as_of=TODAY)
    before = {r.pk: r for r in ResultTracking.objects.filter(family__local_authority=authority)}
    with CaptureQueriesContext(connection) as queries:
        services.results_refresh(authority=authority, as_of=TODAY + timedelta(days=1))
    after = {r.pk: r for r in ResultTracking.objects.filter(family__local_authority=authority)}
    assert after.keys() == before.keys()
    assert all(r.evaluated_on == TODAY + timedelta(days=1) for r in after.values())
    assert all(after[pk].detail == before[pk].detail for pk in before)
    # Nothing changed, so no row was rewritten one by one: one stamping UPDATE.
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and "CASE" not in updates[0]
