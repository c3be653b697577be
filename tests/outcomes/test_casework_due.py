"""The casework due list (/casework/): who may see it, what it counts, its paging,
filters and CSV, and that it and the caseload say the same of a family's next review."""

import csv
import importlib
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from families.models import Family
from outcomes import services
from outcomes.models import Action, Closure, FollowUp, Review
from tafcase.accounts.models import Locality
from tafcase.audit.models import AuditEvent
from tests.outcomes.conftest import TODAY

pytestmark = pytest.mark.django_db

BOARD = "outcomes:dashboard"
CSV = "outcomes:dashboard-csv"


def _date(d) -> str:
    return f"{d:%-d %B %Y}"


def _overdue_families(authority, lead, n: int, **fields) -> list[Family]:
    return Family.objects.bulk_create(
        Family(
            local_authority=authority,
            name=f"Overdue {i:03d}",
            status=Family.Status.ACTIVE,
            lead_professional=lead,
            programme_start=TODAY - timedelta(days=100),
            next_review_due=TODAY - timedelta(days=1 + i),
            **fields,
        )
        for i in range(n)
    )


@pytest.fixture
def due(active):
    """The world's family with a review overdue by three days."""
    Family.objects.filter(pk=active.family.pk).update(next_review_due=TODAY - timedelta(days=3))
    return active


def test_key_worker_and_coordinator_see_the_list(client, due):
    for user in (due.lead, due.coordinator):
        client.force_login(user)
        response = client.get(reverse(BOARD))
        assert response.status_code == 200
        assert [r.family.pk for r in response.context["rows"]] == [due.family.pk]


def test_partner_and_auditor_get_403_and_anonymous_signs_in(client, due):
    for user in (due.police, due.auditor):
        client.force_login(user)
        assert client.get(reverse(BOARD)).status_code == 403
        assert client.get(reverse(CSV)).status_code == 403
    client.logout()
    for name in (BOARD, CSV):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "sign-in" in response["Location"]


def test_other_authority_coordinator_counts_none_of_this_authoritys(client, due):
    client.force_login(due.other_coordinator)
    response = client.get(reverse(BOARD))
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert all(tab["count"] == 0 for tab in response.context["tabs"])


def test_pages_fifty_rows_and_says_how_many(client, due, authority):
    _overdue_families(authority, due.lead, 54)
    client.force_login(due.coordinator)
    body = client.get(reverse(BOARD)).content.decode()
    assert "Showing 1 to 50 of 55" in body
    second = client.get(reverse(BOARD), {"page": 2})
    assert "Showing 51 to 55 of 55" in second.content.decode()
    assert len(second.context["rows"]) == 5


@pytest.mark.parametrize(
    "params",
    [
        {"page": "x"},
        {"page": "999"},
        {"kind": "nonsense"},
        {"window": "forever"},
        {"worker": "abc"},
        {"worker": "999999"},
        {"agency": "-1"},
        {"locality": "1' OR 1=1"},
    ],
)
def test_bad_parameters_never_fail(client, due, params):
    client.force_login(due.coordinator)
    response = client.get(reverse(BOARD), params)
    assert response.status_code == 200
    # A bad filter is a form error and is left out: the family is still listed.
    assert [r.family.pk for r in response.context["rows"]] == [due.family.pk]
    if set(params) - {"page"}:
        assert "There is a problem" in response.content.decode()
    assert client.get(reverse(CSV), params).status_code == 200


def test_another_authoritys_worker_is_a_form_error_not_a_wider_list(client, due):
    client.force_login(due.coordinator)
    response = client.get(reverse(BOARD), {"worker": due.other_coordinator.pk})
    assert response.context["form"].errors["worker"]


def test_filters_by_worker_agency_locality_and_window(client, due, authority, make_user):
    other_lead = make_user(
        "key_worker", agency=due.agencies["school"], email="kw-other@example.test"
    )
    ward = Locality.objects.create(local_authority=authority, name="Riverside")
    (theirs,) = _overdue_families(authority, other_lead, 1, locality=ward)
    soon = _overdue_families(authority, due.lead, 1)[0]
    Family.objects.filter(pk=soon.pk).update(next_review_due=TODAY + timedelta(days=10))
    client.force_login(due.coordinator)

    def listed(**params):
        response = client.get(reverse(BOARD), params)
        assert not response.context["form"].errors
        return {r.family.pk for r in response.context["rows"]}

    assert listed() == {due.family.pk, theirs.pk, soon.pk}
    assert listed(worker=other_lead.pk) == {theirs.pk}
    assert listed(agency=due.lead.agency_id) == {due.family.pk, soon.pk}
    assert listed(locality=ward.pk) == {theirs.pk}
    assert listed(window="overdue") == {due.family.pk, theirs.pk}
    assert listed(window="14") == {soon.pk}


