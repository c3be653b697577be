"""A run's eligible households split into those the programme already knows (nominated,
on the programme or closed) and those it newly identifies, counted in SQL, and shown with
the newly identified share as the headline on the run page and the analyst's home page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eligibility.datamatch import selectors
from eligibility.datamatch.models import DatamatchRun, HouseholdResult
from families.models import Family
from tests.datamatch.conftest import AS_OF

pytestmark = pytest.mark.django_db

S = Family.Status


@pytest.fixture
def run(team, authority):
    """A finished run in use with 10 households: 8 eligible, of which 3 belong to families
    the programme knows (nominated, active, closed), and 5 it does not (a family screened
    not eligible, one only identified, and three households with no family). An active
    family's ineligible household and another's are not counted as eligible."""
    run = DatamatchRun.objects.create(
        local_authority=authority,
        as_of=AS_OF,
        started_by=team.analyst,
        status=DatamatchRun.Status.SUCCEEDED,
        is_current=True,
    )
    households = [
        (S.NOMINATED, True),
        (S.ACTIVE, True),
        (S.CLOSED, True),
        (S.NOT_ELIGIBLE, True),
        (S.IDENTIFIED, True),
        (None, True),
        (None, True),
        (None, True),
        (S.ACTIVE, False),
        (None, False),
    ]
    for i, (status, eligible) in enumerate(households):
        family = (
            Family.objects.create(local_authority=authority, name=f"F{i}", status=status)
            if status
            else None
        )
        HouseholdResult.objects.create(
            run=run,
            key=f"household:{i}",
            person_ids=[],
            family=family,
            eligible=eligible,
            newly_eligible=False,
            decision={},
        )
    return run


def test_split_counts_known_and_newly_identified_households(run):
    split = selectors.eligible_split(run)
    assert (split.households, split.eligible, split.already_known) == (10, 8, 3)
    assert split.newly_identified == 5
    assert split.newly_identified_percent == 62  # 5 of 8, rounded


def test_split_is_one_query_however_many_households(run):
    with CaptureQueriesContext(connection) as queries:
        selectors.eligible_split(run)
    assert len(queries) == 1


def test_split_of_a_run_with_nothing_eligible_has_no_share(team, authority):
    empty = DatamatchRun.objects.create(
        local_authority=authority, as_of=AS_OF, started_by=team.analyst
    )
    split = selectors.eligible_split(empty)
    assert (split.eligible, split.newly_identified, split.newly_identified_percent) == (0, 0, None)


def test_a_family_that_closes_moves_from_new_to_known(run):
    Family.objects.filter(status=S.IDENTIFIED).update(status=S.CLOSED)
    split = selectors.eligible_split(run)
    assert (split.already_known, split.newly_identified) == (4, 4)


def test_run_page_heads_with_the_newly_identified_share(client, team, run):
    client.force_login(team.analyst)
    response = client.get(reverse("datamatch:run", args=[run.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "5 newly identified households</strong>: 62% of the 8 eligible" in body
    assert "Eligible households already known to the programme" in body
    assert "3 (nominated, on the programme or closed)" in body


def test_run_page_of_another_authority_is_404(client, team, run):
    client.force_login(team.outsider)
    assert client.get(reverse("datamatch:run", args=[run.pk])).status_code == 404


def test_analyst_home_shows_the_run_in_use(client, team, run):
    client.force_login(team.analyst)
    response = client.get(reverse("home"))
    shown = {
        f.label: (f.value, f.url)
        for section in response.context["sections"]
        for panel in section["live"]
        for f in panel["figures"]
    }
    assert shown["Eligible households newly identified by the data-match in use"] == (
        "5 of 8 eligible (62%)",
        reverse("datamatch:run", args=[run.pk]),
    )


def test_analyst_home_without_a_run_shows_no_split(client, team):
    client.force_login(team.analyst)
    response = client.get(reverse("home"))
    sections = response.context["sections"]
    labels = [f.label for s in sections for p in s["live"] for f in p["figures"]]
    assert "Possible links waiting for review" in labels
    assert "Eligible households newly identified by the data-match in use" not in labels
