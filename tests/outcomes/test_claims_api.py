"""The claims API: the same access and services as the pages."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from outcomes.claims import services
from outcomes.claims.models import Claim, ClaimWindow
from tafcase.audit.models import AuditEvent
from tests.families.conftest import TODAY, World, make_family, world  # noqa: F401
from tests.outcomes.conftest import active  # noqa: F401
from tests.outcomes.test_claims import open_window, run

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
