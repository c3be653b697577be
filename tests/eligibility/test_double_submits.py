"""A nomination sent twice (a double click, a retry, two at once) makes one family."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from eligibility.models import Nomination
from families.models import Family, Person
from tafcase.idempotency.models import IdempotencyKey
from tests.concurrency import run_together
from tests.eligibility.conftest import TODAY, evidence, members

NOMINATIONS = "/api/nominations/"


def payload(surname: str = "Twice") -> dict:
    return {
        "family_name": f"{surname} family",
        "reason": "Attendance and police call-outs",
        "postcode": "NB1 1AA",
        "members": [{**m, "dob": m["dob"].isoformat()} for m in members(surname)],
        "criteria": [
            {**c, "evidence_date": c["evidence_date"].isoformat()} for c in evidence("crime_asb")
        ],
        "consent_given_on": TODAY.isoformat(),
        "consent_given_by": 0,
    }


def post(user, body: dict, **headers):
    api = APIClient()
    api.force_authenticate(user)
    return api.post(NOMINATIONS, body, format="json", headers=headers)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_identical_nominations_make_one_family(pw):
    first, second = run_together(
        lambda: post(pw.referrer, payload()), lambda: post(pw.referrer, payload())
    )
    assert first.status_code == second.status_code == 201, (first.data, second.data)
    assert first.data["id"] == second.data["id"]
    assert Nomination.objects.count() == 1
    assert Family.objects.count() == 1
    assert Person.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_nominations_with_one_key_make_one_family(pw):
    first, second = run_together(
        lambda: post(pw.referrer, payload(), **{"Idempotency-Key": "k-1"}),
        lambda: post(pw.referrer, payload(), **{"Idempotency-Key": "k-1"}),
    )
    assert first.status_code == second.status_code == 201
    assert first.data["id"] == second.data["id"]
    assert Family.objects.count() == 1


@pytest.mark.django_db
def test_same_key_twice_via_api_returns_the_same_nomination(pw):
    first = post(pw.referrer, payload(), **{"Idempotency-Key": "retry-me"})
    again = post(pw.referrer, payload(), **{"Idempotency-Key": "retry-me"})
    assert first.status_code == again.status_code == 201
    assert again.data == first.data
    assert Nomination.objects.count() == 1 and Family.objects.count() == 1


@pytest.mark.django_db
def test_different_keys_make_two_nominations_even_with_the_same_body(pw):
    assert post(pw.referrer, payload(), **{"Idempotency-Key": "a"}).status_code == 201
    assert post(pw.referrer, payload(), **{"Idempotency-Key": "b"}).status_code == 201
    assert Nomination.objects.count() == 2


@pytest.mark.django_db
def test_without_a_key_different_nominations_are_not_merged(pw):
    assert post(pw.referrer, payload("One")).status_code == 201
    assert post(pw.referrer, payload("Two")).status_code == 201
    assert Nomination.objects.count() == 2


@pytest.mark.django_db
def test_keys_belong_to_the_user_who_sent_them(pw):
    mine = post(pw.referrer, payload(), **{"Idempotency-Key": "shared"})
    theirs = post(pw.coordinator, payload(), **{"Idempotency-Key": "shared"})
    assert mine.status_code == theirs.status_code == 201
    assert mine.data["id"] != theirs.data["id"]


@pytest.mark.django_db
def test_a_refused_nomination_releases_its_key(pw):
    key = {"Idempotency-Key": "fix-and-resend"}
    refused = post(pw.referrer, {**payload(), "consent_given_on": None}, **key)
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert post(pw.referrer, payload(), **key).status_code == 201
    assert Nomination.objects.count() == 1


@pytest.mark.django_db
def test_malformed_idempotency_key_is_a_400(pw):
    response = post(pw.referrer, payload(), **{"Idempotency-Key": "x" * 101})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.data
    assert not Nomination.objects.exists()


def _form(key: str | None = None) -> dict:
    data = {
        "family_name": "Formfamily",
        "postcode": "NB1 1AA",
        "reason": "School attendance",
        "consent_given_on": TODAY.isoformat(),
        "consent_given_by": "0",
        "member-0-forename": "Alex",
        "member-0-surname": "Formfamily",
        "member-0-dob": "1985-01-01",
        "member-0-role": "parent_carer",
    }
    return {**data, "idempotency_key": key} if key else data


@pytest.mark.django_db
def test_nomination_form_renders_a_fresh_hidden_idempotency_key(client, pw):
    client.force_login(pw.referrer)
    first = client.get(reverse("eligibility:nomination-new")).context["form"]
    second = client.get(reverse("eligibility:nomination-new")).context["form"]
    page = client.get(reverse("eligibility:nomination-new")).content.decode()
    assert 'type="hidden" name="idempotency_key"' in page
    key = first["idempotency_key"].value()
    assert len(key) == 32 and key != second["idempotency_key"].value()


@pytest.mark.django_db
def test_nomination_form_sent_twice_makes_one_and_lands_on_it_both_times(client, pw):
    client.force_login(pw.referrer)
    first = client.post(reverse("eligibility:nomination-new"), _form("form-key"))
    again = client.post(reverse("eligibility:nomination-new"), _form("form-key"))
    nomination = Nomination.objects.get()
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == reverse("eligibility:nomination", args=[nomination.pk])
    assert Family.objects.count() == 1
