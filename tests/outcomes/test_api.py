"""Casework API: allowed, other agency (404), anonymous (401), read-only writing (403)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from outcomes import services
from outcomes.models import Assessment, Closure
from tests.outcomes.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def call(api, user, method, url, data=None):
    api.force_authenticate(user)
    return getattr(api, method)(url, data or {}, format="json")


LISTS = ["assessment", "goal", "action", "review", "tier-change", "budget-item", "closure"]


def test_lists_show_only_families_the_user_can_see(api, active):
    services.assessment_start(actor=active.lead, family=active.family)
    services.goal_add(
        actor=active.lead, family=active.family, title="x", criterion="health", target="y"
    )
    for name in LISTS:
        url = reverse(f"outcomes-api:{name}-list")
        api.force_authenticate(None)
        assert api.get(url).status_code == 401
        assert call(api, active.school, "get", url).data["count"] == 0
    assert call(api, active.lead, "get", reverse("outcomes-api:assessment-list")).data["count"] == 1
    assert call(api, active.police, "get", reverse("outcomes-api:goal-list")).data["count"] == 1


def test_assessment_create_score_and_stale_version(api, active):
    url = reverse("outcomes-api:assessment-list")
    body = {"family": active.family.pk}
    assert call(api, active.school, "post", url, body).status_code == 404
    assert call(api, active.auditor, "post", url, body).status_code == 403
    assert call(api, active.police, "post", url, body).status_code == 403
    created = call(api, active.lead, "post", url, body)
    assert created.status_code == 201 and created.data["occasion"] == 0
    detail = reverse("outcomes-api:assessment-detail", args=[created.data["id"]])
    scores = {
        "version": 1,
        "scores": [
            {"person": None, "domain": "family.housing", "score": 3, "rationale": "ok"},
            {"person": active.child.pk, "domain": "child.general_health", "score": 2},
        ],
        "complete": True,
    }
    response = call(api, active.lead, "patch", detail, scores)
    assert response.status_code == 200, response.data
    assert len(response.data["scores"]) == 2 and response.data["status"] == "completed"
    assert call(api, active.lead, "patch", detail, scores).status_code == 400  # completed
    second = call(api, active.lead, "post", url, body).data
    stale = {**scores, "complete": False}
    detail2 = reverse("outcomes-api:assessment-detail", args=[second["id"]])
    assert call(api, active.lead, "patch", detail2, {**stale, "version": 1}).status_code == 200
    assert call(api, active.coordinator, "patch", detail2, stale).status_code == 409
    distance = call(
        api,
        active.lead,
        "get",
        reverse("outcomes-api:assessment-distance-travelled"),
    )
    assert distance.status_code == 404
    api.force_authenticate(active.lead)
    distance = api.get(
        reverse("outcomes-api:assessment-distance-travelled"), {"family": active.family.pk}
    )
    housing = next(
        d
        for s in distance.data["subjects"]
        if s["subject"] == "family"
        for d in s["domains"]
        if d["domain"] == "family.housing"
    )
    assert (housing["baseline"], housing["latest"]) == (3, 3)
    assert Assessment.objects.count() == 2


def test_a_completed_assessment_is_amended_with_a_reason(api, active):
    from outcomes.models import AssessmentAmendment

    assessment = services.assessment_start(actor=active.lead, family=active.family)
    services.assessment_save(
        actor=active.lead,
        assessment=assessment,
        expected_version=1,
        scores=[{"person": None, "domain": "family.housing", "score": 4}],
        complete=True,
    )
    url = reverse("outcomes-api:assessment-amend", args=[assessment.pk])
    body = {"version": 2, "reason": "Housing scored for the wrong visit"}
    api.force_authenticate(None)
    assert api.post(url, body, format="json").status_code == 401
    assert call(api, active.school, "post", url, body).status_code == 404  # other agency
    assert call(api, active.other_coordinator, "post", url, body).status_code == 404
    assert call(api, active.auditor, "post", url, body).status_code == 403  # read-only
    for bad in ({"version": 2}, {"version": "x", "reason": "r"}, {"version": 2, "reason": " "}):
        assert call(api, active.lead, "post", url, bad).status_code == 400, bad
    assert call(api, active.lead, "post", url, {**body, "version": 1}).status_code == 409
    assert not AssessmentAmendment.objects.exists()
    response = call(api, active.lead, "post", url, body)
    assert response.status_code == 200, response.data
    assert (response.data["status"], response.data["completed_on"]) == ("open", None)
    amendment = AssessmentAmendment.objects.get()
    assert amendment.reason == body["reason"] and amendment.previous["scores"][0]["score"] == 4
    # Open now: nothing to amend until it is completed again.
    again = call(api, active.lead, "post", url, {**body, "version": 3})
    assert again.status_code == 400 and AssessmentAmendment.objects.count() == 1


def test_goals_actions_and_partner_updates(api, active):
    goal = call(
        api,
        active.lead,
        "post",
        reverse("outcomes-api:goal-list"),
        {"family": active.family.pk, "title": "School", "criterion": "education", "target": "95%"},
    )
    assert goal.status_code == 201
    action = call(
        api,
        active.lead,
        "post",
        reverse("outcomes-api:action-list"),
        {
            "goal": goal.data["id"],
            "description": "Meeting",
            "due_on": TODAY.isoformat(),
            "owner_agency": active.agencies["police"].pk,
        },
    )
    assert action.status_code == 201
    status = reverse("outcomes-api:action-status", args=[action.data["id"]])
    assert (
        call(api, active.school, "post", status, {"status": "achieved", "version": 1}).status_code
        == 404
    )
    assert (
        call(api, active.auditor, "post", status, {"status": "achieved", "version": 1}).status_code
        == 403
    )
    response = call(api, active.police, "post", status, {"status": "achieved", "version": 1})
    assert response.status_code == 200 and response.data["completed_on"] == TODAY.isoformat()
    goal_status = reverse("outcomes-api:goal-status", args=[goal.data["id"]])
    assert (
        call(
            api, active.police, "post", goal_status, {"status": "achieved", "version": 1}
        ).status_code
        == 403
    )


def test_review_budget_tier_and_closure(api, active):
    family = active.family.pk
    review = call(
        api,
        active.lead,
        "post",
        reverse("outcomes-api:review-list"),
        {"family": family, "held_on": TODAY.isoformat(), "decisions": "ok", "rescore": True},
    )
    assert review.status_code == 201 and review.data["assessment"]
    spend = call(
        api,
        active.lead,
        "post",
        reverse("outcomes-api:budget-item-list"),
        {"family": family, "spent_on": TODAY.isoformat(), "purpose": "Cooker", "amount": "400.00"},
    )
    assert spend.status_code == 201 and spend.data["needs_approval"]
    approve = reverse("outcomes-api:budget-item-approve", args=[spend.data["id"]])
    assert call(api, active.lead, "post", approve).status_code == 403
    assert call(api, active.coordinator, "post", approve).status_code == 200
    tier = call(
        api,
        active.lead,
        "post",
        reverse("outcomes-api:tier-change-list"),
        {"family": family, "to_tier": "monitoring", "reason": "Better"},
    )
    assert tier.status_code == 201
    closure = call(
        api,
        active.lead,
        "post",
        reverse("outcomes-api:closure-list"),
        {
            "family": family,
            "closed_on": TODAY.isoformat(),
            "reason": "outcomes_met",
            "exit_plan": "x",
        },
    )
    assert closure.status_code == 201 and len(closure.data["follow_ups"]) == 3
    follow = reverse(
        "outcomes-api:closure-follow-up",
        args=[closure.data["id"], closure.data["follow_ups"][0]["id"]],
    )
    body = {"done_on": TODAY.isoformat(), "outcome": "Holding steady"}
    assert call(api, active.school, "post", follow, body).status_code == 404
    assert call(api, active.lead, "post", follow, body).status_code == 200
    sign = reverse("outcomes-api:closure-sign-off", args=[closure.data["id"]])
    assert call(api, active.coordinator, "post", sign).status_code == 200
    assert Closure.objects.get().signed_off_by == active.coordinator
