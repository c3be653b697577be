"""The caseload list: paging with counts, filters from the query string, bad parameters,
and its CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from families.models import Family
from tafcase.accounts.models import Locality, Role
from tafcase.audit.models import AuditEvent
from tests.families.conftest import TODAY

pytestmark = pytest.mark.django_db

LIST = "families:caseload"
CSV = "families:caseload-csv"


def _families(authority, n: int, **fields) -> list[Family]:
    return Family.objects.bulk_create(
        Family(local_authority=authority, name=f"Family {i:03d}", **fields) for i in range(n)
    )


def test_pages_and_says_how_many(client, world, authority):
    _families(authority, 54)
    client.force_login(world.coordinator)
    assert "Showing 1 to 50 of 55" in client.get(reverse(LIST)).content.decode()
    assert "Showing 51 to 55 of 55" in client.get(reverse(LIST), {"page": 2}).content.decode()


def test_filters_by_status_lead_professional_and_ward(client, world, authority, make_user):
    ward = Locality.objects.create(local_authority=authority, name="Riverside")
    other = make_user(
        Role.KEY_WORKER, agency=world.agencies["early_help"], email="kw2@example.test"
    )
    (active,) = _families(authority, 1, status=Family.Status.ACTIVE, lead_professional=other)
    (in_ward,) = _families(authority, 1, locality=ward)
    client.force_login(world.coordinator)

    def listed(**params):
        response = client.get(reverse(LIST), params)
        assert not response.context["form"].errors
        return {f.pk for f in response.context["page"]}

    assert listed() == {world.family.pk, active.pk, in_ward.pk}
    assert listed(status="active") == {active.pk}
    assert listed(worker=other.pk) == {active.pk}
    assert listed(worker=world.lead.pk) == {world.family.pk}
    assert listed(locality=ward.pk) == {in_ward.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"page": "x"},
        {"show": "everyone"},
        {"status": "wandering"},
        {"worker": "abc"},
        {"worker": "999999"},
        {"locality": "1' OR 1=1"},
    ],
)
def test_bad_parameters_never_fail(client, world, params):
    client.force_login(world.lead)
    response = client.get(reverse(LIST), params)
    assert response.status_code == 200
    assert [f.pk for f in response.context["page"]] == [world.family.pk]
    if set(params) - {"page"}:
        assert "There is a problem" in response.content.decode()
    assert client.get(reverse(CSV), params).status_code == 200


def test_another_authoritys_lead_professional_is_a_form_error(client, world):
    client.force_login(world.coordinator)
    response = client.get(reverse(LIST), {"worker": world.elsewhere.pk})
    assert response.context["form"].errors["worker"]


def test_csv_holds_every_family_listed_and_only_those(client, world, authority, other_authority):
    _families(authority, 54)
    _families(other_authority, 3)
    Family.objects.filter(pk=world.family.pk).update(
        name="@SUM(1)", next_review_due=TODAY + timedelta(days=3)
    )
    client.force_login(world.coordinator)
    response = client.get(reverse(CSV), {"show": "all"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Reference"
    assert len(rows) == 1 + 55
    ours = next(r for r in rows if r[0] == world.family.reference)
    assert ours[1] == "'@SUM(1)"
    assert ours[6] == (TODAY + timedelta(days=3)).isoformat()
    # A download is recorded as exported, naming every family in it, not as viewed.
    event = AuditEvent.objects.get(object_type="caseload CSV")
    assert event.action == AuditEvent.Action.EXPORTED and len(event.family_ids) == 55


def test_csv_access(client, world):
    client.force_login(world.school)  # sees no family
    rows = list(csv.reader(io.StringIO(client.get(reverse(CSV)).content.decode())))
    assert rows == [rows[0]]
    client.logout()
    response = client.get(reverse(CSV))
    assert response.status_code == 302 and "sign-in" in response["Location"]
