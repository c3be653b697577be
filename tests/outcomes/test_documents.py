"""Prepared documents (tafcase.documents): long PDFs made by the worker, kept for their
requester only, while they may still see what the document is about; built once however
often delivered; failures and dead workers shown in words; old documents deleted."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import resolve, reverse
from django.utils import timezone

from outcomes.claims import documents as claim_documents
from tafcase.accounts.models import Role
from tafcase.audit.models import AuditEvent
from tafcase.documents import kinds, services
from tafcase.documents.access import document_for_user
from tafcase.documents.models import Document
from tests.outcomes.test_claims import open_window, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(client, team):
    """The coordinator has asked for a window's claim schedule."""
    window = open_window(team)
    run(team, window)
    client.force_login(team.coordinator)
    response = client.post(reverse("claims:schedule-pdf", args=[window.pk]))
    team.document = Document.objects.get(pk=resolve(response["Location"]).kwargs["document_id"])
    team.window = window
    return team


def urls(document):
    return [
        reverse("documents:document", args=[document.pk]),
        reverse("documents:progress", args=[document.pk]),
        reverse("documents:file", args=[document.pk]),
    ]


def test_the_page_shows_progress_until_the_worker_has_made_it_then_the_download(client, asked):
    page, progress, file = urls(asked.document)
    waiting = client.get(page).content.decode()
    assert "Waiting to start" in waiting and 'id="progress"' in waiting
    assert client.get(progress).json() == {
        "status": "queued",
        "stage": "Waiting to start",
        "percent": 0,
    }
    assert client.get(file).status_code == 404  # not ready yet
    built = services.document_build(document_id=asked.document.pk)
    assert built is not None and built.status == "ready" and built.size > 1000
    ready = client.get(page).content.decode()
    assert "Your document is ready" in ready and "claim-schedule-" in ready
    response = client.get(file)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert "attachment" in response["Content-Disposition"]
    row = AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEWED, object_type="documents.document"
    ).get()
    assert row.actor == asked.coordinator and row.summary.startswith("Downloaded Claim schedule")


def test_progress_is_written_as_the_worker_goes(asked):
    seen = []
    real = kinds.kind(claim_documents.SCHEDULE)

    def watching(document, progress):
        def report(stage, percent):
            progress(stage, percent)
            seen.append(Document.objects.values_list("stage", "percent").get(pk=document.pk))

        return real.build(document, report)

    kinds.register(claim_documents.SCHEDULE, kinds.Kind(watching, real.allowed, real.back_url))
    try:
        services.document_build(document_id=asked.document.pk)
    finally:
        kinds.register(claim_documents.SCHEDULE, real)
    stages = [stage for stage, _ in seen]
    assert stages == [
        "Gathering the claims",
        "Laying out claims 1 to 3 of 3",
        "Numbering the pages",
    ]
    assert [p for _, p in seen] == sorted(p for _, p in seen)


def test_delivered_twice_it_is_built_once(asked):
    assert services.document_build(document_id=asked.document.pk) is not None
    assert services.document_build(document_id=asked.document.pk) is None
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.EXPORTED, object_type="outcomes.claimwindow"
        ).count()
        == 1
    )


def test_only_the_requester_reaches_it(client, asked, make_user):
    services.document_build(document_id=asked.document.pk)
    colleague = asked.second  # another coordinator of the same authority
    outsiders = [colleague, asked.auditor, asked.lead, asked.police, asked.other_coordinator]
    for user in outsiders:
        client.force_login(user)
        for url in urls(asked.document):
            assert client.get(url).status_code == 404, (user, url)


def test_anonymous_is_sent_to_sign_in(client, asked):
    client.logout()
    for url in urls(asked.document):
        response = client.get(url)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


def test_access_withdrawn_since_hides_the_document(client, asked):
    services.document_build(document_id=asked.document.pk)
    asked.coordinator.roles = [Role.KEY_WORKER]
    asked.coordinator.save()
    client.force_login(asked.coordinator)
    for url in urls(asked.document):
        assert client.get(url).status_code == 404, url


def test_nobody_changes_a_document(asked):
    with pytest.raises(PermissionDenied):
        document_for_user(asked.coordinator, asked.document.pk, write=True)
    with pytest.raises(Http404):
        document_for_user(asked.coordinator, "1; drop table", write=False)


@pytest.mark.parametrize("document_id", ["0", "99999999999999999999999", "12345"])
def test_ids_that_name_no_document_are_404(client, asked, document_id):
    for tail in ("", "progress.json", "file"):
        assert client.get(f"/documents/{document_id}/{tail}").status_code == 404, tail


def test_a_build_that_fails_says_so_in_words_without_personal_data(client, asked, caplog):
    real = kinds.kind(claim_documents.SCHEDULE)

    def broken(document, progress):
        raise ValueError("Family Smith of 1 Acacia Avenue")

    kinds.register(claim_documents.SCHEDULE, kinds.Kind(broken, real.allowed, real.back_url))
    try:
        assert services.document_build(document_id=asked.document.pk) is None
    finally:
        kinds.register(claim_documents.SCHEDULE, real)
    asked.document.refresh_from_db()
    assert asked.document.status == "failed" and "ValueError" in asked.document.error
    assert "Smith" not in asked.document.error
    assert all("Smith" not in r.getMessage() for r in caplog.records)
    page = client.get(urls(asked.document)[0]).content.decode()
    assert "could not be made" in page and "Ask for it again" in page


def test_the_sweep_deletes_old_documents_and_fails_those_whose_worker_died(asked, settings):
    now = timezone.now()
    stale = now - timedelta(minutes=settings.DOCUMENT_TIMEOUT_MINUTES + 1)
    Document.objects.filter(pk=asked.document.pk).update(status="running", heartbeat_at=stale)
    old = Document.objects.create(
        kind=claim_documents.SCHEDULE,
        title="Old",
        filename="old.pdf",
        requested_by=asked.coordinator,
        local_authority=asked.family.local_authority,
        requested_at=now - timedelta(hours=settings.DOCUMENT_KEEP_HOURS + 1),
    )
    assert services.documents_sweep(now=now) == {"deleted": 1, "failed": 1}
    assert not Document.objects.filter(pk=old.pk).exists()
    asked.document.refresh_from_db()
    assert asked.document.status == "failed" and "stopped responding" in asked.document.error
    # The worker that wakes up afterwards writes nothing.
    assert services.document_build(document_id=asked.document.pk) is None
    assert services.documents_sweep(now=now) == {"deleted": 0, "failed": 0}