def test_follow_ups_overdue_are_labelled_overdue_not_due(client, due):
    closure = services.case_close(
        actor=due.lead,
        family=due.family,
        closed_on=TODAY,
        reason="outcomes_met",
        exit_plan="School keeps an eye.",
    )
    late, soon, *_ = FollowUp.objects.filter(closure=closure).order_by("due_on")
    FollowUp.objects.filter(pk=late.pk).update(due_on=TODAY - timedelta(days=90))
    FollowUp.objects.filter(pk=soon.pk).update(due_on=TODAY + timedelta(days=5))
    client.force_login(due.lead)
    body = client.get(reverse(BOARD), {"kind": "follow_ups"}).content.decode()
    assert f"Overdue since {_date(TODAY - timedelta(days=90))}" in body
    assert f"Due {_date(TODAY + timedelta(days=5))}" in body
    only_due = client.get(reverse(BOARD), {"kind": "follow_ups", "window": "14"})
    assert [r.due_on for r in only_due.context["rows"]] == [TODAY + timedelta(days=5)]


def test_caseload_and_casework_agree_on_the_next_review(client, due):
    client.force_login(due.lead)
    expected = f"Overdue since {_date(TODAY - timedelta(days=3))}"
    assert expected in client.get(reverse(BOARD)).content.decode()
    assert expected in client.get(reverse("families:caseload")).content.decode()
    assert expected in client.get(reverse("families:detail", args=[due.family.pk])).content.decode()
    # A review held today moves the date on for both: no longer due on the list.
    services.review_record(actor=due.lead, family=due.family, held_on=TODAY, decisions="x")
    assert (
        f"Due {_date(TODAY + timedelta(weeks=6))}"
        in client.get(reverse("families:caseload")).content.decode()
    )
    assert client.get(reverse(BOARD)).context["rows"] == []


def test_csv_lists_every_filtered_row_safely(client, due, authority):
    _overdue_families(authority, due.lead, 54)
    Family.objects.filter(pk=due.family.pk).update(name="=HYPERLINK(1)")
    client.force_login(due.coordinator)
    response = client.get(reverse(CSV), {"window": "overdue"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Family reference", "Family", "Type"]
    assert len(rows) == 1 + 55
    assert "'=HYPERLINK(1)" in [r[1] for r in rows]
    event = AuditEvent.objects.get(object_type="casework dashboard CSV")
    assert event.action == AuditEvent.Action.EXPORTED and len(event.family_ids) == 55


def _more_rows(w, authority, n: int) -> None:
    """n more families with a review overdue, an overdue action, a follow-up due, and
    intensive support for over nine months."""
    families = _overdue_families(authority, w.lead, n, tier=Family.Tier.HIGH_COMPLEX)
    Family.objects.filter(pk__in=[f.pk for f in families]).update(
        programme_start=TODAY - timedelta(days=400)
    )
    for family in families:
        goal = services.goal_add(
            actor=w.lead, family=family, title="g", criterion="health", target="t"
        )
        # Straight to the table: the service would want the agency on the family's TAF.
        Action.objects.create(
            goal=goal,
            description="late",
            due_on=TODAY - timedelta(days=2),
            owner_agency=w.agencies["police"],
        )
        closure = Closure.objects.create(
            family=family, closed_on=TODAY, reason="outcomes_met", exit_plan="x", closed_by=w.lead
        )
        FollowUp.objects.create(closure=closure, months_after=3, due_on=TODAY)


@pytest.mark.parametrize("kind", ["reviews", "actions", "follow_ups", "long_open"])
def test_query_count_does_not_grow_with_rows(
    client, due, authority, kind, django_assert_max_num_queries
):
    client.force_login(due.coordinator)
    client.get(reverse("home"))  # a session's first request also checks two-factor, once
    _more_rows(due, authority, 1)
    with CaptureQueriesContext(connection) as one:
        first = client.get(reverse(BOARD), {"kind": kind})
    _more_rows(due, authority, 8)
    with django_assert_max_num_queries(len(one)):
        response = client.get(reverse(BOARD), {"kind": kind})
    assert len(response.context["rows"]) > len(first.context["rows"])


def test_families_allocated_without_a_review_date_are_given_one(active, settings):
    """The data migration gives an active family with no next review the date the rules
    give: one interval after its latest review, or after attachment."""
    from django.apps import apps

    migration = importlib.import_module("outcomes.migrations.0006_schedule_missing_next_reviews")
    settings.CASEWORK_REVIEW_WEEKS = 6
    family = active.family  # attached 60 days ago, never reviewed
    reviewed = Family.objects.create(
        local_authority=family.local_authority,
        name="Reviewed",
        status=Family.Status.ACTIVE,
        programme_start=TODAY - timedelta(days=200),
    )
    Review.objects.create(
        family=reviewed, held_on=TODAY - timedelta(days=10), decisions="x", recorded_by=active.lead
    )
    scheduled = TODAY + timedelta(days=3)
    kept = Family.objects.create(
        local_authority=family.local_authority,
        name="Kept",
        status=Family.Status.ACTIVE,
        programme_start=TODAY - timedelta(days=200),
        next_review_due=scheduled,
    )
    migration.schedule_missing(apps, None)
    family.refresh_from_db()
    reviewed.refresh_from_db()
    kept.refresh_from_db()
    assert family.next_review_due == TODAY - timedelta(days=60) + timedelta(weeks=6)
    assert reviewed.next_review_due == TODAY - timedelta(days=10) + timedelta(weeks=6)
    assert kept.next_review_due == scheduled
