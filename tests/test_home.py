"""Each role's home page counts, on small hand-made data: the right numbers, links to the
lists they count, nothing from another agency or authority, and a fixed query budget."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from eligibility.models import PanelMeeting
from families.models import Family
from outcomes import services
from outcomes.models import Action, BudgetItem, Goal
from tafcase.accounts.models import Role
from tafcase.audit.models import AuditEvent
from tests.families.conftest import TODAY, World, make_family, world  # noqa: F401
from tests.outcomes.conftest import active  # noqa: F401

pytestmark = pytest.mark.django_db


def figures(client, user) -> dict[str, tuple[str, str | None]]:
    """Every figure on the user's home page: label -> (value, link)."""
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {
        f.label: (f.value, f.url)
        for section in response.context["sections"]
        for panel in section["live"]
        for f in panel["figures"]
    }


@pytest.fixture
def busy(active, other_authority):  # noqa: F811 - the imported fixture
    """The active family with a review 3 days overdue, one overdue action, spend awaiting
    approval; and an active family of another authority, led there, with a review and an
    action overdue: counted for that authority's coordinator and nobody here."""
    w = active
    Family.objects.filter(pk=w.family.pk).update(next_review_due=TODAY - timedelta(days=3))
    goal = services.goal_add(
        actor=w.lead, family=w.family, title="School", criterion="education", target="95%"
    )
    services.action_add(
        actor=w.lead,
        goal=goal,
        description="Meet the head",
        due_on=TODAY - timedelta(days=2),
        owner_agency=w.agencies["police"],
    )
    services.spend_record(
        actor=w.lead, family=w.family, spent_on=TODAY, purpose="Uniform", amount=Decimal("300")
    )
    elsewhere = Family.objects.create(
        local_authority=other_authority,
        name="Elsewhere family",
        status=Family.Status.ACTIVE,
        lead_professional=w.elsewhere,
        programme_start=TODAY - timedelta(days=50),
        next_review_due=TODAY - timedelta(days=9),
    )
    far_goal = Goal.objects.create(
        family=elsewhere, title="x", criterion="health", target="y", created_by=w.elsewhere
    )
    Action.objects.create(
        goal=far_goal,
        description="far",
        due_on=TODAY - timedelta(days=1),
        owner_agency=w.agencies["police"],
    )
    return w


def test_key_worker_counts_and_links(client, busy):
    shown = figures(client, busy.lead)
    assert shown["Reviews overdue"][0] == "1"
    assert shown["Reviews due in the next 14 days"][0] == "0"
    assert shown["Plan actions overdue"][0] == "1"
    assert shown["Families you lead or key-work"][0] == "1"
    # The count links to the list it counts, which shows the same number of rows.
    response = client.get(shown["Reviews overdue"][1])
    assert [r.family.pk for r in response.context["rows"]] == [busy.family.pk]
    response = client.get(shown["Plan actions overdue"][1])
    assert len(response.context["rows"]) == 1


def test_coordinator_counts_waiting_work_of_their_authority_only(client, busy):
    shown = figures(client, busy.coordinator)
    assert shown["Reviews overdue"][0] == "1"
    assert shown["Spend awaiting approval"][0] == "1 (£300.00)"
    assert shown["Closures awaiting sign-off"][0] == "0"
    assert shown["Nominations waiting"][0] == "0"
    assert client.get(shown["Spend awaiting approval"][1]).context["page"].paginator.count == 1
    # Spend awaiting approval blocks closing, so it is approved first.
    services.spend_approve(actor=busy.coordinator, item=BudgetItem.objects.get(family=busy.family))
    assert figures(client, busy.coordinator)["Spend awaiting approval"][0] == "0"
    services.case_close(
        actor=busy.lead,
        family=busy.family,
        closed_on=TODAY,
        reason="outcomes_met",
        exit_plan="School keeps an eye.",
        open_goals_confirmed=True,
    )
    shown = figures(client, busy.coordinator)
    assert shown["Closures awaiting sign-off"][0] == "1"
    assert shown["Follow-ups overdue or due in the next 14 days"][0] == "0"
    # The other authority's coordinator is told of none of it.
    theirs = figures(client, busy.other_coordinator)
    assert theirs["Spend awaiting approval"][0] == "0"
    assert theirs["Closures awaiting sign-off"][0] == "0"
    assert theirs["Reviews overdue"][0] == "1"  # their own family, not ours
    assert theirs["Plan actions overdue"][0] == "1"


