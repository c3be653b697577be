"""Postcodes, identifiers and dates through the pages and the API: a value that breaks an
identity rule is a form error or a 400 (never a database error), and what is stored fits
its column. All identifiers here are synthetic."""

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from families.models import Family, Membership, Person
from tests.families.conftest import TODAY, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world: World) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.lead)
    return client


def _new_member(world: World, **person) -> dict:
    return {
        "family": world.family.pk,
        "role": "child",
        "person": {"forename": "Sam", "surname": "Testing", **person},
    }


def test_eight_character_postcode_without_a_space_is_a_400_not_a_server_error(api):
    response = api.post("/api/families/", {"name": "Long postcode", "postcode": "AB123CDE"})
    assert response.status_code == 400
    assert "postcode" in response.json()
    assert not Family.objects.filter(name="Long postcode").exists()


@pytest.mark.parametrize(("typed", "stored"), [("nb12cd", "NB1 2CD"), ("SW1A1AA", "SW1A 1AA")])
def test_postcode_is_stored_spaced_and_upper_case(api, typed, stored):
    response = api.post("/api/families/", {"name": "Postcode", "postcode": typed})
    assert response.status_code == 201
    assert response.json()["postcode"] == stored


def test_family_edit_page_refuses_a_malformed_postcode(client, world):
    client.force_login(world.lead)
    response = client.post(
        reverse("families:edit", args=[world.family.pk]),
        {"name": world.family.name, "postcode": "AB123CDE", "version": world.family.version},
    )
    assert response.status_code == 200
    assert "Enter a real postcode" in response.content.decode()
    world.family.refresh_from_db()
    assert world.family.postcode == "NB1 2AB"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nino", "AB1234567890C"),  # long NI number: was a DataError
        ("nino", "DA123456C"),  # D is never a first letter
        ("upn", "A801200005001"),  # wrong check letter
        ("nhs_number", "943 476 5918"),  # wrong check digit
        ("pnc_id", "12/0001234A"),  # wrong check letter
        ("la_person_id", "X" * 31),
        ("dob", "9999-12-31"),
        ("dob", "0049-06-01"),
        ("dob", (TODAY + timedelta(days=1)).isoformat()),
    ],
)
def test_member_with_a_broken_identity_rule_is_a_400_and_nothing_is_written(
    api, world, field, value
):
    before = Membership.objects.count()
    response = api.post("/api/memberships/", _new_member(world, **{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()["person"]
    assert Membership.objects.count() == before


def test_identifiers_are_stored_in_their_normal_form(api, world):
    response = api.post(
        "/api/memberships/",
        _new_member(
            world,
            nino="ab 12 34 56 c",
            upn="b801 2000 05001",
            nhs_number="401 023 2137",
            pnc_id="2012/1234y",
            la_person_id=" nb 1 ",
        ),
        format="json",
    )
    assert response.status_code == 201
    person = Person.objects.get(pk=response.json()["person"])
    assert (person.nino, person.upn, person.nhs_number, person.pnc_id, person.la_person_id) == (
        "AB123456C",
        "B801200005001",
        "4010232137",
        "12/0001234Y",
        "NB1",
    )


def test_person_edit_refuses_an_nhs_number_with_a_wrong_check_digit(api, world):
    url = reverse("api:person-detail", args=[world.parent.pk])
    body = {"nhs_number": "9434765918", "version": world.parent.version}
    assert api.patch(url, body, format="json").status_code == 400


@pytest.mark.parametrize("endpoint", ["consent", "involvement-end"])
def test_consent_and_taf_dates_in_the_future_are_a_400(api, world, endpoint):
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    if endpoint == "consent":
        url, body = (
            "/api/consents/",
            {
                "family": world.family.pk,
                "given_by": world.parent.pk,
                "given_on": tomorrow,
                "scope": "participation",
            },
        )
    else:
        url = reverse("api:involvement-end", args=[world.involvement.pk])
        body = {"on": tomorrow}
    response = api.post(url, body, format="json")
    assert response.status_code == 400


def test_member_form_refuses_a_date_of_birth_before_1900(client, world):
    client.force_login(world.lead)
    response = client.post(
        reverse("families:member-add", args=[world.family.pk]),
        {"forename": "Old", "surname": "Testing", "dob": "1899-12-31", "role": "other_adult"},
    )
    assert response.status_code == 200
    assert "1900 or later" in response.content.decode()
