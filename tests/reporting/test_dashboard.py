"""The programme dashboard on hand-made data: caseload, throughput with waiting times,
what is overdue, constant queries, suppression and who may see it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from families.models import Family
from outcomes.models import Action, Goal
from reporting import dashboard
from tests.families.conftest import TODAY, make_family, world  # noqa: F401
from tests.reporting.test_cards import BEFORE, NOW, cards  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_figures_by_hand(cards):  # noqa: F811
    w = cards
    # A is the only family still active (B, C and D were closed); the world's own family
    # is nominated, not active.
    Family.objects.filter(pk=w.fams["A"].pk).update(next_review_due=TODAY - timedelta(days=1))
    goal = Goal.objects.create(
        family=w.fams["A"],
        title="Calmer mornings",
        criterion="education",
        target="",
        created_by=w.coordinator,
    )
    Action.objects.create(
        goal=goal,
        description="Alarm clock",
        due_on=TODAY - timedelta(days=2),
        owner_agency=w.agencies["early_help"],
    )
    Action.objects.create(
        goal=goal,
        description="Later",
        due_on=TODAY + timedelta(days=2),
        owner_agency=w.agencies["early_help"],
    )
    found = dashboard.dashboard(w.family.local_authority_id, TODAY)
    assert found.caseload.active == 1 and found.caseload.without_lead == 0
    assert found.caseload.lead_professionals == 1 and found.caseload.per_lead == 1
    before, now = found.throughput
    assert (before.period, before.attached, before.closed) == (BEFORE, 2, 0)
    assert (now.period, now.attached, now.closed) == (NOW, 2, 3)
    # B, C and D closed this quarter, each some days after attachment.
    assert now.days_open is not None and now.days_open > 0
    assert (found.overdue.reviews, found.overdue.actions, found.overdue.follow_ups) == (1, 1, 0)


def test_the_page_costs_the_same_queries_for_more_families(client, cards, make_family):  # noqa: F811
    client.force_login(cards.coordinator)
    url = reverse("reporting:dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(12):
        f = make_family(cards.coordinator, name=f"More {n}")
        Family.objects.filter(pk=f.pk).update(
            status="active", programme_start=NOW.start, lead_professional=cards.lead
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(many) == len(few)
    assert "Families on the programme" in page.content.decode()


def test_small_counts_are_suppressed_for_the_manager(client, cards):  # noqa: F811
    client.force_login(cards.manager)
    page = client.get(reverse("reporting:dashboard")).content.decode()
    assert "&lt;5" in page and "Families on the programme" in page
    client.force_login(cards.coordinator)
    page = client.get(reverse("reporting:dashboard")).content.decode()
    assert "&lt;5" not in page


def test_who_sees_the_dashboard(client, cards):  # noqa: F811
    url = reverse("reporting:dashboard")
    for user in (cards.coordinator, cards.manager, cards.auditor):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    for user in (cards.lead, cards.police, cards.school):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.force_login(cards.elsewhere)  # another authority: its own figures only
    assert client.get(url).context["dashboard"].caseload.active == 0
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
