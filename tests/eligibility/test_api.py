"""The nominations, screening and panels API: same rules as the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from eligibility import services
from eligibility.models import AgendaItem, Nomination
from families.models import Family
from tests.eligibility.conftest import TODAY, evidence, members

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def call(api, user, method, url, data=None):
    api.force_authenticate(user)
    return getattr(api, method)(url, data or {}, format="json")


def test_anonymous_gets_401_everywhere(api, pw, nominate, panel):
    nomination = nominate("crime_asb")
    for url in (
        reverse("eligibility-api:nomination-list"),
        reverse("eligibility-api:nomination-detail", args=[nomination.pk]),
        reverse("eligibility-api:panel-list"),
        reverse("eligibility-api:panel-detail", args=[panel.pk]),
        reverse("eligibility-api:framework-list"),
    ):
        assert api.get(url).status_code == 401, url
    assert api.post(reverse("eligibility-api:nomination-list"), {}).status_code == 401


def test_create_nomination_and_screen(api, pw):
    payload = {
        "family_name": "Apifamily",
        "reason": "Attendance and police call-outs",
        "members": [{**m, "dob": m["dob"].isoformat()} for m in members("Apifamily")],
        "criteria": [
            {**c, "evidence_date": c["evidence_date"].isoformat()}
            for c in evidence("crime_asb", "health")
        ],
        "consent_given_on": TODAY.isoformat(),
        "consent_given_by": 0,
    }
    response = call(api, pw.referrer, "post", reverse("eligibility-api:nomination-list"), payload)
    assert response.status_code == 201, response.data
    nomination_id = response.data["id"]
    # The referrer learns that the nomination was received, and nothing about the family.
    assert response.data["stage"] == "received"
    assert "family" not in response.data and "evidence" not in response.data
    refused = call(
        api,
        pw.referrer,
        "post",
        reverse("eligibility-api:nomination-list"),
        {**payload, "consent_given_on": None, "family_name": "Nope"},
    )
    assert refused.status_code == 400
    assert "consent" in str(refused.data)
    screen = reverse("eligibility-api:nomination-screen", args=[nomination_id])
    assert call(api, pw.referrer, "post", screen, {"outcome": "eligible"}).status_code == 403
    assert call(api, pw.auditor, "post", screen, {"outcome": "eligible"}).status_code == 403
    assert call(api, pw.outsider, "post", screen, {"outcome": "eligible"}).status_code == 404
    response = call(api, pw.coordinator, "post", screen, {"outcome": "eligible"})
    assert response.status_code == 201, response.data
    assert response.data["rulebook_eligible"] is True
    assert response.data["decision"]["framework"]["code"] == "TF2015"
    detail = call(
        api,
        pw.coordinator,
        "get",
        reverse("eligibility-api:nomination-detail", args=[nomination_id]),
    )
    assert detail.data["screening"]["outcome"] == "eligible"
    assert {e["criterion"] for e in detail.data["evidence"]} == {"crime_asb", "health"}


def test_nomination_read_access(api, pw, nominate):
    nomination = nominate("crime_asb")
    url = reverse("eligibility-api:nomination-detail", args=[nomination.pk])
    for user in (pw.referrer, pw.coordinator, pw.auditor):
        assert call(api, user, "get", url).status_code == 200
    for user in (pw.outsider, pw.kw1, pw.member):
        assert call(api, user, "get", url).status_code == 404
    listing = reverse("eligibility-api:nomination-list")
    assert call(api, pw.outsider, "get", listing).data["count"] == 0
    assert call(api, pw.coordinator, "get", listing).data["count"] == 1


def test_add_evidence(api, pw, nominate):
    nomination = nominate("crime_asb")
    url = reverse("eligibility-api:nomination-evidence", args=[nomination.pk])
    body = {
        "criterion": "health",
        "evidence_date": TODAY.isoformat(),
        "source": "GP",
        "text": "Anxiety, referred to talking therapies",
    }
    assert call(api, pw.referrer, "post", url, body).status_code == 403
    assert call(api, pw.auditor, "post", url, body).status_code == 403
    assert call(api, pw.outsider, "post", url, body).status_code == 404
    assert call(api, pw.coordinator, "post", url, body).status_code == 201
    assert call(api, pw.coordinator, "post", url, {**body, "criterion": "nope"}).status_code == 400


def test_panel_api_builds_the_agenda_from_chosen_nominations(api, pw, panel, eligible, nominate):
    chosen, left = eligible(surname="Chosen"), eligible(surname="Left")
    unscreened = nominate("crime_asb", surname="Unscreened")
    build = reverse("eligibility-api:panel-build", args=[panel.pk])
    bad = ([], ["x"], [unscreened.pk], [2**70], [0])
    for body in ({"nominations": b} for b in bad):
        assert call(api, pw.chair, "post", build, body).status_code == 400, body
    assert not AgendaItem.objects.exists()
    assert call(api, pw.outsider, "post", build, {"nominations": [chosen.pk]}).status_code == 404
    response = call(api, pw.chair, "post", build, {"nominations": [chosen.pk]})
    assert response.status_code == 200
    assert list(AgendaItem.objects.values_list("nomination", flat=True)) == [chosen.pk]
    assert left.items.count() == 0


def test_panel_api_flow(api, pw, panel, eligible):
    nomination = eligible()
    build = reverse("eligibility-api:panel-build", args=[panel.pk])
    for user, code in ((pw.member, 403), (pw.auditor, 403), (pw.outsider, 404), (pw.kw1, 404)):
        assert call(api, user, "post", build).status_code == code, user
    response = call(api, pw.chair, "post", build)
    assert response.status_code == 200
    assert len(response.data["agenda"]) == 1
    item = AgendaItem.objects.get(nomination=nomination)
    for user in (pw.chair, pw.member, pw.coordinator, pw.auditor):
        url = reverse("eligibility-api:panel-detail", args=[panel.pk])
        assert call(api, user, "get", url).status_code == 200
    decide = reverse("eligibility-api:agenda-item-decide", args=[item.pk])
    body = {
        "decision": "accept",
        "level": "monitoring",
        "lead_professional": pw.kw1.pk,
        "reasons": "Working well with school",
    }
    assert call(api, pw.member, "post", decide, body).status_code == 403
    assert call(api, pw.outsider, "post", decide, body).status_code == 404
    rate = reverse("eligibility-api:agenda-item-rate", args=[item.pk])
    assert call(api, pw.chair, "post", rate, {"likelihood": 4}).status_code == 400
    assert call(api, pw.chair, "post", rate, {"likelihood": 3}).status_code == 200
    response = call(api, pw.chair, "post", decide, body)
    assert response.status_code == 200, response.data
    family = Family.objects.get(pk=nomination.family_id)
    assert family.status == Family.Status.ACTIVE and family.lead_professional == pw.kw1
    # Decided once only.
    assert call(api, pw.chair, "post", decide, body).status_code == 400


def test_panel_create_permissions(api, pw):
    url = reverse("eligibility-api:panel-list")
    body = {
        "meets_on": TODAY.isoformat(),
        "chair": pw.chair.pk,
        "member_agencies": [pw.agencies["police"].pk, pw.agencies["health"].pk],
        "quorum": 2,
    }
    for user in (pw.member, pw.auditor, pw.referrer):
        assert call(api, user, "post", url, body).status_code == 403
    assert call(api, pw.coordinator, "post", url, body).status_code == 201
    assert call(api, pw.coordinator, "post", url, {**body, "quorum": 5}).status_code == 400


def test_frameworks_api(api, pw, authority):
    services.framework_ensure(actor=pw.coordinator, authority=authority)
    url = reverse("eligibility-api:framework-list")
    assert call(api, pw.coordinator, "get", url).data["count"] == 1
    assert call(api, pw.outsider, "get", url).data["count"] == 0
    assert call(api, pw.referrer, "get", url).status_code == 403


def test_query_count_of_nomination_list_is_constant(api, pw, nominate):
    nominate("crime_asb", surname="First")
    api.force_authenticate(pw.coordinator)
    url = reverse("eligibility-api:nomination-list")
    api.get(url)  # warm up: the forced API user caches the authorities it serves
    with CaptureQueriesContext(connection) as one:
        api.get(url)
    for i in range(5):
        nominate("crime_asb", surname=f"More{i}")
    with CaptureQueriesContext(connection) as many:
        assert api.get(url).data["count"] == 6
    assert len(many) == len(one)
    assert Nomination.objects.count() == 6


@pytest.mark.parametrize("match_by", ["nino", "name_and_dob_in_another_case"])
def test_api_nomination_never_reveals_an_unseen_family(api, pw, nominate, match_by):
    """A partner who cannot see a closed family nominates someone in it: the answer is a
    receipt, the known family keeps its status, members and consents."""
    from families import services as family_services

    known = nominate("crime_asb").family
    parent = known.memberships.get(role="parent_carer").person
    family_services.person_update(
        actor=pw.coordinator,
        person=parent,
        family_id=known.pk,
        expected_version=parent.version,
        nino="JK123456C",
    )
    for status in ("screening", "not_eligible"):
        family_services.family_transition(actor=pw.coordinator, family=known, to_status=status)
    partner = pw.member.__class__.objects.create_user(
        "hv@example.test",
        "pw",
        full_name="Health Visitor",
        agency=pw.agencies["health"],
        roles=["partner_practitioner"],
    )
    assert (
        call(api, partner, "get", reverse("api:family-detail", args=[known.pk])).status_code == 404
    )
    member = (
        {"forename": "Someone", "surname": "Else", "nino": "JK 12 34 56 C"}
        if match_by == "nino"
        else {"forename": "ROBIN", "surname": "nominee", "dob": "1988-03-04"}
    )
    payload = {
        "family_name": "A family",
        "reason": "Worried",
        "members": [{**member, "role": "parent_carer"}],
        "consent_given_on": TODAY.isoformat(),
        "consent_given_by": 0,
        "local_authority": known.local_authority_id,
    }
    before = (set(known.memberships.values_list("person_id", flat=True)), known.consents.count())
    response = call(api, partner, "post", reverse("eligibility-api:nomination-list"), payload)
    assert response.status_code == 201, response.data
    assert set(response.data) == {"id", "reference", "route", "stage", "submitted_at"}
    assert response.data["stage"] == "received"
    known.refresh_from_db()
    assert known.status == "not_eligible"
    assert (
        set(known.memberships.values_list("person_id", flat=True)),
        known.consents.count(),
    ) == before
    nomination = Nomination.objects.get(pk=response.data["id"])
    assert nomination.family_id != known.pk and not nomination.is_re_referral
