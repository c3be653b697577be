from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from families import access, services
from families.models import Consent, Family, FamilyGroupObjectPermission, StatusChange
from tafcase.audit.models import AuditEvent
from tafcase.errors import StaleEdit

pytestmark = pytest.mark.django_db
S = Family.Status


def visible(user, family) -> bool:
    return access.families_visible_to(user).filter(pk=family.pk).exists()


# --- lifecycle ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ([S.NOMINATED, S.SCREENING, S.ELIGIBLE, S.AWAITING_PANEL, S.ACTIVE, S.CLOSED], True),
        ([S.NOMINATED, S.SCREENING, S.NOT_ELIGIBLE], True),
        (
            [S.NOMINATED, S.SCREENING, S.ELIGIBLE, S.AWAITING_PANEL, S.ACTIVE, S.CLOSED, S.ACTIVE],
            True,
        ),
        ([S.ACTIVE], False),
        ([S.NOMINATED, S.CLOSED], False),
        ([S.NOMINATED, S.SCREENING, S.AWAITING_PANEL], False),
    ],
)
def test_lifecycle_allows_only_its_transitions(world, path, allowed):
    family = world.family
    try:
        for status in path:
            family = services.family_transition(
                actor=world.coordinator, family=family, to_status=status, reason="test"
            )
    except services.InvalidTransition as error:
        assert not allowed
        assert "cannot become" in str(error)
        return
    assert allowed
    assert family.status == path[-1]


def test_transition_records_history_and_audit(world):
    services.family_transition(
        actor=world.coordinator,
        family=world.family,
        to_status=S.NOMINATED,
        reason="Referred by school",
    )
    change = StatusChange.objects.filter(family=world.family).first()
    assert (change.from_status, change.to_status, change.reason) == (
        S.IDENTIFIED,
        S.NOMINATED,
        "Referred by school",
    )
    event = AuditEvent.objects.filter(action="transitioned", family_id=world.family.pk).get()
    assert event.changes == {"status": ["identified", "nominated"]}
    assert event.actor == world.coordinator


def test_refused_transition_changes_nothing(world):
    with pytest.raises(services.InvalidTransition):
        services.family_transition(actor=world.coordinator, family=world.family, to_status=S.CLOSED)
    world.family.refresh_from_db()
    assert world.family.status == S.IDENTIFIED
    assert not AuditEvent.objects.filter(action="transitioned").exists()


def test_transition_page_shows_the_refusal(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        reverse("families:transition", args=[world.family.pk]),
        {"to_status": S.CLOSED, "reason": "x"},
    )
    assert response.status_code == 200
    assert "from the list" in response.content.decode()


# --- consent and TAF drive agency access -------------------------------------------------


def test_agency_on_taf_without_sharing_consent_cannot_see(world, make_family):
    family = make_family(world.coordinator)
    services.involvement_add(
        actor=world.coordinator,
        family=family,
        agency=world.agencies["school"],
        role="School",
        statutory=False,
        started_on=timezone.localdate(),
    )
    assert not visible(world.school, family)


def test_consent_to_a_named_agency_shares_with_that_agency_only(world):
    school = world.agencies["school"]
    services.consent_withdraw(
        actor=world.lead, consent=world.consent, withdrawn_on=timezone.localdate()
    )
    services.involvement_add(
        actor=world.lead,
        family=world.family,
        agency=school,
        role="School",
        statutory=False,
        started_on=timezone.localdate(),
    )
    services.consent_record(
        actor=world.lead,
        family=world.family,
        given_by=world.parent,
        given_on=timezone.localdate(),
        scope=Consent.Scope.SHARE_AGENCY,
        agency=school,
    )
    assert visible(world.school, world.family)
    assert not visible(world.police, world.family)


def test_consent_without_taf_membership_shares_nothing(world, make_family):
    family = make_family(world.coordinator)
    person = family.memberships.first().person
    services.consent_record(
        actor=world.coordinator,
        family=family,
        given_by=person,
        given_on=timezone.localdate(),
        scope=Consent.Scope.SHARE_TAF,
    )
    assert not visible(world.police, family)


