"""Every read of personal data leaves an audit row (DESIGN.md §4): lists, searches, the
forms that show a record, and exports, each naming the families and people shown; and
changes to what a user may see, made in the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from eligibility import services as eligibility_services
from eligibility.datamatch.models import PartnerImport, ReviewItem
from families.models import Family, Person
from outcomes import services as outcomes_services
from tafcase.accounts.models import Agency, Role, User
from tafcase.audit.models import AuditEvent
from tests.datamatch.conftest import ASB_HEADER, csv_bytes
from tests.datamatch.test_pages_and_api import newly_eligible
from tests.families.conftest import TODAY

pytestmark = pytest.mark.django_db


def new_events(since: int):
    return AuditEvent.objects.filter(pk__gt=since).order_by("pk")


def last_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def the_read(since: int, actor, action=AuditEvent.Action.VIEWED) -> AuditEvent:
    """The one audit row a read wrote."""
    rows = [e for e in new_events(since) if e.actor_id == actor.pk and e.action == action]
    assert len(rows) == 1, [(e.action, e.object_type, e.summary) for e in new_events(since)]
    return rows[0]


# --- families: web lists and search ---------------------------------------------------


def test_caseload_page_records_the_families_listed(client, world):
    client.force_login(world.lead)
    before = last_id()
    assert client.get(reverse("families:caseload")).status_code == 200
    event = the_read(before, world.lead)
    assert event.object_type == "caseload"
    assert event.family_ids == [world.family.pk]
    assert event.actor_agency == world.agencies["early_help"]


def test_family_search_records_terms_and_families_found_in_one_row_only(client, world):
    client.force_login(world.lead)
    before = last_id()
    response = client.get(reverse("families:search"), {"q": "Dana"})
    assert response.status_code == 200
    event = the_read(before, world.lead)
    assert event.object_type == "family search"
    assert event.family_ids == [world.family.pk]
    assert "“Dana”" in event.summary
    # The terms are personal data: in that row's summary and nowhere else.
    assert new_events(before).count() == 1
    assert "Dana" not in f"{event.object_type} {event.object_id} {event.changes}"


def test_search_with_no_match_still_records_the_terms(client, world):
    client.force_login(world.lead)
    before = last_id()
    client.get(reverse("families:search"), {"q": "Nobody-here"})
    event = the_read(before, world.lead)
    assert event.family_ids == [] and "Nobody-here" in event.summary


# --- families and casework: forms that show a record -----------------------------------


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("families:edit", args=[w.family.pk]),
        lambda w: reverse("families:member-add", args=[w.family.pk]),
        lambda w: reverse("families:consent-add", args=[w.family.pk]),
        lambda w: reverse("families:involvement-add", args=[w.family.pk]),
        lambda w: reverse("families:note-add", args=[w.family.pk]),
        lambda w: reverse("outcomes:goal-add", args=[w.family.pk]),
        lambda w: reverse("outcomes:review-add", args=[w.family.pk]),
        lambda w: reverse("outcomes:tier", args=[w.family.pk]),
        lambda w: reverse("outcomes:close", args=[w.family.pk]),
    ],
)
def test_opening_a_family_form_is_audited_as_a_view_of_the_family(client, world, url):
    client.force_login(world.lead)
    before = last_id()
    assert client.get(url(world)).status_code == 200
    event = the_read(before, world.lead)
    assert event.family_id == world.family.pk
    assert event.summary.startswith("Form:")


def test_opening_a_members_edit_form_records_the_person(client, world):
    client.force_login(world.lead)
    before = last_id()
    url = reverse("families:member-edit", args=[world.family.pk, world.membership.pk])
    assert client.get(url).status_code == 200
    event = the_read(before, world.lead)
    assert event.object_type == "families.person"
    assert event.family_id == world.family.pk
    assert event.person_ids == [world.child.pk]


def test_refused_form_is_not_recorded(client, world):
    client.force_login(world.school)
    before = last_id()
    assert client.get(reverse("families:edit", args=[world.family.pk])).status_code == 404
    assert not new_events(before).exists()


def test_casework_dashboard_records_the_families_it_lists(client, active):
    Family.objects.filter(pk=active.family.pk).update(next_review_due=TODAY - timedelta(days=1))
    client.force_login(active.lead)
    before = last_id()
    response = client.get(reverse("outcomes:dashboard"))
    event = the_read(before, active.lead)
    assert event.object_type == "casework dashboard"
    shown = {row.family.pk for row in response.context["rows"]}
    assert active.family.pk in shown
    assert shown <= set(event.family_ids)


@pytest.mark.parametrize("name", ["outcomes:plan-pdf", "outcomes:distance-pdf"])
def test_casework_pdfs_are_recorded_as_exports_of_the_family(client, active, name):
    client.force_login(active.lead)
    before = last_id()
    assert client.get(reverse(name, args=[active.family.pk])).status_code == 200
    event = the_read(before, active.lead, AuditEvent.Action.EXPORTED)
    assert event.family_id == active.family.pk


# --- families and casework: API lists -------------------------------------------------


def _goal(world):
    outcomes_services.goal_add(
        actor=world.lead,
        family=world.family,
        title="School",
        criterion="education",
        target="95%",
        members=[world.child],
    )


def _assessment(world):
    outcomes_services.assessment_start(actor=world.lead, family=world.family)


@pytest.mark.parametrize(
    ("name", "setup", "people"),
    [
        ("api:family-list", None, lambda w: []),
        ("api:membership-list", None, lambda w: [w.parent.pk, w.child.pk]),
        ("api:consent-list", None, lambda w: [w.parent.pk]),
        ("api:involvement-list", None, lambda w: []),
        ("api:note-list", None, lambda w: [w.parent.pk]),
        ("outcomes-api:goal-list", _goal, lambda w: [w.child.pk]),
        ("outcomes-api:assessment-list", _assessment, lambda w: []),
    ],
)
def test_api_list_records_the_families_and_people_on_the_page(active, name, setup, people):
    if setup:
        setup(active)
    before = last_id()
    assert api(active.lead).get(reverse(name)).status_code == 200
    event = the_read(before, active.lead)
    assert event.object_type.endswith("(API)")
    assert not event.object_id
    assert event.family_ids == [active.family.pk]
    assert sorted(event.person_ids) == sorted(people(active))


@pytest.mark.parametrize(
    "name",
    [
        "outcomes-api:review-list",
        "outcomes-api:closure-list",
        "outcomes-api:action-list",
        "outcomes-api:tier-change-list",
        "outcomes-api:budget-item-list",
    ],
)
def test_empty_api_list_still_records_the_read(world, name):
    before = last_id()
    assert api(world.lead).get(reverse(name)).status_code == 200
    event = the_read(before, world.lead)
    assert event.family_ids == [] and event.person_ids == []


def test_api_people_list_records_the_people_on_the_page(world):
    before = last_id()
    api(world.lead).get(reverse("api:person-list"))
    event = the_read(before, world.lead)
    assert sorted(event.person_ids) == sorted([world.parent.pk, world.child.pk])


def test_api_list_records_only_the_page_returned(world, make_family):
    for _ in range(3):
        make_family(world.coordinator, n_members=0)
    before = last_id()
    body = api(world.coordinator).get(reverse("api:family-list"), {"page_size": 2}).json()
    event = the_read(before, world.coordinator)
    assert event.family_ids == [row["id"] for row in body["results"]]


def test_api_family_search_records_the_terms(world):
    before = last_id()
    response = api(world.lead).get(reverse("api:family-list"), {"q": "Dana"})
    assert [row["id"] for row in response.json()["results"]] == [world.family.pk]
    event = the_read(before, world.lead)
    assert event.family_ids == [world.family.pk] and "“Dana”" in event.summary
    assert new_events(before).count() == 1


def test_api_list_refused_to_anonymous_writes_nothing(world):
    before = last_id()
    assert APIClient().get(reverse("api:family-list")).status_code == 401
    assert not new_events(before).exists()


# --- nominations and panels -------------------------------------------------------------


def test_nominations_page_records_the_families_listed(client, pw, nominate):
    nomination = nominate("crime_asb")
    client.force_login(pw.coordinator)
    before = last_id()
    assert client.get(reverse("eligibility:nominations")).status_code == 200
    event = the_read(before, pw.coordinator)
    assert event.object_type == "nominations"
    assert event.family_ids == [nomination.family_id]


def test_nominations_api_list_records_the_families_listed(pw, nominate):
    nomination = nominate("crime_asb")
    before = last_id()
    assert api(pw.coordinator).get(reverse("eligibility-api:nomination-list")).status_code == 200
    assert the_read(before, pw.coordinator).family_ids == [nomination.family_id]


def test_panel_list_page_and_api_are_audited(client, pw, panel):
    client.force_login(pw.coordinator)
    before = last_id()
    assert client.get(reverse("eligibility:panels")).status_code == 200
    assert the_read(before, pw.coordinator).object_type == "panels"
    before = last_id()
    assert api(pw.coordinator).get(reverse("eligibility-api:panel-list")).status_code == 200
    assert the_read(before, pw.coordinator).object_type == "panels (API)"


@pytest.fixture
def agenda(pw, panel, eligible):
    nomination = eligible()
    eligibility_services.agenda_build(actor=pw.coordinator, panel=panel)
    return panel, nomination, panel.items.get()


def test_panel_agenda_records_the_families_on_it(client, pw, agenda):
    panel, nomination, _ = agenda
    client.force_login(pw.member)
    before = last_id()
    assert client.get(reverse("eligibility:panel", args=[panel.pk])).status_code == 200
    event = the_read(before, pw.member)
    assert event.family_ids == [nomination.family_id]


def test_panel_minutes_pdf_is_an_export_naming_the_families(client, pw, agenda):
    panel, nomination, _ = agenda
    client.force_login(pw.chair)
    before = last_id()
    assert client.get(reverse("eligibility:panel-minutes", args=[panel.pk])).status_code == 200
    event = the_read(before, pw.chair, AuditEvent.Action.EXPORTED)
    assert event.family_ids == [nomination.family_id]


def test_opening_the_decision_form_records_the_family(client, pw, agenda):
    panel, nomination, item = agenda
    client.force_login(pw.chair)
    before = last_id()
    url = reverse("eligibility:item-decide", args=[panel.pk, item.pk])
    assert client.get(url).status_code == 200
    assert the_read(before, pw.chair).family_id == nomination.family_id


def test_opening_the_evidence_form_records_the_family(client, pw, nominate):
    nomination = nominate("crime_asb")
    client.force_login(pw.coordinator)
    before = last_id()
    url = reverse("eligibility:evidence-add", args=[nomination.pk])
    assert client.get(url).status_code == 200
    assert the_read(before, pw.coordinator).family_id == nomination.family_id


# --- the data-match ---------------------------------------------------------------------


def test_review_queue_page_and_api_record_the_candidate_people(client, team, finished_run):
    item = ReviewItem.objects.get(run=finished_run, record__record_id="X1")
    candidates = {c["person_id"] for c in item.candidates}
    client.force_login(team.analyst)
    before = last_id()
    assert client.get(reverse("datamatch:review")).status_code == 200
    assert candidates <= set(the_read(before, team.analyst).person_ids)
    before = last_id()
    assert api(team.analyst).get(reverse("datamatch-api:review-item-list")).status_code == 200
    assert candidates <= set(the_read(before, team.analyst).person_ids)


def test_review_page_people_search_records_the_terms_and_people_found(client, team, finished_run):
    item = ReviewItem.objects.get(run=finished_run, record__record_id="X1")
    person = Person.objects.get(pk=item.candidates[0]["person_id"])
    client.force_login(team.analyst)
    before = last_id()
    client.get(reverse("datamatch:review-item", args=[item.pk]), {"q": person.surname})
    search = AuditEvent.objects.get(pk__gt=before, object_type__startswith="people search")
    assert person.pk in search.person_ids and f"“{person.surname}”" in search.summary


def test_run_page_records_the_household_results_shown(client, team, finished_run):
    household = newly_eligible()
    client.force_login(team.coordinator)
    before = last_id()
    assert client.get(reverse("datamatch:run", args=[household.run_id])).status_code == 200
    event = the_read(before, team.coordinator)
    assert event.object_type == "datamatch.datamatchrun"
    assert set(household.person_ids) <= set(event.person_ids)


@pytest.mark.parametrize(
    "name", ["datamatch-api:partner-import-list", "datamatch-api:datamatch-run-list"]
)
def test_data_match_api_lists_are_audited(team, load, name):
    load("asb", csv_bytes(ASB_HEADER, "A1,Jo,Hale,2011-12-01,M,,2026-01-01,noise,victim"))
    before = last_id()
    assert api(team.analyst).get(reverse(name)).status_code == 200
    assert the_read(before, team.analyst).object_type.endswith("(API)")


def test_rejected_rows_csv_is_recorded_as_an_export(client, team, load):
    load(
        "asb",
        csv_bytes(
            ASB_HEADER,
            "A1,Jo,Hale,2011-12-01,M,,2026-01-01,noise,victim",
            "A2,Jo,Hale,2011-13-01,M,,2026-01-01,noise,victim",
        ),
        valid_rows_only=True,
    )
    imported = PartnerImport.objects.get()
    client.force_login(team.analyst)
    before = last_id()
    assert client.get(reverse("datamatch:rejected-csv", args=[imported.pk])).status_code == 200
    event = the_read(before, team.analyst, AuditEvent.Action.EXPORTED)
    assert event.object_id == str(imported.pk)


# --- subject access -----------------------------------------------------------------------


def test_subject_access_export_lists_list_and_search_reads_of_the_person(client, world):
    client.force_login(world.police)
    client.get(reverse("families:caseload"))
    client.get(reverse("families:search"), {"q": "Dana"})
    api(world.police).get(reverse("api:person-list"))
    client.force_login(world.coordinator)
    export = client.get(reverse("people:person-sar-json", args=[world.parent.pk])).json()
    police_reads = {
        e["record"] for e in export["record_access"] if e["agency"] == world.agencies["police"].name
    }
    assert {"Caseload", "Family search", "People (API)"} <= police_reads  # in words
    # The search terms stay in the audit trail, not in what is sent to the person.
    assert "Dana”" not in str(export["record_access"])


def test_subject_access_export_is_an_export_of_the_persons_families(client, world):
    client.force_login(world.coordinator)
    before = last_id()
    client.get(reverse("people:person-sar-json", args=[world.parent.pk]))
    event = the_read(before, world.coordinator, AuditEvent.Action.EXPORTED)
    assert event.person_ids == [world.parent.pk]
    assert event.family_ids == [world.family.pk]


def test_auditors_find_list_reads_by_family_reference(client, world):
    client.force_login(world.lead)
    client.get(reverse("families:caseload"))
    client.force_login(world.auditor)
    response = client.get(reverse("audit-log"), {"family": world.family.reference})
    assert "caseload" in {e.object_type for e in response.context["page"].object_list}


# --- the admin: roles, agency and authorities ---------------------------------------------


def _admin_form(user: User, **changes) -> dict:
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "password": user.password,
        "agency": user.agency_id,
        "roles": list(user.roles),
        "authorities": [a.pk for a in user.authorities.all()],
        "is_active": "on",
        "locked_until_0": "",
        "locked_until_1": "",
    }
    return {**data, **changes}


def test_admin_change_of_roles_agency_and_authorities_is_audited_with_before_and_after(
    client, administrator, make_user, make_agency, authority, other_authority
):
    user = make_user(Role.KEY_WORKER, email="worker@example.test")
    old_agency = user.agency
    new_agency = make_agency("Police", Agency.Kind.POLICE, None)
    client.force_login(administrator)
    before = last_id()
    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        _admin_form(
            user,
            roles=[Role.KEY_WORKER, Role.COORDINATOR],
            agency=new_agency.pk,
            authorities=[authority.pk, other_authority.pk],
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = the_read(before, administrator, AuditEvent.Action.UPDATED)
    assert event.object_type == "accounts.user" and event.object_id == str(user.pk)
    assert event.changes == {
        "roles": [[Role.KEY_WORKER], sorted([Role.COORDINATOR, Role.KEY_WORKER])],
        "agency": [str(old_agency), str(new_agency)],
        "authorities": [
            [str(authority)],
            sorted([str(authority), str(other_authority)]),
        ],
    }


def test_admin_change_of_authorities_alone_is_audited(
    client, administrator, make_user, authority, other_authority
):
    user = make_user(Role.COORDINATOR, email="coordinator@example.test")
    client.force_login(administrator)
    before = last_id()
    client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        _admin_form(user, authorities=[other_authority.pk]),
    )
    event = the_read(before, administrator, AuditEvent.Action.UPDATED)
    assert event.changes == {"authorities": [[str(authority)], [str(other_authority)]]}


def test_admin_save_without_access_changes_writes_no_access_row(client, administrator, make_user):
    user = make_user(Role.KEY_WORKER, email="worker@example.test")
    client.force_login(administrator)
    before = last_id()
    client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        _admin_form(user, full_name="Renamed Worker"),
    )
    assert not new_events(before).filter(object_type="accounts.user").exists()