def test_partner_counts_only_families_shared_with_their_agency(client, busy):
    assert figures(client, busy.police)["Families shared with your agency"][0] == "1"
    assert figures(client, busy.school)["Families shared with your agency"][0] == "0"


def test_panel_chair_sees_the_next_panel(client, busy, make_user, authority):
    chair = make_user(
        Role.PANEL_CHAIR, agency=busy.agencies["early_help"], email="chair@example.test"
    )
    assert figures(client, chair)["Next panel"][0] == "None arranged"
    PanelMeeting.objects.create(
        local_authority=authority,
        meets_on=TODAY - timedelta(days=7),
        chair=chair,
        created_by=busy.coordinator,
    )
    panel = PanelMeeting.objects.create(
        local_authority=authority,
        meets_on=TODAY + timedelta(days=5),
        chair=chair,
        created_by=busy.coordinator,
    )
    shown = figures(client, chair)
    assert shown["Next panel"] == (
        f"{panel.meets_on:%-d %B %Y}",
        reverse("eligibility:panel", args=[panel.pk]),
    )
    assert shown["Nominations on its agenda"][0] == "0"
    assert shown["Not yet decided"][0] == "0"


def test_analyst_auditor_and_manager_panels(client, busy, make_user):
    early_help = busy.agencies["early_help"]
    analyst = make_user(Role.DATA_ANALYST, agency=early_help, email="analyst@example.test")
    shown = figures(client, analyst)
    assert shown["Possible links waiting for review"][0] == "0"
    assert any(v == ("None uploaded", reverse("datamatch:imports")) for v in shown.values())
    # An event eight days ago is in neither count nor the log each links to.
    AuditEvent.objects.create(
        at=timezone.now() - timedelta(days=8), action="viewed", object_type="caseload"
    )
    audited = figures(client, busy.auditor)
    for label in ("Events recorded today", "Events recorded in the last 7 days"):
        count, link = audited[label]
        assert int(count) > 0
        listed = client.get(link).context["page"].paginator.count
        assert int(count) <= listed <= int(count) + 2  # and any recorded since
    manager = make_user(Role.MANAGER, agency=early_help, email="manager@example.test")
    headline = figures(client, manager)
    # Small counts read "<5" for a manager, as on the dashboard the figures link to.
    assert headline["Families active on the programme"][0] == "<5"
    assert headline["Reviews overdue"][0] == "<5"
    assert headline["Active families without a lead professional"][0] == "0"
    # The programme team sees them as they are.
    assert figures(client, busy.coordinator)["Reviews overdue"][0] == "1"


def test_home_query_count_does_not_grow_with_records(client, busy, make_family):  # noqa: F811
    client.force_login(busy.coordinator)
    client.get(reverse("home"))  # a session's first request also checks two-factor, once
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    for i in range(5):
        f = make_family(busy.coordinator, n_members=0, name=f"More {i}")
        Family.objects.filter(pk=f.pk).update(
            status=Family.Status.ACTIVE, next_review_due=TODAY - timedelta(days=i + 1)
        )
        services.spend_record(
            actor=busy.coordinator, family=f, spent_on=TODAY, purpose="x", amount=Decimal("400")
        )
    with CaptureQueriesContext(connection) as many:
        shown = client.get(reverse("home"))
    assert len(many) == len(one)
    assert "6 (£2,300.00)" in shown.content.decode()


@pytest.mark.parametrize("name", ["outcomes:spend-awaiting", "outcomes:closures-awaiting"])
def test_waiting_lists_access(client, busy, name):
    url = reverse(name)
    for user in (busy.police, busy.auditor):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(busy.other_coordinator)
    assert client.get(url).context["page"].paginator.count == 0
    client.force_login(busy.coordinator)
    assert client.get(url, {"page": "nonsense"}).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302
