"""Every casework page: the family's workers and coordinator may change; those who can
see the family may read (auditor, TAF partner); an outsider gets 404; anonymous users
sign in; read-only roles writing get 403."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outcomes import services
from outcomes.models import Action, Assessment, Closure
from tests.conftest import pdf_text
from tests.outcomes.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def casework(active):
    family = active.family
    assessment = services.assessment_start(actor=active.lead, family=family)
    goal = services.goal_add(
        actor=active.lead, family=family, title="School", criterion="education", target="95%"
    )
    action = services.action_add(
        actor=active.lead,
        goal=goal,
        description="Attendance meeting",
        due_on=TODAY,
        owner_agency=active.agencies["police"],
    )
    item = services.spend_record(
        actor=active.lead, family=family, spent_on=TODAY, purpose="Uniform", amount=Decimal("300")
    )
    return active, assessment, goal, action, item


def urls(family, assessment, goal, action, item):
    f = family.pk
    read = [
        reverse("outcomes:assessments", args=[f]),
        reverse("outcomes:assessment", args=[f, assessment.pk]),
        reverse("outcomes:distance", args=[f]),
        reverse("outcomes:distance-pdf", args=[f]),
        reverse("outcomes:plan", args=[f]),
        reverse("outcomes:plan-pdf", args=[f]),
        reverse("outcomes:reviews", args=[f]),
        reverse("outcomes:budget", args=[f]),
        reverse("outcomes:closure", args=[f]),
    ]
    write = [
        reverse("outcomes:assessment-start", args=[f]),
        reverse("outcomes:goal-add", args=[f]),
        reverse("outcomes:action-add", args=[f, goal.pk]),
        reverse("outcomes:goal-status", args=[f, goal.pk]),
        reverse("outcomes:review-add", args=[f]),
        reverse("outcomes:tier", args=[f]),
        reverse("outcomes:spend-approve", args=[f, item.pk]),
        reverse("outcomes:close", args=[f]),
    ]
    return read, write


def get(client, user, url, method="get", data=None):
    client.force_login(user)
    return getattr(client, method)(url, data or {}).status_code


def test_permissions_for_every_page(client, casework):
    world, assessment, goal, action, item = casework
    read, write = urls(world.family, assessment, goal, action, item)
    readers = (world.lead, world.coordinator, world.auditor, world.police, world.panel_member)
    for url in read:
        for user in (*readers, world.elsewhere):
            assert get(client, user, url) == 200, (user, url)
        for outsider in (world.school, world.other_coordinator):
            assert get(client, outsider, url) == 404, (outsider, url)
    for url in write:
        for outsider in (world.school, world.other_coordinator):
            assert get(client, outsider, url, "post") == 404, (outsider, url)
        # Read-only roles, partners, and a coordinator of another authority on the TAF.
        for user in (world.auditor, world.police, world.panel_member, world.elsewhere):
            assert get(client, user, url, "post") == 403, (user, url)
    for url in [u for u in write if not u.endswith(("start/", "status/", "approve/"))]:
        assert get(client, world.lead, url) == 200, url
    client.logout()
    for url in read + write:
        response = client.post(url) if url in write else client.get(url)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"], url


def test_two_authority_coordinator_works_on_casework_only_in_the_family_authority(
    client, casework, other_authority
):
    world, assessment, goal, action, item = casework
    read, write = urls(world.family, assessment, goal, action, item)
    client.force_login(world.both)
    chooser = reverse("choose-authority")
    client.post(chooser, {"authority": world.family.local_authority_id})
    for url in read:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("outcomes:close", args=[world.family.pk])).status_code == 200
    client.post(chooser, {"authority": other_authority.pk})
    for url in read:
        assert client.get(url).status_code == 404, url
    for url in write:
        assert client.post(url).status_code == 404, url


def test_partner_updates_own_agency_action_only(client, casework):
    world, _, goal, action, _ = casework
    other = services.action_add(
        actor=world.lead, goal=goal, description="Call", due_on=TODAY, owner_person=world.parent
    )
    url = reverse("outcomes:action-status", args=[world.family.pk, action.pk])
    assert get(client, world.police, url, "post", {"status": "in_progress", "version": 1}) == 302
    assert Action.objects.get(pk=action.pk).status == "in_progress"
    other_url = reverse("outcomes:action-status", args=[world.family.pk, other.pk])
    assert get(client, world.police, other_url, "post", {"status": "achieved", "version": 1}) == 403
    assert get(client, world.auditor, url, "post", {"status": "achieved", "version": 2}) == 403


def test_assessment_page_saves_scores_and_keeps_typing_on_stale_edit(client, casework):
    world, assessment, *_ = casework
    url = reverse("outcomes:assessment", args=[world.family.pk, assessment.pk])
    client.force_login(world.lead)
    page = client.get(url).content.decode()
    assert "Housing" in page and "Emotional warmth" in page
    data = {"version": "1", "score-family-family.housing": "4", "why-family-family.housing": "Damp"}
    assert client.post(url, {**data, "save": "1"}).status_code == 302
    assert assessment.scores.get().score == 4
    # Someone else saved meanwhile: refused with 409, what was typed is still there.
    response = client.post(url, {**data, "why-family-family.housing": "Mould too", "save": "1"})
    assert response.status_code == 409
    assert "Mould too" in response.content.decode()
    assert assessment.scores.get().rationale == "Damp"
    response = client.post(url, {**data, "version": "2", "complete": "1"})
    assert response.status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).status == "completed"


def test_distance_chart_and_family_pdfs_use_the_local_name(client, casework, settings):
    world, assessment, *_ = casework
    settings.PROGRAMME_NAME = "Brighter Futures"
    services.assessment_save(
        actor=world.lead,
        assessment=assessment,
        expected_version=1,
        scores=[{"person": None, "domain": "family.housing", "score": 4, "rationale": ""}],
        complete=True,
    )
    client.force_login(world.lead)
    page = client.get(reverse("outcomes:distance", args=[world.family.pk])).content.decode()
    assert "<svg" in page
    for name in ("outcomes:distance-pdf", "outcomes:plan-pdf"):
        response = client.get(reverse(name, args=[world.family.pk]))
        assert response.content.startswith(b"%PDF")
        text = pdf_text(response.content)
        assert "Brighter Futures" in text and world.family.name in text
        assert "Troubled" not in text


def test_budget_page_records_and_coordinator_approves(client, casework):
    world, *_, item = casework
    url = reverse("outcomes:budget", args=[world.family.pk])
    client.force_login(world.lead)
    assert "Waiting" in client.get(url).content.decode()
    response = client.post(
        url, {"spent_on": TODAY.isoformat(), "purpose": "Bus pass", "amount": "20"}
    )
    assert response.status_code == 302
    approve = reverse("outcomes:spend-approve", args=[world.family.pk, item.pk])
    client.force_login(world.coordinator)
    client.post(approve)
    item.refresh_from_db()
    assert item.approved_by == world.coordinator


def test_closing_from_the_page(client, casework):
    world, *_, item = casework
    url = reverse("outcomes:close", args=[world.family.pk])
    budget = reverse("outcomes:budget", args=[world.family.pk])
    data = {
        "closed_on": TODAY.isoformat(),
        "reason": "outcomes_met",
        "exit_plan": "School keeps an eye; family knows who to call.",
    }
    client.force_login(world.lead)
    # Spend waiting for approval blocks closing, with a link to the budget.
    page = client.get(url).content.decode()
    assert "The case cannot be closed yet" in page and f'href="{budget}"' in page
    response = client.post(url, {**data, "open_goals_confirmed": "on"})
    body = response.content.decode()
    assert response.status_code == 200 and not Closure.objects.exists()
    assert (
        f'<a href="{budget}">1 budget spend totalling £300.00 is waiting for a '
        "coordinator&#x27;s approval." in body
    )
    services.spend_approve(actor=world.coordinator, item=item)
    # An open goal is a warning the worker confirms.
    page = client.get(url).content.decode()
    assert "1 goal is still open: “School”." in page and "open_goals_confirmed" in page
    response = client.post(url, data)
    assert response.status_code == 200 and not Closure.objects.exists()
    assert "Confirm that the case can close with these goals open." in response.content.decode()
    response = client.post(url, {**data, "open_goals_confirmed": "on"})
    assert response.status_code == 302
    closure = Closure.objects.get()
    assert closure.follow_ups.count() == 3
    body = client.get(reverse("outcomes:closure", args=[world.family.pk])).content.decode()
    assert "+3 months" in body and "Not yet" in body
    follow = reverse("outcomes:follow-up", args=[world.family.pk, closure.follow_ups.first().pk])
    sign = reverse("outcomes:sign-off", args=[world.family.pk, closure.pk])
    for url in (follow, sign):
        assert get(client, world.school, url, "post") == 404
        assert get(client, world.auditor, url, "post") == 403
        assert get(client, world.police, url, "post") == 403
    assert get(client, world.lead, follow) == 200
    assert get(client, world.lead, sign, "post") == 403  # sign-off is the coordinator's
    closure.refresh_from_db()
    assert closure.signed_off_by is None
    assert get(client, world.coordinator, sign, "post") == 302
    closure.refresh_from_db()
    assert closure.signed_off_by == world.coordinator


def test_dashboard(client, casework):
    world, *_ = casework
    for user in (world.lead, world.coordinator):
        client.force_login(user)
        assert client.get(reverse("outcomes:dashboard")).status_code == 200
    client.force_login(world.police)
    assert client.get(reverse("outcomes:dashboard")).status_code == 403


def test_plan_page_query_count_does_not_grow_with_goals(client, casework):
    world, _, goal, *_ = casework
    services.action_add(
        actor=world.lead, goal=goal, description="b", due_on=TODAY, owner_person=world.parent
    )
    client.force_login(world.lead)
    client.get(reverse("home"))  # a session's first request also checks two-factor, once
    url = reverse("outcomes:plan", args=[world.family.pk])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(5):
        g = services.goal_add(
            actor=world.lead, family=world.family, title=f"G{i}", criterion="health", target="x"
        )
        services.action_add(
            actor=world.lead,
            goal=g,
            description="a",
            due_on=TODAY + timedelta(days=i),
            owner_person=world.parent,
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(one)


def test_reviews_list_and_dashboard_queries_do_not_grow(client, casework, make_family):
    world, *_ = casework
    client.force_login(world.coordinator)
    client.get(reverse("home"))  # a session's first request also checks two-factor, once
    reviews = reverse("outcomes:reviews", args=[world.family.pk])
    board = reverse("outcomes:dashboard")

    def counts():
        with CaptureQueriesContext(connection) as r:
            client.get(reviews)
        with CaptureQueriesContext(connection) as b:
            client.get(board)
        return len(r), len(b)

    services.review_record(
        actor=world.lead,
        family=world.family,
        held_on=TODAY,
        decisions="a",
        attendees=[world.agencies["police"]],
    )
    before = counts()
    for i in range(4):
        services.review_record(
            actor=world.lead,
            family=world.family,
            held_on=TODAY - timedelta(days=i + 1),
            decisions="b",
            attendees=[world.agencies["police"]],
        )
        other = make_family(world.coordinator, name=f"Other {i}", lead_professional=world.lead)
        other.status = "active"
        other.programme_start = TODAY - timedelta(days=400)
        other.tier = "high_complex"
        other.save()
        goal = services.goal_add(
            actor=world.lead, family=other, title="g", criterion="health", target="t"
        )
        services.action_add(
            actor=world.lead,
            goal=goal,
            description="late",
            due_on=TODAY - timedelta(days=5),
            owner_person=other.memberships.first().person,
        )
    assert counts() == before


def _complete(world, assessment, score=4, version=1):
    return services.assessment_save(
        actor=world.lead,
        assessment=assessment,
        expected_version=version,
        scores=[{"person": None, "domain": "family.housing", "score": score, "rationale": "Damp"}],
        complete=True,
    )


def test_rescoring_shows_the_previous_score_and_its_date_beside_each_domain(client, casework):
    world, baseline, *_ = casework
    client.force_login(world.lead)
    baseline_url = reverse("outcomes:assessment", args=[world.family.pk, baseline.pk])
    assert "Previous score" not in client.get(baseline_url).content.decode()
    _complete(world, baseline)
    review = services.assessment_start(actor=world.lead, family=world.family)
    body = client.get(reverse("outcomes:assessment", args=[world.family.pk, review.pk]))
    body = body.content.decode()
    assert "Previous score" in body
    housing = body[body.index("Housing") :]
    housing = housing[: housing.index("</tr>")]
    assert "4 – Significant" in housing and f"Baseline, {TODAY:%-d %B %Y}" in housing
    emotional = body[body.index("Emotional warmth") :]
    assert "Not scored before" in emotional[: emotional.index("</tr>")]


def test_completed_assessment_is_locked_and_amended_with_a_reason(client, casework):
    from outcomes.models import AssessmentAmendment
    from tafcase.audit.models import AuditEvent

    world, assessment, *_ = casework
    _complete(world, assessment)
    url = reverse("outcomes:assessment", args=[world.family.pk, assessment.pk])
    amend = reverse("outcomes:assessment-amend", args=[world.family.pk, assessment.pk])
    client.force_login(world.lead)
    page = client.get(url).content.decode()
    assert 'name="score-family-family.housing"' not in page  # a summary, not a form
    assert "4 – Significant" in page and "Amend this assessment" in page
    # Posting to the locked form changes nothing.
    data = {"version": "2", "score-family-family.housing": "1", "complete": "1"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert assessment.scores.get().score == 4
    # An amendment needs a reason.
    response = client.post(amend, {"version": "2", "reason": "  "})
    assert response.status_code == 200 and "Say why the assessment needs amending." in (
        response.content.decode()
    )
    for bad in ({"version": "x", "reason": "r"}, {"reason": "r"}):
        assert client.post(amend, bad).status_code == 200
    # A version no record has (however large) is a stale edit: nothing changes.
    assert client.post(amend, {"version": "9" * 25, "reason": "r"}).status_code == 302
    assert not AssessmentAmendment.objects.exists()
    # A stale version changes nothing.
    assert client.post(amend, {"version": "1", "reason": "Wrong"}).status_code == 302
    assert not AssessmentAmendment.objects.exists()
    response = client.post(amend, {"version": "2", "reason": "Housing scored for the wrong visit"})
    assert response.status_code == 302
    amendment = AssessmentAmendment.objects.get()
    assert (amendment.amended_by, amendment.reason) == (
        world.lead,
        "Housing scored for the wrong visit",
    )
    assert amendment.previous["scores"][0]["score"] == 4
    assessment.refresh_from_db()
    assert assessment.status == "open" and assessment.completed_on is None
    event = AuditEvent.objects.filter(object_type="outcomes.assessment").latest("at")
    assert "Housing scored for the wrong visit" in event.summary
    assert event.changes["status"] == ["completed", "open"]
    # Corrected and completed again: the history still shows what it said before.
    response = client.post(url, {**data, "version": "3"})
    assert response.status_code == 302
    assert assessment.scores.get().score == 1
    completed = AuditEvent.objects.filter(object_type="outcomes.assessment").latest("at")
    assert completed.changes == {"Housing (whole family)": [4, 1]}
    page = client.get(url).content.decode()
    history = page[page.index("Amendment history") :]
    assert "Housing scored for the wrong visit" in history and "4 – Significant" in history
    assert "1 – None" in page[: page.index("Amendment history")]


def test_amending_permissions(client, casework):
    world, assessment, *_ = casework
    amend = reverse("outcomes:assessment-amend", args=[world.family.pk, assessment.pk])
    data = {"version": "1", "reason": "Typo"}
    # Still open: nothing to amend.
    client.force_login(world.lead)
    response = client.post(amend, data, follow=True)
    assert "Only a completed assessment can be amended." in response.content.decode()
    assert not assessment.amendments.exists()
    _complete(world, assessment)
    data["version"] = "2"
    for user in (world.school, world.other_coordinator):
        assert get(client, user, amend, "post", data) == 404, user
    for user in (world.auditor, world.police, world.panel_member, world.elsewhere):
        assert get(client, user, amend, "post", data) == 403, user
    client.logout()
    response = client.post(amend, data)
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    assert get(client, world.lead, amend) == 405
    assessment.refresh_from_db()
    assert assessment.status == "completed" and not assessment.amendments.exists()
    assert get(client, world.coordinator, amend, "post", data) == 302
    assert assessment.amendments.get().amended_by == world.coordinator