def test_ending_involvement_revokes_access(world):
    assert visible(world.police, world.family)
    services.involvement_end(
        actor=world.lead, involvement=world.involvement, ended_on=timezone.localdate()
    )
    assert not visible(world.police, world.family)
    assert not FamilyGroupObjectPermission.objects.filter(
        content_object=world.family, group=world.agencies["police"].group
    ).exists()


def test_paused_involvement_keeps_access(world):
    services.involvement_set_paused(actor=world.lead, involvement=world.involvement, paused=True)
    assert visible(world.police, world.family)


def test_withdrawing_consent_revokes_and_renewed_consent_restores(world):
    services.consent_withdraw(
        actor=world.lead, consent=world.consent, withdrawn_on=timezone.localdate()
    )
    assert not visible(world.police, world.family)
    services.consent_record(
        actor=world.lead,
        family=world.family,
        given_by=world.parent,
        given_on=timezone.localdate(),
        scope=Consent.Scope.SHARE_TAF,
    )
    assert visible(world.police, world.family)


def test_consent_must_come_from_a_family_member(world, make_family):
    other = make_family(world.coordinator).memberships.first().person
    with pytest.raises(ValidationError):
        services.consent_record(
            actor=world.lead,
            family=world.family,
            given_by=other,
            given_on=timezone.localdate(),
            scope=Consent.Scope.SHARE_TAF,
        )


def test_consent_cannot_be_withdrawn_before_it_was_given(world):
    with pytest.raises(ValidationError):
        services.consent_withdraw(
            actor=world.lead,
            consent=world.consent,
            withdrawn_on=world.consent.given_on - timedelta(days=1),
        )
    world.consent.refresh_from_db()
    assert world.consent.withdrawn_on is None


def test_agency_cannot_join_the_taf_twice(world):
    with pytest.raises(ValidationError):
        services.involvement_add(
            actor=world.lead,
            family=world.family,
            agency=world.agencies["police"],
            role="Again",
            statutory=False,
            started_on=timezone.localdate(),
        )


def test_key_workers_always_see_their_families(world, make_user, make_family):
    worker = make_user(
        "key_worker", agency=world.agencies["early_help"], email="kw2@example.test", authorities=[]
    )
    family = make_family(world.coordinator)
    assert not visible(worker, family)
    services.family_set_key_workers(actor=world.coordinator, family=family, key_workers=[worker])
    assert visible(worker, family)


def test_programme_team_of_another_authority_cannot_see(world, make_user, other_authority):
    outsider = make_user(
        "coordinator",
        agency=world.agencies["early_help"],
        email="c2@example.test",
        authorities=[other_authority],
    )
    assert not visible(outsider, world.family)


# --- optimistic locking -----------------------------------------------------------------


def test_stale_family_edit_is_refused_and_changes_nothing(world):
    version = world.family.version
    services.family_update(
        actor=world.lead, family=world.family, expected_version=version, name="First edit"
    )
    with pytest.raises(StaleEdit):
        services.family_update(
            actor=world.coordinator,
            family=world.family,
            expected_version=version,
            name="Second edit",
        )
    world.family.refresh_from_db()
    assert world.family.name == "First edit"


def test_stale_edit_in_the_browser_shows_a_message_and_the_latest_details(client, world):
    url = reverse("families:edit", args=[world.family.pk])
    client.force_login(world.lead)
    form = client.get(url).context["form"]
    opened_version = form.initial["version"]
    services.family_update(
        actor=world.coordinator,
        family=world.family,
        expected_version=opened_version,
        name="Coordinator's edit",
    )
    response = client.post(url, {"name": "Lead's edit", "version": opened_version})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this family" in page
    assert "Coordinator&#x27;s edit" in page
    world.family.refresh_from_db()
    assert world.family.name == "Coordinator's edit"


