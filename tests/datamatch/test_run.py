"""The quarterly run end to end on a small synthetic authority: load, link, households,
rulebook; deterministic re-runs, remembered review decisions, failure keeps results."""

from pathlib import Path
from unittest.mock import patch

import pytest

from eligibility.datamatch import services
from eligibility.datamatch.generator import generate_quarter
from eligibility.datamatch.models import (
    CandidatePerson,
    DatamatchRun,
    HouseholdResult,
    RecordLink,
    ReviewItem,
)
from families.models import Person
from tests.datamatch.conftest import AS_OF, ASB_HEADER, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarter(tmp_path, load, team):
    generated = generate_quarter(300, tmp_path, seed=5, as_of=AS_OF)
    for kind, path in generated.files.items():
        agency = team.council if kind == "persons" else team.police
        load(kind, Path(path).read_bytes(), agency=agency)
    return generated


def run_now(team, authority):
    run = services.run_start(actor=team.analyst, local_authority=authority, as_of=AS_OF)
    return services.run_execute(run_id=run.pk)


def outcome(run):
    links = sorted(
        run.links.values_list("record__kind", "record__record_id", "person_id", "method")
    )
    households = sorted(run.households.values_list("key", "eligible", "criteria_met"))
    return links, households


def test_run_links_records_groups_households_and_evaluates(team, authority, quarter):
    progress = []
    run = services.run_start(actor=team.analyst, local_authority=authority, as_of=AS_OF)
    run = services.run_execute(run_id=run.pk, on_progress=lambda s, p, c: progress.append(p))
    assert run.status == DatamatchRun.Status.SUCCEEDED and run.is_current
    assert progress == sorted(progress) and progress[-1] == 100
    partner_rows = sum(1 for kind, _ in quarter.truth if kind != "persons")
    assert run.counts["partner_records"] == partner_rows
    # Every spine row is a Person; every partner record is linked, under review, or new.
    assert Person.objects.filter(local_authority=authority).exclude(la_person_id="").count() == (
        sum(1 for kind, _ in quarter.truth if kind == "persons")
    )
    linked = run.links.exclude(record__kind="persons").count()
    in_review = ReviewItem.objects.filter(run=run).count()
    assert linked + in_review == partner_rows
    # Links agree with the truth for the people the council knows.
    la_ids = dict(
        Person.objects.filter(local_authority=authority).values_list("pk", "la_person_id")
    )
    right = wrong = 0
    for kind, record_id, person_id, method in outcome(run)[0]:
        if kind == "persons" or method == "new_person":
            continue
        truth = quarter.la_person_of[quarter.truth[(kind, record_id)]]
        right += la_ids[person_id] == truth
        wrong += la_ids[person_id] != truth
    assert right / (right + wrong) >= 0.98
    assert run.households.count() > 50
    assert run.households.filter(eligible=True).exists()
    assert run.report["sources"] and run.report["links_by_method"]["identifier"] > 0


def test_rerun_gives_the_same_result(team, authority, quarter):
    first = run_now(team, authority)
    people = Person.objects.count()
    second = run_now(team, authority)
    assert outcome(first) == outcome(second)
    assert Person.objects.count() == people  # candidate people are reused, not remade
    first.refresh_from_db()
    assert second.is_current and not first.is_current


def test_review_decisions_survive_reruns(team, authority, quarter, load):
    run_now(team, authority)
    # A record whose UPN says one person and NHS number another goes to review.
    a = Person.objects.exclude(upn="").first()
    b = Person.objects.exclude(nhs_number="").exclude(pk=a.pk).first()
    load(
        "asb",
        csv_bytes(
            ASB_HEADER + ",upn,nhs_number",
            f"X1,Sam,Doubtful,,,,2026-01-05,noise,perpetrator,{a.upn},{b.nhs_number}",
        ),
        agency=team.council,
    )
    run = run_now(team, authority)
    item = ReviewItem.objects.get(run=run, record__record_id="X1")
    assert {c["person_id"] for c in item.candidates} >= {a.pk, b.pk}
    services.review_decide(actor=team.analyst, item=item, person=b)
    link = RecordLink.objects.get(run=run, record=item.record)
    assert (link.person, link.method, link.decided_by) == (b, "manual", team.analyst)
    again = run_now(team, authority)
    link = RecordLink.objects.get(run=again, record=item.record)
    assert (link.person, link.method, link.decided_by) == (b, "manual", team.analyst)
    assert not ReviewItem.objects.filter(run=again, record=item.record).exists()


def test_failure_keeps_the_previous_results(team, authority, quarter):
    good = run_now(team, authority)
    households = good.households.count()
    run = services.run_start(actor=team.analyst, local_authority=authority, as_of=AS_OF)
    failing = patch.object(services, "_households_save", side_effect=RuntimeError("boom"))
    with failing, pytest.raises(RuntimeError):
        services.run_execute(run_id=run.pk)
    run.refresh_from_db()
    good.refresh_from_db()
    assert run.status == "failed" and "RuntimeError" in run.error and not run.is_current
    assert good.is_current and good.households.count() == households
    assert not RecordLink.objects.filter(run=run).exists()


def test_a_run_is_done_once_even_if_delivered_twice(team, authority, quarter):
    run = run_now(team, authority)
    assert services.run_execute(run_id=run.pk) is None


def test_unknown_people_become_candidates_not_families(team, authority, quarter):
    run = run_now(team, authority)
    new = run.links.filter(method="new_person")
    if new.exists():
        person = new.first().person
        assert CandidatePerson.objects.filter(person=person).exists()
        assert not person.memberships.exists()
    assert HouseholdResult.objects.filter(run=run, family__isnull=False).count() == 0


def test_households_follow_the_spine_then_the_address(team, authority, quarter):
    run = run_now(team, authority)
    household_of = {p.la_person_id: p.household_id for p in quarter.people if p.la_person_id}
    la_ids = dict(Person.objects.values_list("pk", "la_person_id"))
    spine_households = run.households.filter(key__startswith="spine:")
    assert spine_households.exists()
    for household in spine_households:
        wanted = household.key.removeprefix("spine:")
        assert {household_of[la_ids[pk]] for pk in household.person_ids} == {wanted}
    # Everyone on the spine with the same household id is in one household.
    assert spine_households.count() == len(
        {household_of[la_ids[pk]] for h in spine_households for pk in h.person_ids}
    )
    # People the council did not know are grouped by the address their records give.
    assert not run.households.filter(key__startswith="spine:", person_ids__len=0).exists()
    unknown = run.households.exclude(key__startswith="spine:")
    assert all(h.key.startswith(("address:", "person:")) for h in unknown)
