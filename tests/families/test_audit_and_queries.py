import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from families import services
from tafcase.audit.models import AuditEvent
from tests.conftest import assert_pdf_pages_marked, pdf_pages

pytestmark = pytest.mark.django_db


# --- audit ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs", "object_type"),
    [
        ("families:detail", lambda w: {"family_id": w.family.pk}, "families.family"),
        ("people:person", lambda w: {"person_id": w.parent.pk}, "families.person"),
    ],
)
def test_viewing_a_page_records_who_saw_what(client, world, name, kwargs, object_type):
    client.force_login(world.police)
    client.get(reverse(name, kwargs=kwargs(world)), REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.filter(action="viewed", object_type=object_type).get()
    assert event.actor == world.police
    assert event.actor_agency == world.agencies["police"]
    assert event.ip == "10.1.2.3"


@pytest.mark.parametrize(
    ("name", "pk", "object_type"),
    [
        ("api:family-detail", lambda w: w.family.pk, "families.family"),
        ("api:person-detail", lambda w: w.parent.pk, "families.person"),
        ("api:note-detail", lambda w: w.note.pk, "families.casenote"),
    ],
)
def test_viewing_through_the_api_is_audited(world, name, pk, object_type):
    client = APIClient()
    client.force_authenticate(world.lead)
    client.get(reverse(name, args=[pk(world)]))
    assert (
        AuditEvent.objects.filter(
            action="viewed", object_type=object_type, actor=world.lead
        ).count()
        == 1
    )


def test_refused_view_is_not_recorded_as_a_view(client, world):
    client.force_login(world.school)
    client.get(reverse("families:detail", args=[world.family.pk]))
    assert not AuditEvent.objects.filter(action="viewed", actor=world.school).exists()


def test_edit_records_before_and_after(client, world):
    client.force_login(world.lead)
    client.post(
        reverse("families:edit", args=[world.family.pk]),
        {
            "name": "Renamed family",
            "postcode": "NB1 2AB",
            "version": world.family.version,
            "lead_professional": world.lead.pk,
        },
    )
    event = AuditEvent.objects.filter(action="updated", object_type="families.family").get()
    assert event.changes == {"name": ["Testing family", "Renamed family"]}
    assert event.family_id == world.family.pk
    # The auditor reads it in words, with the family's reference.
    client.force_login(world.auditor)
    page = client.get(reverse("audit-log"), {"family": world.family.reference}).content.decode()
    assert "Name: Testing family → Renamed family" in page
    assert f"Family {world.family.reference}" in page


def test_every_service_write_leaves_an_event(world):
    before = AuditEvent.objects.count()
    services.note_add(
        actor=world.lead,
        family=world.family,
        contact_type="phone",
        contact_date=timezone.localdate(),
        text="x",
        confidentiality="normal",
    )
    services.involvement_set_paused(actor=world.lead, involvement=world.involvement, paused=True)
    services.consent_withdraw(
        actor=world.lead, consent=world.consent, withdrawn_on=timezone.localdate()
    )
    assert AuditEvent.objects.count() == before + 3


def test_auditors_search_the_trail_and_others_cannot(client, world):
    client.force_login(world.lead)
    client.get(reverse("families:detail", args=[world.family.pk]))
    client.force_login(world.auditor)
    response = client.get(
        reverse("audit-log"), {"family": world.family.reference, "actor": "lead@example.test"}
    )
    assert response.status_code == 200
    events = list(response.context["page"].object_list)
    assert events and all(e.family_id == world.family.pk for e in events)
    assert all(e.actor == world.lead for e in events)
    client.force_login(world.lead)
    assert client.get(reverse("audit-log")).status_code == 403


def test_audit_log_search_reads_references_and_any_dates_without_error(client, world):
    client.force_login(world.lead)
    client.get(reverse("families:detail", args=[world.family.pk]))
    client.get(reverse("families:caseload"))  # an event about no one family
    client.force_login(world.auditor)
    url = reverse("audit-log")

    def found(**params) -> int:
        response = client.get(url, params)
        assert response.status_code == 200, params
        return response.context["page"].paginator.count

    everything = found()
    assert found(family=world.family.reference) > 0
    # Not a reference: nothing, rather than every event with no family.
    assert found(family="Family of twelve") == 0
    # The widest dates a person can type read every event, without a server error.
    assert found(date_from="1 1 1000", date_to="31 12 9999") == everything
    assert found(date_to="1 1 1000") == 0


def test_subject_access_export_holds_the_person_and_nobody_else(client, world):
    services.note_add(
        actor=world.lead,
        family=world.family,
        contact_type="phone",
        contact_date=timezone.localdate(),
        text="About Kit only.",
        confidentiality="normal",
        people=[world.child],
    )
    client.force_login(world.coordinator)
    client.get(reverse("people:person", args=[world.parent.pk]))
    response = client.get(reverse("people:person-sar-json", args=[world.parent.pk]))
    assert response.status_code == 200
    export = json.loads(response.content)
    assert export["person"]["forename"] == "Dana"
    assert export["person"]["nhs_number"] == "9434765919"
    assert [m["role"] for m in export["family_memberships"]] == ["Parent or carer"]
    assert [n["text"] for n in export["case_notes"]] == ["Visited the family."]
    assert len(export["consents_given"]) == 1
    assert any(e["action"] == "Viewed" for e in export["record_access"])
    text = json.dumps(export)
    assert "Kit" not in text
    assert "About Kit only" not in text
    assert AuditEvent.objects.filter(action="exported", object_id=str(world.parent.pk)).exists()


def test_subject_access_export_withholds_restricted_notes_and_lists_family_page_views(
    client, world
):
    services.note_add(
        actor=world.police,
        family=world.family,
        contact_type="phone",
        contact_date=timezone.localdate(),
        text="Police intelligence: restricted.",
        confidentiality="restricted",
        people=[world.parent],
    )
    client.force_login(world.lead)
    client.get(reverse("families:detail", args=[world.family.pk]))
    client.force_login(world.coordinator)
    export = json.loads(
        client.get(reverse("people:person-sar-json", args=[world.parent.pk])).content
    )
    assert "Police intelligence" not in json.dumps(export)
    assert export["withheld"] == [{"agency": "Police", "records": "1 case note"}]
    # Each record in words, a family by its reference.
    family_views = [
        e for e in export["record_access"] if e["record"] == f"Family {world.family.reference}"
    ]
    assert any(e["agency"] == "Early Help" for e in family_views)


def test_subject_access_pdf_is_a_pdf(client, world):
    client.force_login(world.lead)
    client.get(reverse("families:detail", args=[world.family.pk]))
    client.force_login(world.coordinator)
    response = client.get(reverse("people:person-sar-pdf", args=[world.parent.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert_pdf_pages_marked(
        pdf_pages(response.content),
        title="Subject access export: Dana Testing",
        marking="OFFICIAL-SENSITIVE",
    )
    text = " ".join(pdf_pages(response.content))
    # Dates read as words, never as ISO text.
    assert "2 January 1990" in text and "1990-01-02" not in text
    assert f"{timezone.localdate():%-d %B %Y}" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    # Records in words, a family by its reference, not codes.
    assert f"Viewed Family {world.family.reference}" in text and "families.family" not in text


# --- constant query counts --------------------------------------------------------------


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = fn()
    assert response.status_code == 200
    return len(queries)


def _families_for(world, make_family, n: int) -> None:
    for index in range(n):
        family = make_family(
            world.coordinator,
            n_members=2,
            name=f"Bulk family {index}",
            lead_professional=world.lead,
        )
        person = family.memberships.first().person
        services.consent_record(
            actor=world.coordinator,
            family=family,
            given_by=person,
            given_on=timezone.localdate(),
            scope="share_taf",
        )
        services.involvement_add(
            actor=world.coordinator,
            family=family,
            agency=world.agencies["police"],
            role="Police",
            statutory=False,
            started_on=timezone.localdate(),
        )
        services.note_add(
            actor=world.lead,
            family=family,
            contact_type="phone",
            contact_date=timezone.localdate(),
            text="n",
            confidentiality="normal",
        )


PAGES = [
    ("caseload", lambda c: c.get(reverse("families:caseload") + "?show=all")),
    ("search", lambda c: c.get(reverse("families:search"), {"q": "Another"})),
]
API_LISTS = [
    "api:family-list",
    "api:person-list",
    "api:membership-list",
    "api:consent-list",
    "api:involvement-list",
    "api:note-list",
]


@pytest.mark.parametrize("user_name", ["lead", "police", "coordinator"])
def test_lists_use_the_same_number_of_queries_for_1_and_50_families(
    client, world, make_family, user_name
):
    user = getattr(world, user_name)
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)

    def counts():
        return [_count(lambda fetch=fetch: fetch(client)) for _, fetch in PAGES] + [
            _count(lambda name=name: api.get(reverse(name))) for name in API_LISTS
        ]

    _families_for(world, make_family, 1)
    counts()  # warm up: the forced API user caches the authorities it serves
    small = counts()
    _families_for(world, make_family, 49)
    large = counts()
    assert small == large


def test_family_page_uses_the_same_number_of_queries_for_few_and_many_records(client, world):
    client.force_login(world.lead)
    client.get(reverse("home"))  # a session's first request also checks two-factor, once
    url = reverse("families:detail", args=[world.family.pk])
    small = _count(lambda: client.get(url))
    for index in range(25):
        services.member_add(
            actor=world.lead,
            family=world.family,
            role="child",
            forename=f"C{index}",
            surname="Testing",
        )
        services.note_add(
            actor=world.lead,
            family=world.family,
            contact_type="phone",
            contact_date=timezone.localdate(),
            text=f"note {index}",
            confidentiality="normal",
            people=[world.parent],
        )
    assert _count(lambda: client.get(url)) == small