def test_stale_person_edit_in_the_browser_is_refused(client, world):
    url = reverse("families:member-edit", args=[world.family.pk, world.membership.pk])
    client.force_login(world.lead)
    version = world.child.version
    services.person_update(
        actor=world.coordinator,
        person=world.child,
        family_id=None,
        expected_version=version,
        forename="Kitty",
    )
    response = client.post(
        url, {"forename": "Christopher", "surname": "Testing", "version": version, "role": "child"}
    )
    assert response.status_code == 409
    world.child.refresh_from_db()
    assert world.child.forename == "Kitty"


def test_stale_edit_through_the_api_is_409(world):
    client = APIClient()
    client.force_authenticate(world.lead)
    url = reverse("api:family-detail", args=[world.family.pk])
    version = client.get(url).json()["version"]
    assert client.patch(url, {"name": "A", "version": version}, format="json").status_code == 200
    response = client.patch(url, {"name": "B", "version": version}, format="json")
    assert response.status_code == 409
    assert "Someone else changed" in response.json()["detail"]
    person_url = reverse("api:person-detail", args=[world.parent.pk])
    person_version = client.get(person_url).json()["version"]
    client.patch(person_url, {"forename": "C", "version": person_version}, format="json")
    response = client.patch(person_url, {"forename": "D", "version": person_version}, format="json")
    assert response.status_code == 409


def test_api_update_without_version_is_refused(world):
    client = APIClient()
    client.force_authenticate(world.lead)
    response = client.patch(
        reverse("api:family-detail", args=[world.family.pk]), {"name": "No version"}, format="json"
    )
    assert response.status_code == 400


# --- forms through the browser -----------------------------------------------------------


def test_create_family_and_add_a_member_in_the_browser(client, world):
    client.force_login(world.lead)
    response = client.post(
        reverse("families:create"),
        {"name": "Brand new family", "address_line_1": "1 Test Street", "postcode": "nb12cd"},
    )
    assert response.status_code == 302
    family = Family.objects.get(name="Brand new family")
    assert family.postcode == "NB1 2CD"
    assert family.lead_professional == world.lead
    response = client.post(
        reverse("families:member-add", args=[family.pk]),
        {
            "forename": "Alex",
            "surname": "New",
            "dob": "2012-03-04",
            "role": "child",
            "lives_in_household": "on",
            "nhs_number": "943 476 5919",
        },
    )
    assert response.status_code == 302
    person = family.memberships.get().person
    assert (person.forename, person.nhs_number) == ("Alex", "9434765919")


def test_invalid_member_form_keeps_what_was_typed_and_saves_nothing(client, world):
    client.force_login(world.lead)
    response = client.post(
        reverse("families:member-add", args=[world.family.pk]),
        {"forename": "Sam", "surname": "", "dob": "2999-01-01", "role": "child"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'value="Sam"' in page
    assert "cannot be in the future" in page
    assert world.family.memberships.count() == 2


def test_note_in_the_future_is_refused(client, world):
    client.force_login(world.lead)
    response = client.post(
        reverse("families:note-add", args=[world.family.pk]),
        {
            "contact_type": "phone",
            "contact_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "text": "Tomorrow",
            "confidentiality": "normal",
        },
    )
    assert response.status_code == 200
    assert world.family.notes.count() == 1


def test_partner_adds_a_note_to_a_shared_family(client, world):
    client.force_login(world.police)
    response = client.post(
        reverse("families:note-add", args=[world.family.pk]),
        {
            "contact_type": "phone",
            "contact_date": timezone.localdate().isoformat(),
            "text": "Called mum about the incident.",
            "confidentiality": "restricted",
            "people": [world.parent.pk],
        },
    )
    assert response.status_code == 302
    note = world.family.notes.get(text__startswith="Called mum")
    assert note.author_agency == world.agencies["police"]


def test_search_by_reference_postcode_dob_and_name(client, world):
    client.force_login(world.lead)
    for query in [
        world.family.reference,
        "NB1 2AB",
        "nb1",
        "02/01/1990",
        "1990-01-02",
        "Dana",
        "Kit Testing",
        "testing",
    ]:
        response = client.get(reverse("families:search"), {"q": query})
        assert response.context["page"].paginator.count == 1, query
    response = client.get(reverse("families:search"), {"q": "Nobody"})
    assert response.context["page"].paginator.count == 0
