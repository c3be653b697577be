"""The claims API: the same access and services as the pages."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from outcomes.claims import exports, services
from outcomes.claims.models import Claim, ClaimWindow
from tafcase.audit.models import AuditEvent
from tafcase.documents import services as document_services
from tafcase.documents.models import Document
from tests.conftest import pdf_text
from tests.families.conftest import TODAY, World, make_family, world  # noqa: F401
from tests.outcomes.conftest import active, open_window, run, validate_all  # noqa: F401
from tests.outcomes.test_claims_pages import outsiders

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
        {
            "name": "Quarter 4",
            "cutoff_date": TODAY.isoformat(),
            "deadline": (TODAY + timedelta(days=60)).isoformat(),
        },
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


def take_to_submission(w, window: ClaimWindow) -> None:
    """Validate what is still proposed, pass the sample, declare and submit, as the
    `submitted` fixture does."""
    validate_all(w, window)
    for pk in services.window_sample_draw(actor=w.coordinator, window=window, seed=1):
        services.claim_audit_decide(
            actor=w.auditor, claim=Claim.objects.get(pk=pk), passed=True, note="Fine"
        )
    services.window_declare(actor=w.manager, window=window)
    services.window_submit(actor=w.coordinator, window=window)


def writes(claim: Claim) -> int:
    """Audit rows of changes to a claim and of adjustments made to it."""
    ids = [claim.pk, *Claim.objects.filter(adjustment_of=claim).values_list("pk", flat=True)]
    return (
        AuditEvent.objects.filter(object_type="outcomes.claim", object_id__in=map(str, ids))
        .exclude(action=AuditEvent.Action.VIEWED)
        .count()
    )


def refused_to_all_but_the_programme_team(w, url: str, body: dict) -> None:
    """Read-only roles get 403, as for every other claims write through the API; anyone
    outside the claims team of the claim's authority 404; the signed-out 401."""
    for read_only in (w.auditor, w.manager):
        assert api(read_only).post(url, body, format="json").status_code == 403, read_only
    for outsider in outsiders(w):
        assert api(outsider).post(url, body, format="json").status_code == 404, outsider
    assert api().post(url, body, format="json").status_code == 401


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_the_programme_team_records_a_payment(submitted, role):
    w, _window, claim = submitted
    before = writes(claim)
    response = api(getattr(w, role)).post(
        f"/api/claims/{claim.pk}/payment/", {"paid_on": TODAY.isoformat()}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "paid"
    assert response.json()["paid_on"] == TODAY.isoformat()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID and claim.paid_on == TODAY
    assert writes(claim) == before + 1
    row = AuditEvent.objects.filter(object_type="outcomes.claim", object_id=str(claim.pk))
    row = row.latest("pk")
    assert row.actor == getattr(w, role) and row.family_id == claim.family_id
    assert row.changes == {"paid_on": [None, TODAY.isoformat()]}


def test_recording_a_payment_is_refused_to_all_but_the_programme_team(submitted):
    w, _window, claim = submitted
    before = writes(claim)
    body = {"paid_on": TODAY.isoformat()}
    refused_to_all_but_the_programme_team(w, f"/api/claims/{claim.pk}/payment/", body)
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
def test_a_malformed_payment_is_a_400_and_changes_nothing(submitted, body):
    w, _window, claim = submitted
    before = writes(claim)
    response = api(w.coordinator).post(f"/api/claims/{claim.pk}/payment/", body, format="json")
    assert response.status_code == 400 and "paid_on" in response.json()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED and writes(claim) == before


def test_a_claim_not_yet_submitted_cannot_be_paid(proposed):
    w, _window, claim = proposed
    services.claim_validate(actor=w.coordinator, claim=claim)
    before = writes(claim)
    response = api(w.coordinator).post(
        f"/api/claims/{claim.pk}/payment/", {"paid_on": TODAY.isoformat()}, format="json"
    )
    assert response.status_code == 400 and "not submitted" in response.json()["detail"][0]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.VALIDATED and claim.paid_on is None
    assert writes(claim) == before


def test_a_claim_rejected_before_submission_cannot_be_paid(proposed):
    w, window, claim = proposed
    services.claim_reject(actor=w.coordinator, claim=claim, reason="Not attached")
    take_to_submission(w, window)
    response = api(w.coordinator).post(
        f"/api/claims/{claim.pk}/payment/", {"paid_on": TODAY.isoformat()}, format="json"
    )
    assert response.status_code == 400 and "rejected" in response.json()["detail"][0]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED and claim.paid_on is None


def test_a_payment_sent_twice_is_recorded_once_and_another_date_is_a_409(submitted):
    w, _window, claim = submitted
    coordinator, url = api(w.coordinator), f"/api/claims/{claim.pk}/payment/"
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


def test_the_programme_team_records_a_spot_check_rejection(submitted):
    w, _window, claim = submitted
    before = writes(claim)
    response = api(w.analyst).post(
        f"/api/claims/{claim.pk}/spot-check/", {"reason": "  No evidence of attachment "}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "spot_check_rejected"
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SPOT_CHECK_REJECTED
    assert claim.rejection_reason == "No evidence of attachment"
    assert writes(claim) == before + 1
    row = AuditEvent.objects.filter(object_type="outcomes.claim", object_id=str(claim.pk))
    assert row.latest("pk").changes == {"reason": [None, "No evidence of attachment"]}


def test_a_paid_claim_can_still_be_rejected_at_the_spot_check(submitted):
    w, _window, claim = submitted
    services.claim_payment_record(actor=w.coordinator, claim=claim, paid_on=TODAY)
    response = api(w.coordinator).post(
        f"/api/claims/{claim.pk}/spot-check/", {"reason": "Outcome not sustained"}
    )
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SPOT_CHECK_REJECTED and claim.paid_on == TODAY


def test_a_spot_check_rejection_is_refused_to_all_but_the_programme_team(submitted):
    w, _window, claim = submitted
    before = writes(claim)
    body = {"reason": "No evidence"}
    refused_to_all_but_the_programme_team(w, f"/api/claims/{claim.pk}/spot-check/", body)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED and claim.rejection_reason == ""
    assert writes(claim) == before


@pytest.mark.parametrize(
    "body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": None}, {"reason": "x" * 501}]
)
def test_a_spot_check_rejection_without_a_reason_is_a_400_and_changes_nothing(submitted, body):
    w, _window, claim = submitted
    before = writes(claim)
    url = f"/api/claims/{claim.pk}/spot-check/"
    response = api(w.coordinator).post(url, body, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED and writes(claim) == before


def test_a_claim_not_yet_submitted_cannot_be_rejected_at_the_spot_check(proposed):
    w, _window, claim = proposed
    response = api(w.coordinator).post(
        f"/api/claims/{claim.pk}/spot-check/", {"reason": "No evidence"}
    )
    assert response.status_code == 400 and "not submitted" in response.json()["detail"][0]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PROPOSED and claim.rejection_reason == ""


def test_a_spot_check_rejection_sent_twice_is_recorded_once(submitted):
    w, _window, claim = submitted
    coordinator, url = api(w.coordinator), f"/api/claims/{claim.pk}/spot-check/"
    before = writes(claim)
    first = coordinator.post(url, {"reason": "No evidence"})
    again = coordinator.post(url, {"reason": "No evidence"})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert writes(claim) == before + 1
    # A claim rejected at the spot check is not paid afterwards.
    paid = coordinator.post(f"/api/claims/{claim.pk}/payment/", {"paid_on": TODAY.isoformat()})
    assert paid.status_code == 400
    claim.refresh_from_db()
    assert claim.paid_on is None and writes(claim) == before + 1


def later_window(w) -> ClaimWindow:
    return open_window(w, name="Quarter 4", cutoff_date=TODAY + timedelta(days=1))


def adjustment_body(into: ClaimWindow, **changes) -> dict:
    return {"window": into.pk, "amount": -1000, "reason": "Spot check", **changes}


def test_the_programme_team_adjusts_a_submitted_claim_in_a_later_window(submitted):
    w, _window, claim = submitted
    later = later_window(w)
    response = api(w.coordinator).post(
        f"/api/claims/{claim.pk}/adjust/", adjustment_body(later), format="json"
    )
    assert response.status_code == 201
    made = response.json()
    assert made["adjustment_of"] == claim.pk and made["window"] == later.pk
    assert made["amount"] == -1000 and made["status"] == "validated"
    adjustment = Claim.objects.get(adjustment_of=claim)
    assert adjustment.pk == made["id"] and adjustment.snapshot["reason"] == "Spot check"
    claim.refresh_from_db()
    assert claim.amount == 1000 and claim.status == Claim.Status.SUBMITTED
    row = AuditEvent.objects.get(object_type="outcomes.claim", object_id=str(adjustment.pk))
    assert row.action == AuditEvent.Action.CREATED and row.actor == w.coordinator
    assert row.family_id == claim.family_id


def test_an_adjustment_is_refused_to_all_but_the_programme_team(submitted):
    w, _window, claim = submitted
    body = adjustment_body(later_window(w))
    refused_to_all_but_the_programme_team(w, f"/api/claims/{claim.pk}/adjust/", body)
    assert not Claim.objects.filter(adjustment_of=claim).exists()


def test_an_adjustment_into_another_authoritys_window_is_a_404(submitted, other_authority):
    w, _window, claim = submitted
    elsewhere = services.claim_window_open(
        actor=w.other_coordinator,
        authority=other_authority,
        name="Elsewhere",
        cutoff_date=TODAY,
        deadline=TODAY + timedelta(days=30),
    )
    response = api(w.coordinator).post(
        f"/api/claims/{claim.pk}/adjust/", adjustment_body(elsewhere), format="json"
    )
    assert response.status_code == 404
    assert not Claim.objects.filter(adjustment_of=claim).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"window": "abc"},
        {"window": None},
        {"window": 1.5},
        {"amount": "a lot"},
        {"amount": 1.5},
        {"amount": 10**12},
        {"amount": -(10**12)},
        {"amount": 100_001},
        {"amount": None},
        {"reason": ""},
        {"reason": "   "},
        {"reason": "x" * 501},
    ],
)
def test_a_malformed_adjustment_is_a_400_and_makes_nothing(submitted, changes):
    w, _window, claim = submitted
    body = adjustment_body(later_window(w), **changes)
    response = api(w.coordinator).post(f"/api/claims/{claim.pk}/adjust/", body, format="json")
    assert response.status_code == 400 and set(response.json()) == set(changes)
    assert not Claim.objects.filter(adjustment_of=claim).exists()


