"""The claims API: the same access and services as the pages."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from outcomes.claims import services
from outcomes.claims.models import Claim, ClaimWindow
from tafcase.audit.models import AuditEvent
from tests.families.conftest import TODAY, World, make_family, world  # noqa: F401
from tests.outcomes.conftest import active  # noqa: F401
from tests.outcomes.test_claims import open_window, run, validate_all

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_programme_team_runs_a_window_through_the_api(team):
    coordinator = api(team.coordinator)
    made = coordinator.post(
        "/api/claim-windows/",
        {"name": "Quarter 4", "cutoff_date": TODAY.isoformat(), "deadline": "2099-01-31"},
        format="json",
    )
    assert made.status_code == 201
    window_id = made.json()["id"]
    queued = coordinator.post(f"/api/claim-windows/{window_id}/run/")
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    services.claim_run_execute(run_id=queued.json()["id"])
    progress = coordinator.get(f"/api/claim-windows/{window_id}/run/").json()
    assert progress["status"] == "succeeded" and progress["claims_proposed"] == 3
    claims = coordinator.get("/api/claims/", {"window": window_id}).json()["results"]
    assert len(claims) == 3 and {c["status"] for c in claims} == {"proposed"}
    detail = coordinator.get(f"/api/claims/{claims[0]['id']}/").json()
    assert detail["snapshot"]["framework"]["code"] == "TF2015"
    for claim in claims:
        assert coordinator.post(f"/api/claims/{claim['id']}/validate/").status_code == 200
    sampled = coordinator.post(f"/api/claim-windows/{window_id}/sample/").json()
    assert sampled["stage"] == "sampled"
    [chosen] = Claim.objects.filter(window_id=window_id, sampled=True)
    auditor = api(team.auditor)
    assert auditor.post(f"/api/claims/{chosen.pk}/audit/", {"passed": False}).status_code == 400
    passed = auditor.post(f"/api/claims/{chosen.pk}/audit/", {"passed": True, "note": "ok"})
    assert passed.json()["status"] == "audit_passed"
    declared = api(team.manager).post(f"/api/claim-windows/{window_id}/declare/")
    assert declared.json()["stage"] == "declared"
    submitted = coordinator.post(f"/api/claim-windows/{window_id}/submit/")
    assert submitted.json()["stage"] == "submitted"
    totals = coordinator.get(f"/api/claim-windows/{window_id}/").json()["totals"]
    assert totals[0]["claims"] == 3 and totals[0]["amount"] == 3000


def test_claims_api_permissions(team):
    window = open_window(team)
    run(team, window)
    claim = Claim.objects.filter(window=window).first()
    window_url, claim_url = f"/api/claim-windows/{window.pk}/", f"/api/claims/{claim.pk}/"
    # The manager sees the window's totals, never claims.
    manager = api(team.manager)
    assert manager.get(window_url).status_code == 200
    assert manager.get(claim_url).status_code == 404
    assert manager.get("/api/claims/").json()["results"] == []
    assert manager.post(f"{window_url}run/").status_code == 403
    # The auditor reads, and may not run, validate or submit.
    auditor = api(team.auditor)
    assert auditor.get(claim_url).status_code == 200
    assert auditor.post(f"{window_url}run/").status_code == 403
    assert auditor.post(f"{claim_url}validate/").status_code == 403
    assert auditor.post(f"{window_url}submit/").status_code == 403
    # The coordinator may not declare; the family's key worker and the other
    # authority's coordinator reach nothing.
    assert api(team.coordinator).post(f"{window_url}declare/").status_code == 403
    for outsider in (team.lead, team.other_coordinator, team.police):
        client = api(outsider)
        assert client.get(window_url).status_code == 404
        assert client.get(claim_url).status_code == 404
        assert client.post(f"{claim_url}validate/").status_code == 404
        assert client.get("/api/claim-windows/").json()["results"] == []
    assert api().get(window_url).status_code == 401
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PROPOSED


def test_claims_api_bad_input_is_a_400_or_404_and_changes_nothing(team):
    coordinator = api(team.coordinator)
    bad = coordinator.post(
        "/api/claim-windows/",
        {"name": "X", "cutoff_date": "2026-13-40", "deadline": "soon"},
        format="json",
    )
    assert bad.status_code == 400 and set(bad.json()) >= {"cutoff_date", "deadline"}
    backwards = coordinator.post(
        "/api/claim-windows/",
        {
            "name": "X",
            "cutoff_date": TODAY.isoformat(),
            "deadline": (TODAY - timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    assert backwards.status_code == 400
    assert not ClaimWindow.objects.exists()
    assert coordinator.get("/api/claims/", {"window": "abc"}).status_code == 400
    assert coordinator.get("/api/claims/", {"status": "nonsense"}).status_code == 400
    assert coordinator.get("/api/claims/99999999999999999999/").status_code == 404
    assert coordinator.post("/api/claims/1/reject/", {}).status_code == 404


def test_claims_api_reads_are_audited_with_their_families(team):
    window = open_window(team)
    run(team, window)
    api(team.auditor).get("/api/claims/", {"window": window.pk})
    row = AuditEvent.objects.filter(actor=team.auditor, summary__icontains="claims").latest("at")
    assert set(row.family_ids) == set(
        Claim.objects.filter(window=window).values_list("family_id", flat=True)
    )


# --- after submission: payment, the national spot check, adjustments ---------------------


def submitted_window(w) -> ClaimWindow:
    """A window taken through validation, the audit sample and declaration to submission:
    its three claims are claimed."""
    window = open_window(w)
    run(w, window)
    validate_all(w, window)
    for claim_id in services.window_sample_draw(actor=w.coordinator, window=window, seed=1):
        services.claim_audit_decide(
            actor=w.auditor, claim=Claim.objects.get(pk=claim_id), passed=True, note="Fine"
        )
    services.window_declare(actor=w.manager, window=window)
    services.window_submit(actor=w.coordinator, window=window)
    window.refresh_from_db()
    return window


def claimed(w) -> Claim:
    return Claim.objects.get(window=submitted_window(w), family=w.family)


def writes(claim: Claim) -> int:
    """Audit rows of changes to a claim and of adjustments made to it."""
    ids = [claim.pk, *Claim.objects.filter(adjustment_of=claim).values_list("pk", flat=True)]
    return (
        AuditEvent.objects.filter(object_type="outcomes.claim", object_id__in=map(str, ids))
        .exclude(action=AuditEvent.Action.VIEWED)
        .count()
    )


def refused_to_everyone_but_the_team(w, url: str, body: dict) -> None:
    """Read-only roles 403 (as for every other claims write); anyone outside the claims
    team of the claim's authority 404; signed out 401."""
    for read_only in (w.auditor, w.manager):
        assert api(read_only).post(url, body, format="json").status_code == 403
    for outsider in (w.lead, w.police, w.school, w.other_coordinator):
        assert api(outsider).post(url, body, format="json").status_code == 404
    assert api().post(url, body, format="json").status_code == 401


