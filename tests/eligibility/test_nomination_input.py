"""Nomination input: member indexes must point into the members listed."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from eligibility import services
from eligibility.models import Nomination, RecordedEvidence
from families.models import Family
from tests.eligibility.conftest import TODAY, evidence, members

pytestmark = pytest.mark.django_db


def _payload(**changes) -> dict:
    return {
        "family_name": "Indexfamily",
        "reason": "Attendance and police call-outs",
        "members": [{**m, "dob": m["dob"].isoformat()} for m in members("Indexfamily")],
        "criteria": [
            {**c, "evidence_date": c["evidence_date"].isoformat(), "member": 1}
            for c in evidence("crime_asb")
        ],
        "consent_given_on": TODAY.isoformat(),
        "consent_given_by": 0,
        **changes,
    }


def _criteria(member: int) -> list[dict]:
    return [
        {**c, "evidence_date": c["evidence_date"].isoformat(), "member": member}
        for c in evidence("crime_asb")
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"criteria": _criteria(-1)},  # -1 used to pick the last member silently
        {"criteria": _criteria(2)},  # past the end: used to be a server error
        {"consent_given_by": -1},
        {"consent_given_by": 2},
    ],
)
def test_member_index_out_of_range_is_a_400_and_nothing_is_written(pw, changes):
    api = APIClient()
    api.force_authenticate(pw.referrer)
    families, nominations = Family.objects.count(), Nomination.objects.count()
    response = api.post(
        reverse("eligibility-api:nomination-list"), _payload(**changes), format="json"
    )
    assert response.status_code == 400
    assert (Family.objects.count(), Nomination.objects.count()) == (families, nominations)


def test_member_index_in_range_names_that_member(pw):
    api = APIClient()
    api.force_authenticate(pw.referrer)
    response = api.post(reverse("eligibility-api:nomination-list"), _payload(), format="json")
    assert response.status_code == 201
    statement = RecordedEvidence.objects.get(nomination_id=response.data["id"])
    assert statement.person.forename == "Sam"  # members()[1]


def test_service_refuses_an_out_of_range_criterion_member_before_writing(pw, authority):
    families = Family.objects.count()
    with pytest.raises(services.ValidationError):
        services.nomination_submit(
            actor=pw.referrer,
            local_authority=authority,
            route=Nomination.Route.REFERRAL,
            family_name="Servicefamily",
            members=members("Servicefamily"),
            reason="Testing",
            criteria=[{**evidence("health")[0], "member": -1}],
            consent_given_on=TODAY,
            consent_given_by=0,
        )
    assert Family.objects.count() == families