def test_an_adjustment_needs_all_three_fields(submitted):
    w, _window, claim = submitted
    response = api(w.coordinator).post(f"/api/claims/{claim.pk}/adjust/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"window", "amount", "reason"}
    assert not Claim.objects.filter(adjustment_of=claim).exists()


@pytest.mark.parametrize("window_id", [0, -1, 10**30, 999_999_999])
def test_an_adjustment_into_a_window_that_does_not_exist_is_a_404(submitted, window_id):
    w, _window, claim = submitted
    body = {"window": window_id, "amount": -1000, "reason": "Spot check"}
    response = api(w.coordinator).post(f"/api/claims/{claim.pk}/adjust/", body, format="json")
    assert response.status_code == 404
    assert not Claim.objects.filter(adjustment_of=claim).exists()


def test_only_a_submitted_claim_is_adjusted_and_only_into_an_open_window(proposed):
    w, window, claim = proposed
    coordinator, url = api(w.coordinator), f"/api/claims/{claim.pk}/adjust/"
    # The claim's own window is open: the claim is changed there instead.
    response = coordinator.post(url, adjustment_body(window), format="json")
    assert response.status_code == 400 and "submitted" in response.json()["detail"][0]
    # Once it is submitted, its window is no place for an adjustment.
    take_to_submission(w, window)
    response = coordinator.post(url, adjustment_body(window), format="json")
    assert response.status_code == 400 and "window" in response.json()
    assert not Claim.objects.filter(adjustment_of__isnull=False).exists()


def test_an_adjustment_sent_twice_makes_one(submitted):
    w, _window, claim = submitted
    coordinator, url = api(w.coordinator), f"/api/claims/{claim.pk}/adjust/"
    body = adjustment_body(later_window(w))
    first = coordinator.post(url, body, format="json")
    again = coordinator.post(url, body, format="json")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Claim.objects.filter(adjustment_of=claim).count() == 1
    created = AuditEvent.objects.filter(object_type="outcomes.claim", action="created")
    assert created.count() == 1


def test_an_adjustment_sent_again_with_its_key_makes_one_and_a_new_key_another(submitted):
    w, _window, claim = submitted
    coordinator, url = api(w.coordinator), f"/api/claims/{claim.pk}/adjust/"
    body = adjustment_body(later_window(w))
    key = {"Idempotency-Key": "adjust-1"}
    first = coordinator.post(url, body, format="json", headers=key)
    # A retry with the key is the same request, whatever its body says now.
    again = coordinator.post(url, {**body, "amount": -500}, format="json", headers=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Claim.objects.filter(adjustment_of=claim).count() == 1
    underpaid = {**body, "amount": 100}  # (all £1,000 was taken back by the first)
    second = coordinator.post(
        url, underpaid, format="json", headers={"Idempotency-Key": "adjust-2"}
    )
    assert second.status_code == 201 and second.json()["id"] != first.json()["id"]
    assert Claim.objects.filter(adjustment_of=claim).count() == 2


def test_an_adjustment_key_sent_again_for_another_claim_is_a_409(submitted):
    w, window, claim = submitted
    other = Claim.objects.filter(window=window).exclude(pk=claim.pk).first()
    body = adjustment_body(later_window(w))
    coordinator, key = api(w.coordinator), {"Idempotency-Key": "adjust-1"}
    first = coordinator.post(f"/api/claims/{claim.pk}/adjust/", body, headers=key)
    assert first.status_code == 201
    response = coordinator.post(f"/api/claims/{other.pk}/adjust/", body, headers=key)
    assert response.status_code == 409
    assert not Claim.objects.filter(adjustment_of=other).exists()


def test_a_malformed_idempotency_key_is_a_400(submitted):
    w, _window, claim = submitted
    response = api(w.coordinator).post(
        f"/api/claims/{claim.pk}/adjust/",
        adjustment_body(later_window(w)),
        format="json",
        headers={"Idempotency-Key": "has spaces"},
    )
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert not Claim.objects.filter(adjustment_of=claim).exists()


@pytest.mark.parametrize("amount", [0, -1001])
def test_an_adjustment_of_nothing_or_of_more_than_was_claimed_is_a_bad_request(submitted, amount):
    w, _window, claim = submitted
    response = api(w.coordinator).post(
        f"/api/claims/{claim.pk}/adjust/",
        adjustment_body(later_window(w), amount=amount),
        format="json",
    )
    assert response.status_code == 400 and "amount" in response.json()
    assert not Claim.objects.filter(adjustment_of=claim).exists()


@pytest.mark.parametrize("field", ["cutoff_date", "deadline", "earliest_closure"])
def test_a_window_date_the_page_would_refuse_is_a_bad_request(team, field):
    body = {"name": "Quarter 3", "cutoff_date": "2026-12-01", "deadline": "2026-12-31"}
    response = api(team.coordinator).post(
        "/api/claim-windows/", {**body, field: "0202-12-01"}, format="json"
    )
    assert response.status_code == 400 and field in response.json()
    assert not ClaimWindow.objects.exists()


# --- outputs: the schedule and evidence packs (made by the worker), the CSV return ------


def test_the_schedule_is_asked_for_polled_and_fetched(proposed):
    w, window, _claim = proposed
    for user in (w.coordinator, w.auditor):
        client = api(user)
        asked = client.post(f"/api/claim-windows/{window.pk}/schedule/")
        assert asked.status_code == 202 and asked.json()["status"] == "queued"
        document_id = asked.json()["id"]
        assert asked.json()["file"] is None
        assert client.get(f"/api/documents/{document_id}/file/").status_code == 404
        document_services.document_build(document_id=document_id)  # the worker
        polled = client.get(f"/api/documents/{document_id}/").json()
        assert polled["status"] == "ready" and polled["percent"] == 100
        fetched = client.get(polled["file"])
        assert fetched.status_code == 200 and fetched["Content-Type"] == "application/pdf"
        assert fetched.content.startswith(b"%PDF")
        text = " ".join(pdf_text(fetched.content).split())
        assert window.name in text
        # Another user, even the other asker, cannot poll or fetch it.
        other = w.auditor if user == w.coordinator else w.coordinator
        assert api(other).get(f"/api/documents/{document_id}/").status_code == 404
        assert api(other).get(f"/api/documents/{document_id}/file/").status_code == 404


def test_outputs_are_404_to_the_manager_and_outsiders_and_401_signed_out(proposed):
    w, window, claim = proposed
    requests = [
        ("post", f"/api/claim-windows/{window.pk}/schedule/", None),
        ("get", f"/api/claim-windows/{window.pk}/return/", None),
        ("post", "/api/claims/evidence-pack/", {"claims": [claim.pk]}),
    ]
    for user in (w.manager, *outsiders(w)):
        for method, url, body in requests:
            response = getattr(api(user), method)(url, body, format="json")
            assert response.status_code == 404, (user, url)
    for method, url, body in requests:
        assert getattr(api(), method)(url, body, format="json").status_code == 401, url
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_the_csv_return_comes_straight_back(proposed):
    w, window, _claim = proposed
    response = api(w.coordinator).get(f"/api/claim-windows/{window.pk}/return/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("la_code,framework,") and len(lines) == 1 + 3


def test_evidence_packs_for_a_spot_check_list(proposed):
    w, window, _claim = proposed
    ids = list(Claim.objects.filter(window=window).values_list("pk", flat=True))
    asked = api(w.coordinator).post("/api/claims/evidence-pack/", {"claims": ids}, format="json")
    assert asked.status_code == 202
    assert Document.objects.get(pk=asked.json()["id"]).params == {"claim_ids": ids}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"claims": []},
        {"claims": "1,2"},
        {"claims": ["x"]},
        {"claims": [0]},
        {"claims": [2**70]},
    ],
)
def test_a_malformed_evidence_pack_list_is_a_400(proposed, body):
    w, _window, _claim = proposed
    response = api(w.coordinator).post("/api/claims/evidence-pack/", body, format="json")
    assert response.status_code == 400 and not Document.objects.exists()


def test_an_evidence_pack_list_too_long_or_with_a_claim_not_yours(proposed, settings):
    w, _window, claim = proposed
    client = api(w.coordinator)
    too_many = {"claims": list(range(1, exports.EVIDENCE_PACK_LIMIT + 2))}
    assert client.post("/api/claims/evidence-pack/", too_many, format="json").status_code == 400
    mixed = {"claims": [claim.pk, 999_999]}
    assert client.post("/api/claims/evidence-pack/", mixed, format="json").status_code == 404
    assert not Document.objects.exists()
