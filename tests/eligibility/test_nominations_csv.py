"""The nominations list as CSV: the same nominations as the page with the same filter,
every one not a page, cells made safe, recorded in the audit log as exported; and the
caseload and casework-due CSVs recorded as exported too."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eligibility import services
from tafcase.audit.models import AuditEvent
from tests.eligibility.conftest import TODAY

pytestmark = pytest.mark.django_db

CSV = "eligibility:nominations-csv"


def rows(client, params=None) -> list[list[str]]:
    response = client.get(reverse(CSV), params or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="nominations-')
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_coordinator_gets_every_nomination_filtered_as_the_page(client, pw, nominate):
    waiting = [nominate("crime_asb", surname=f"Waiting{i}") for i in range(3)]
    screened = nominate("crime_asb", "health", surname="Screened")
    services.nomination_screen(actor=pw.coordinator, nomination=screened, outcome="eligible")
    client.force_login(pw.coordinator)
    got = rows(client, {"stage": "submitted"})
    assert got[0][:2] == ["Nomination", "Family reference"]
    assert [r[0] for r in got[1:]] == [n.reference for n in waiting]
    first = got[1]
    assert first[1] == waiting[0].family.reference
    assert first[2] == "Referral by a practitioner" and first[3] == "School"
    assert first[4] == "Awaiting screening" and first[5] == TODAY.isoformat() and first[6] == "0"
    assert [r[0] for r in rows(client, {"stage": "eligible"})[1:]] == [screened.reference]
    # The page's default (open nominations) and a stage that means nothing (everything).
    assert len(rows(client)) == 1 + 4
    assert len(rows(client, {"stage": "nonsense"})) == 1 + 4
    # Text that means nothing never reaches the file name (a header): no error either.
    response = client.get(reverse(CSV), {"stage": 'x"\r\nSet-Cookie: a=b'})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="nominations-all-{TODAY}.csv"'


def test_export_is_audited_as_exported_naming_the_families(client, pw, nominate):
    nomination = nominate("crime_asb")
    client.force_login(pw.coordinator)
    rows(client)
    event = AuditEvent.objects.filter(object_type="nominations CSV").get()
    assert event.action == AuditEvent.Action.EXPORTED
    assert event.actor == pw.coordinator and event.summary == "Exported nominations CSV"
    assert event.family_ids == [nomination.family_id]
    client.get(reverse("eligibility:nominations"))
    listed = AuditEvent.objects.filter(object_type="nominations").get()
    assert listed.action == AuditEvent.Action.VIEWED


def test_referrer_gets_a_receipt_only(client, pw, nominate):
    nomination = nominate("crime_asb")
    client.force_login(pw.referrer)
    got = rows(client)
    assert got[1] == [
        nomination.reference,
        "Sent by you",
        "Referral by a practitioner",
        "",
        "Received",
        TODAY.isoformat(),
        "",
    ]
    assert nomination.family.reference not in str(got)


def test_other_agency_and_other_authority_get_nothing(client, pw, nominate):
    nominate("crime_asb")
    for user in (pw.kw1, pw.member, pw.outsider):
        client.force_login(user)
        assert len(rows(client, {"stage": "all"})) == 1, user


def test_read_only_auditor_may_download(client, pw, nominate):
    nomination = nominate("crime_asb")
    client.force_login(pw.auditor)
    assert [r[0] for r in rows(client)[1:]] == [nomination.reference]


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse(CSV))
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


def test_cells_that_look_like_formulae_are_neutralised(client, pw, nominate, authority):
    nomination = nominate("crime_asb")
    pw.agencies["school"].__class__.objects.filter(pk=pw.agencies["school"].pk).update(
        name="=HYPERLINK(1)"
    )
    client.force_login(pw.coordinator)
    got = rows(client)
    assert got[1][0] == nomination.reference and got[1][3] == "'=HYPERLINK(1)"


def test_query_count_does_not_grow_with_nominations(client, pw, nominate):
    nominate("crime_asb", surname="One")
    client.force_login(pw.coordinator)
    rows(client)  # a session's first request also checks two-factor, once
    with CaptureQueriesContext(connection) as one:
        rows(client)
    for i in range(5):
        nominate("crime_asb", surname=f"More{i}")
    with CaptureQueriesContext(connection) as six:
        assert len(rows(client)) == 1 + 6
    assert len(six) == len(one)
