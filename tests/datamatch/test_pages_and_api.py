"""Every data-match page and endpoint: data analysts and coordinators of the authority
only; everyone else 404, anonymous to sign-in (pages) or 401 (API)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from eligibility.datamatch import services
from eligibility.datamatch.generator import generate_quarter
from eligibility.datamatch.models import HouseholdResult, PartnerImport, ReviewItem
from eligibility.models import Nomination
from families.models import Person
from tests.datamatch.conftest import AS_OF, ASB_HEADER, csv_bytes

pytestmark = pytest.mark.django_db

BAD = csv_bytes(ASB_HEADER, "A1,Jo,Hale,2011-13-01,M,,2026-01-01,noise,victim")
GOOD = csv_bytes(ASB_HEADER, "A1,Jo,Hale,2011-12-01,M,,2026-01-01,noise,victim")


@pytest.fixture
def finished_run(tmp_path, team, authority, load):
    generated = generate_quarter(200, tmp_path, seed=9, as_of=AS_OF)
    for kind, path in generated.files.items():
        # A small synthetic population leaves some kinds header-only, on purpose.
        load(
            kind,
            Path(path).read_bytes(),
            agency=team.council if kind == "persons" else team.police,
            confirm_smaller=True,
        )
    first = services.run_start(
        actor=team.analyst, local_authority=authority, as_of=AS_OF, queue=False
    )
    services.run_execute(run_id=first.pk)
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
    run = services.run_start(
        actor=team.analyst, local_authority=authority, as_of=AS_OF, queue=False
    )
    return services.run_execute(run_id=run.pk)


def newly_eligible():
    """The first run found the households; the second, with the same data, finds none new."""
    return HouseholdResult.objects.filter(newly_eligible=True).order_by("pk").first()


def pages(run):
    item = ReviewItem.objects.filter(run=run).first()
    imported = PartnerImport.objects.first()
    return [
        reverse("datamatch:imports"),
        reverse("datamatch:import", args=[imported.pk]),
        reverse("datamatch:runs"),
        reverse("datamatch:run", args=[run.pk]),
        reverse("datamatch:run-progress", args=[run.pk]),
        reverse("datamatch:review"),
        reverse("datamatch:review-item", args=[item.pk]),
        reverse("datamatch-api:partner-import-list"),
        reverse("datamatch-api:datamatch-run-list"),
        reverse("datamatch-api:datamatch-run-detail", args=[run.pk]),
        reverse("datamatch-api:review-item-list"),
    ]


def test_page_and_endpoint_permissions(client, team, finished_run):
    urls = pages(finished_run)
    for user in (team.analyst, team.coordinator):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user, url)
    for user in (team.key_worker, team.partner, team.manager, team.auditor):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(reverse("datamatch:runs"), {"as_of": "2026-03-31"}).status_code == 404
    # Another authority's analyst: their own (empty) lists, and 404 for our records.
    client.force_login(team.outsider)
    for url in urls:
        response = client.get(url)
        if url.startswith("/api/") and url.endswith("s/"):
            assert response.json()["count"] == 0, url
        elif url in (reverse("datamatch:imports"), reverse("datamatch:runs")):
            assert response.status_code == 200
            assert urls[1].encode() not in response.content  # our import
            assert urls[3].encode() not in response.content  # our run
        elif url == reverse("datamatch:review"):
            assert b"Nothing to review" in response.content
        else:
            assert response.status_code == 404, url
    client.logout()
    for url in urls:
        response = client.get(url)
        expected = 401 if url.startswith("/api/") else 302
        assert response.status_code == expected, url


def test_upload_page_shows_row_errors_and_loads_nothing(client, team):
    client.force_login(team.analyst)
    data = {"kind": "asb", "agency": team.police.pk, "as_of": AS_OF.isoformat()}
    response = client.post(
        reverse("datamatch:imports"), {**data, "file": SimpleUploadedFile("asb.csv", BAD)}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The file was not loaded" in body and "2011-13-01" in body
    assert not PartnerImport.objects.exists()
    response = client.post(
        reverse("datamatch:imports"),
        {**data, "file": SimpleUploadedFile("asb.csv", GOOD)},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("datamatch:imports"),
        {**data, "file": SimpleUploadedFile("asb.csv", GOOD)},
        follow=True,
    )
    assert "already loaded" in response.content.decode()
    assert PartnerImport.objects.count() == 1


def test_valid_rows_only_and_rejected_download(client, team):
    client.force_login(team.analyst)
    mixed = csv_bytes(
        ASB_HEADER,
        "A1,Jo,Hale,2011-12-01,M,,2026-01-01,noise,victim",
        "A2,Jo,Hale,2011-13-01,M,,2026-01-01,noise,victim",
    )
    response = client.post(
        reverse("datamatch:imports"),
        {
            "kind": "asb",
            "agency": team.police.pk,
            "as_of": AS_OF.isoformat(),
            "valid_rows_only": "on",
            "file": SimpleUploadedFile("asb.csv", mixed),
        },
    )
    imported = PartnerImport.objects.get()
    assert response.status_code == 302 and imported.rejected_rows == 1
    download = client.get(reverse("datamatch:rejected-csv", args=[imported.pk]))
    assert download["Content-Type"].startswith("text/csv")
    assert b"A2,Jo,Hale,2011-13-01" in download.content


def test_run_page_reports_and_nominates_a_newly_eligible_household(client, team, finished_run):
    client.force_login(team.coordinator)
    body = client.get(reverse("datamatch:run", args=[finished_run.pk])).content.decode()
    assert "Link rates by method" in body and "Sources and how current they are" in body
    # Datasets and dates in words, not codes.
    assert "Anti-social behaviour" in body and ">asb<" not in body and ">Asb<" not in body
    assert AS_OF.isoformat() not in body and f"{AS_OF:%-d %B %Y}" in body
    household = newly_eligible()
    assert household is not None
    assert not finished_run.households.filter(newly_eligible=True).exists()
    response = client.post(reverse("datamatch:household-nominate", args=[household.pk]))
    nomination = Nomination.objects.get()
    assert response.status_code == 302
    assert nomination.route == Nomination.Route.DATA
    assert sorted(nomination.family.memberships.values_list("person_id", flat=True)) == sorted(
        household.person_ids
    )
    household.refresh_from_db()
    assert not household.newly_eligible and household.family == nomination.family


def test_review_page_decides_and_remembers(client, team, finished_run):
    item = ReviewItem.objects.get(run=finished_run, record__record_id="X1")
    client.force_login(team.analyst)
    url = reverse("datamatch:review-item", args=[item.pk])
    body = client.get(url).content.decode()
    assert "Who is record X1?" in body and "Doubtful" in body
    assert "likely to be the same person" in body or "Suggested because of an identifier" in body
    assert "How the linker weighed each detail" in body
    assert "chance that two records" not in body.split("govuk-details__text")[0]
    chosen = item.candidates[0]["person_id"]
    person = Person.objects.get(pk=chosen)
    found = client.get(url, {"q": f"{person.surname} {person.dob or ''}"}).content.decode()
    assert f"person id <strong>{chosen}</strong>" in found
    response = client.post(url, {"choice": str(chosen)})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "linked" and item.person_id == chosen


def test_api_upload_run_and_review(team, finished_run):
    api = APIClient()
    api.force_authenticate(team.analyst)
    response = api.post(
        reverse("datamatch-api:partner-import-list"),
        {
            "file": SimpleUploadedFile("asb.csv", BAD),
            "kind": "asb",
            "agency": team.police.pk,
            "as_of": AS_OF.isoformat(),
        },
        format="multipart",
    )
    assert response.status_code == 400
    first = response.data["errors"][0]
    assert (first["line"], first["column"]) == (2, "dob")
    assert not PartnerImport.objects.filter(agency=team.police, kind="asb", rows=1).exists()
    item = ReviewItem.objects.get(run=finished_run, record__record_id="X1")
    response = api.post(
        reverse("datamatch-api:review-item-decide", args=[item.pk]), {"person": None}, format="json"
    )
    assert response.status_code == 200 and response.data["status"] == "rejected"
    api.force_authenticate(team.outsider)
    assert (
        api.get(reverse("datamatch-api:datamatch-run-detail", args=[finished_run.pk])).status_code
        == 404
    )
    # Read-only roles writing: 403, before anything else is looked at.
    api.force_authenticate(team.auditor)
    response = api.post(reverse("datamatch-api:datamatch-run-list"), {"as_of": "2026-03-31"})
    assert response.status_code == 403


def test_family_page_shows_partner_evidence_to_key_workers(client, team, finished_run):
    household = newly_eligible()
    nomination = services.nomination_from_household(actor=team.coordinator, household=household)
    family = nomination.family
    client.force_login(team.coordinator)
    body = client.get(reverse("families:detail", args=[family.pk])).content.decode()
    assert "Partner data" in body and "as of" in body


def test_two_authority_analyst_sees_each_authoritys_data_only_there(
    client, team, finished_run, authority, other_authority
):
    team.analyst.authorities.set([authority, other_authority])
    url = reverse("datamatch:run", args=[finished_run.pk])
    client.force_login(team.analyst)
    assert client.get(url)["Location"].startswith(reverse("choose-authority"))
    client.post(reverse("choose-authority"), {"authority": authority.pk})
    assert client.get(url).status_code == 200
    client.post(reverse("choose-authority"), {"authority": other_authority.pk})
    assert client.get(url).status_code == 404
    api = APIClient()
    api.force_login(team.analyst)
    api_url = reverse("datamatch-api:datamatch-run-detail", args=[finished_run.pk])
    assert api.get(api_url, HTTP_X_AUTHORITY=authority.code).status_code == 200
    assert api.get(api_url, HTTP_X_AUTHORITY=other_authority.code).status_code == 404


def test_home_counts_the_review_queue_of_the_current_run_only(client, team, finished_run):
    superseded = ReviewItem.objects.exclude(run=finished_run).filter(status=ReviewItem.Status.OPEN)
    assert superseded.exists()  # the first run's items, left open, are not waiting
    client.force_login(team.analyst)
    response = client.get(reverse("home"))
    figures = {
        f.label: f.value
        for section in response.context["sections"]
        for panel in section["live"]
        for f in panel["figures"]
    }
    queue = client.get(reverse("datamatch:review")).context["count"]
    assert figures["Possible links waiting for review"] == str(queue)
    assert queue == finished_run.reviews.filter(status=ReviewItem.Status.OPEN).count() > 0