def test_the_programme_team_records_a_payment(team):
    claim = claimed(team)
    before = writes(claim)
    paid_on = TODAY.isoformat()
    response = api(team.coordinator).post(
        f"/api/claims/{claim.pk}/payment/", {"paid_on": paid_on}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "paid" and response.json()["paid_on"] == paid_on
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID and claim.paid_on == TODAY
    assert writes(claim) == before + 1
    row = AuditEvent.objects.filter(object_type="outcomes.claim", object_id=str(claim.pk)).latest(
        "pk"
    )
    assert row.actor == team.coordinator and row.family_id == team.family.pk
    assert row.changes == {"paid_on": [None, paid_on]}


def test_recording_a_payment_is_refused_to_everyone_but_the_programme_team(team):
    claim = claimed(team)
    before = writes(claim)
    refused_to_everyone_but_the_team(
        team, f"/api/claims/{claim.pk}/payment/", {"paid_on": TODAY.isoformat()}
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED and claim.paid_on is None
    assert writes(claim) == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"paid_on": "2026-13-40"},
        {"paid_on": "yesterday"},
        {"paid_on": 20260101},
        {"paid_on": None},
        {"paid_on": (TODAY + timedelta(days=1)).isoformat()},
        {"paid_on": "1899-12-31"},
    ],
)
def test_a_malformed_payment_is_a_400_and_changes_nothing(team, body):
    claim = claimed(team)
    before = writes(claim)
    response = api(team.coordinator).post(f"/api/claims/{claim.pk}/payment/", body, format="json")
    assert response.status_code == 400 and "paid_on" in response.json()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED and writes(claim) == before


def test_a_claim_not_yet_submitted_cannot_be_paid(team):
    window = open_window(team)
    run(team, window)
    claim = Claim.objects.get(window=window, family=team.family)
    services.claim_validate(actor=team.coordinator, claim=claim)
    response = api(team.coordinator).post(
        f"/api/claims/{claim.pk}/payment/", {"paid_on": TODAY.isoformat()}, format="json"
    )
    assert response.status_code == 400 and "submitted" in response.json()["detail"][0]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.VALIDATED and claim.paid_on is None


def test_a_claim_rejected_before_submission_cannot_be_paid(team):
    window = open_window(team)
    run(team, window)
    claim = Claim.objects.get(window=window, family=team.family)
    services.claim_reject(actor=team.coordinator, claim=claim, reason="Not attached")
    for other in Claim.objects.filter(window=window).exclude(pk=claim.pk):
        services.claim_validate(actor=team.coordinator, claim=other)
    for claim_id in services.window_sample_draw(actor=team.coordinator, window=window, seed=1):
        services.claim_audit_decide(
            actor=team.auditor, claim=Claim.objects.get(pk=claim_id), passed=True, note="Fine"
        )
    services.window_declare(actor=team.manager, window=window)
    services.window_submit(actor=team.coordinator, window=window)
    response = api(team.coordinator).post(
        f"/api/claims/{claim.pk}/payment/", {"paid_on": TODAY.isoformat()}, format="json"
    )
    assert response.status_code == 400 and "rejected" in response.json()["detail"][0]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED and claim.paid_on is None


def test_a_payment_sent_twice_is_recorded_once_and_another_date_is_a_409(team):
    claim = claimed(team)
    coordinator, url = api(team.coordinator), f"/api/claims/{claim.pk}/payment/"
    before = writes(claim)
    first = coordinator.post(url, {"paid_on": TODAY.isoformat()}, format="json")
    again = coordinator.post(url, {"paid_on": TODAY.isoformat()}, format="json")
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert writes(claim) == before + 1
    earlier = (TODAY - timedelta(days=3)).isoformat()
    conflict = coordinator.post(url, {"paid_on": earlier}, format="json")
    assert conflict.status_code == 409 and "already" in conflict.json()["detail"]
    claim.refresh_from_db()
    assert claim.paid_on == TODAY and writes(claim) == before + 1
