"""The claim outputs (outcomes.claims.exports): the claim schedule PDF, the evidence pack
and the CSV return, who may download them, and the audit rows they write."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from pypdf import PdfReader

from eligibility.selectors import criteria_choices
from families import services as family_services
from families.models import Family
from outcomes import services as casework_services
from outcomes.claims import exports
from outcomes.claims import services as claim_services
from outcomes.claims.models import Claim
from tafcase.audit.models import AuditEvent
from tafcase.documents import services as document_services
from tafcase.documents.models import Document
from tests.conftest import assert_pdf_pages_marked, pdf_pages
from tests.conftest import pdf_text as raw_pdf_text
from tests.families.conftest import TODAY, World, make_family, world  # noqa: F401
from tests.outcomes.conftest import active  # noqa: F401
from tests.outcomes.test_claims import open_window, run, validate_all

pytestmark = pytest.mark.django_db

NEED = {
    "code": "crime_asb",
    "label": "Crime or anti-social behaviour",
    "met": True,
    "local": False,
    "explanation": "A child had a proven offence in the 12 months before attachment.",
    "evidence": [
        {
            "kind": "police_offences",
            "record_id": "PNC-4471",
            "date": (TODAY - timedelta(days=200)).isoformat(),
            "person_id": None,
            "audit_sample": False,
        }
    ],
}
OUTCOME = {
    "code": "crime_asb",
    "label": "Offending reduced",
    "holds": True,
    "explanation": "No proven offence in the last six months.",
    "clears_on": (TODAY - timedelta(days=10)).isoformat(),
    "evidence": [
        {
            "kind": "police_offences",
            "record_id": "PNC-9902",
            "date": (TODAY - timedelta(days=30)).isoformat(),
            "person_id": None,
            "audit_sample": True,
        }
    ],
}


@pytest.fixture
def claimed(team):
    """The team's window with its three attachment-fee claims, the family's claim made a
    sustained-progress one with a need at attachment and an outcome with evidence, and
    the family's casework (an assessment with scores, a goal, a review)."""
    window = open_window(team)
    run(team, window)
    claim = Claim.objects.get(window=window, family=team.family)
    snapshot = dict(claim.snapshot)
    snapshot["needs_at_attachment"] = [NEED]
    snapshot["result"] = {
        **snapshot["result"],
        "code": "sustained_progress",
        "label": "Sustained and significant progress",
        "explanation": "Every problem at attachment has improved and held for six months.",
        "outcomes": [OUTCOME],
        "evidence": OUTCOME["evidence"],
    }
    Claim.objects.filter(pk=claim.pk).update(
        snapshot=snapshot,
        result_code="sustained_progress",
        result_label="Sustained and significant progress",
        slot="results",
        amount=800,
        sustained_from=claim.attachment_date,
        sustained_to=TODAY,
        flags=["recorded_evidence_only"],
    )
    family = team.family
    assessment = casework_services.assessment_start(actor=team.lead, family=family)
    casework_services.assessment_save(
        actor=team.lead,
        assessment=assessment,
        expected_version=1,
        scores=[{"person": None, "domain": "family.housing", "score": 4, "rationale": ""}],
        complete=True,
    )
    casework_services.goal_add(
        actor=team.lead,
        family=family,
        title="Keep out of trouble",
        criterion="crime_asb",
        target="No offences for six months",
    )
    casework_services.review_record(
        actor=team.lead,
        family=family,
        held_on=TODAY,
        decisions="Carry on with the youth work sessions.",
        attendees=[team.agencies["police"]],
    )
    team.window = window
    team.claim = Claim.objects.get(pk=claim.pk)
    return team


def pdf_text(pdf: bytes) -> str:
    """The PDF's words with table cells' line wrapping undone."""
    return " ".join(raw_pdf_text(pdf).split())


def download(client, user, url, data=None):
    """An output as its user gets it: the CSV at once; a PDF asked for with a POST, made by
    the worker (here, in the test), then fetched with its document page's download link."""
    client.force_login(user)
    if url.endswith(".csv"):
        return client.get(url)
    asked = client.post(url, data or {})
    if asked.status_code != 302:
        return asked
    document_id = resolve(asked["Location"]).kwargs["document_id"]
    assert client.get(asked["Location"]).status_code == 200  # the progress page
    document_services.document_build(document_id=document_id)
    return client.get(reverse("documents:file", args=[document_id]))


def packs_url():
    return reverse("claims:evidence-packs")


def schedule_url(window):
    return reverse("claims:schedule-pdf", args=[window.pk])


def return_url(window):
    return reverse("claims:return-csv", args=[window.pk])


def pack_url(claim):
    return reverse("claims:evidence-pack", args=[claim.pk])


# --- the claim schedule ---------------------------------------------------------------


def test_schedule_pdf_has_the_header_totals_a_row_per_claim_and_the_sign_off(
    client, claimed, settings
):
    settings.PROGRAMME_NAME = "Brighter Futures"
    w = claimed
    validate_all(w, w.window)
    response = download(client, w.coordinator, schedule_url(w.window))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    text = pdf_text(response.content)
    for words in (
        "Brighter Futures: claim schedule",
        "Testshire Council (E99000099)",
        "TF2015",
        "Quarter 3",
        TODAY.strftime("%-d %B %Y"),
        "Open",
        "Generated",
    ):
        assert words in text, words
    # Totals by result: two attachment fees and one sustained-progress claim.
    assert "Attachment fee" in text and "Sustained and significant progress" in text
    assert "£2,800" in text
    for claim in Claim.objects.filter(window=w.window):
        assert claim.reference in text and claim.family.reference in text
    assert "Crime or anti-social behaviour" in text
    for block in ("Programme coordinator", "Internal audit", "Senior responsible officer"):
        assert block in text
    assert text.count("Signature") == 3
    assert "Page 1 of" in text
    assert "Troubled" not in text


def test_a_schedule_made_in_parts_reads_as_one_numbered_document(client, claimed, monkeypatch):
    """Parts keep memory bounded: here one claim per part. The header and totals come
    once at the start, the sign-off once at the end, every claim once, and the pages are
    numbered across the parts."""
    monkeypatch.setattr(exports, "SCHEDULE_PART_ROWS", 1)
    w = claimed
    claims = list(Claim.objects.filter(window=w.window))
    assert len(claims) == 3
    response = download(client, w.coordinator, schedule_url(w.window))
    pdf = response.content
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 3
    text = pdf_text(pdf)
    assert text.count(": claim schedule") == 1 and text.count("Totals") == 1
    assert text.count("Senior responsible officer") == 1
    for claim in claims:
        assert text.count(claim.reference) == 1
    # Numbered across the parts, each page with the schedule's name in its header.
    assert_pdf_pages_marked(
        pdf_pages(pdf), title="Claim schedule: Testshire Council", marking="OFFICIAL-SENSITIVE"
    )
    assert text.index("Totals") < text.index(claims[0].reference)
    assert text.rindex(claims[-1].reference) < text.index("Senior responsible officer")


def test_needs_added_after_attachment_are_printed_in_words(client, claimed):
    w = claimed
    snapshot = {**w.claim.snapshot, "needs_added": ["education", "worklessness"]}
    Claim.objects.filter(pk=w.claim.pk).update(snapshot=snapshot)
    labels = dict(criteria_choices(w.family.local_authority))
    for url in (schedule_url(w.window), pack_url(w.claim)):
        text = pdf_text(download(client, w.coordinator, url).content)
        assert f"{labels['education']}, {labels['worklessness']}" in text, url
        assert "education, worklessness" not in text, url


def test_schedule_shows_the_sample_and_audit_result(client, claimed):
    w = claimed
    validate_all(w, w.window)
    chosen = claim_services.window_sample_draw(actor=w.coordinator, window=w.window, seed=1)
    claim_services.claim_audit_decide(
        actor=w.auditor, claim=Claim.objects.get(pk=chosen[0]), passed=True, note="Fine"
    )
    text = pdf_text(download(client, w.auditor, schedule_url(w.window)).content)
    assert "Sampled: passed" in text and "Not sampled" in text
    assert "Audit sample drawn" in text


def test_schedule_of_many_claims_costs_the_same_queries_as_of_few(client, claimed):
    w = claimed
    client.force_login(w.coordinator)

    def build() -> CaptureQueriesContext:
        asked = client.post(schedule_url(w.window))
        document_id = resolve(asked["Location"]).kwargs["document_id"]
        with CaptureQueriesContext(connection) as queries:
            built = document_services.document_build(document_id=document_id)
        assert built is not None and built.status == "ready"
        return queries

    build()  # warm the template cache
    few = build()
    # Twenty more claims: copies of one with other families attached.
    claim = Claim.objects.filter(window=w.window).first()
    for n in range(20):
        family = family_services.family_create(
            actor=w.coordinator, local_authority=w.family.local_authority, name=f"More {n}"
        )
        Family.objects.filter(pk=family.pk).update(programme_start=claim.attachment_date)
        claim.pk = None
        claim.family_id = family.pk
        claim.save()
    assert len(build()) == len(few)


# --- the evidence pack ----------------------------------------------------------------


def test_evidence_pack_answers_the_three_questions(client, claimed):
    w = claimed
    response = download(client, w.auditor, pack_url(w.claim))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for words in (
        f"Evidence pack: claim {w.claim.reference}",
        "1. Was the family eligible?",
        "Crime or anti-social behaviour",
        "PNC-4471",  # the need's source record
        "2. Was the work whole-family?",
        w.lead.full_name,
        "Keep out of trouble",
        "Police",  # on the Team Around the Family and at the review
        "Carry on with the youth work sessions.",
        "3. Is there evidence for the result?",
        "Offending reduced: achieved",
        "PNC-9902",  # the outcome's evidence
        "Recorded by a practitioner",
        f"Sustained from {w.claim.attachment_date.strftime('%-d %B %Y')}",
        "Distance travelled",
        "A need met only by practitioners' recorded evidence",
    ):
        assert words in text, words
    assert "No distance-travelled scores recorded." not in text
    assert "Troubled" not in text
    assert_pdf_pages_marked(
        pdf_pages(response.content),
        title=f"Evidence pack: claim {w.claim.reference}",
        marking="OFFICIAL-SENSITIVE",
    )


def test_evidence_pack_for_a_list_of_claims_has_a_section_each(client, claimed):
    w = claimed
    claims = list(Claim.objects.filter(window=w.window).order_by("pk"))
    ids = ",".join(str(c.pk) for c in claims)
    response = download(client, w.coordinator, packs_url(), {"claims": ids})
    assert response.status_code == 200
    text = pdf_text(response.content)
    for claim in claims:
        assert f"Evidence pack: claim {claim.reference}" in text
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORTED, object_type="outcomes.claim"
    )
    assert sorted(e.family_ids[0] for e in events) == sorted(c.family_id for c in claims)


@pytest.mark.parametrize("claims", ["", "1,x", "1;2", "-1", " ", "CLM-", "１２"])
def test_evidence_pack_list_that_is_not_claim_numbers_is_a_bad_request(client, claimed, claims):
    response = download(client, claimed.coordinator, packs_url(), {"claims": claims})
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_evidence_pack_list_takes_references_as_shown_on_the_pages(client, claimed):
    w = claimed
    claims = list(Claim.objects.filter(window=w.window).order_by("pk"))
    text = ", ".join(c.reference.lower() if n else c.reference for n, c in enumerate(claims))
    response = download(client, w.coordinator, packs_url(), {"claims": text})
    assert response.status_code == 200
    assert Document.objects.get().params == {"claim_ids": [c.pk for c in claims]}


def test_evidence_pack_list_with_a_claim_the_user_cannot_see_is_404(client, claimed):
    w = claimed
    response = download(client, w.coordinator, packs_url(), {"claims": f"{w.claim.pk},999999"})
    assert response.status_code == 404 and not Document.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_evidence_pack_list_is_limited(client, claimed, settings):
    ids = ",".join(str(n) for n in range(1, exports.EVIDENCE_PACK_LIMIT + 2))
    assert download(client, claimed.coordinator, packs_url(), {"claims": ids}).status_code == 400


# --- the CSV return -------------------------------------------------------------------


def test_csv_return_has_the_columns_in_order_and_a_row_per_claim(client, claimed):
    w = claimed
    validate_all(w, w.window)
    rejected = Claim.objects.filter(window=w.window).exclude(pk=w.claim.pk).first()
    Claim.objects.filter(pk=rejected.pk).update(
        status=Claim.Status.REJECTED, rejection_reason='=HYPERLINK("http://evil","x")'
    )
    response = download(client, w.coordinator, return_url(w.window))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert ", ".join(rows[0]) == (
        "la_code, framework, framework_version, window, cutoff_date, claim_id, family_ref, "
        "attachment_date, closure_date, sustained_from, sustained_to, result_type, "
        "needs_at_attachment, needs_added, outcome_per_need, recorded_evidence_only, "
        "discretionary, amount_gbp, validated_by, validated_at, audit_sampled, "
        "audit_result, audited_by, audited_at, status, rejection_reason"
    )
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert len(body) == Claim.objects.filter(window=w.window).count() == 3
    mine = next(r for r in body if r["claim_id"] == w.claim.reference)
    assert mine["la_code"] == "E99000099" and mine["framework"] == "TF2015"
    assert mine["family_ref"] == w.family.reference
    assert w.family.name not in response.content.decode()
    assert mine["cutoff_date"] == TODAY.isoformat()
    assert mine["attachment_date"] == w.claim.attachment_date.isoformat()
    assert mine["sustained_to"] == TODAY.isoformat()
    assert mine["result_type"] == "sustained_progress"
    assert mine["needs_at_attachment"] == "crime_asb"
    assert mine["outcome_per_need"] == "crime_asb=held"
    assert mine["recorded_evidence_only"] == "yes" and mine["discretionary"] == "no"
    assert mine["amount_gbp"] == "800"
    assert mine["validated_by"] == w.coordinator.full_name and mine["validated_at"]
    assert mine["audit_sampled"] == "no" and mine["status"] == "validated"
    neutralised = next(r for r in body if r["claim_id"] == rejected.reference)
    assert neutralised["rejection_reason"] == '\'=HYPERLINK("http://evil","x")'
    assert neutralised["status"] == "rejected"


# --- who may download, and the audit trail ----------------------------------------------


def test_programme_team_and_auditor_download_every_output(client, claimed):
    w = claimed
    for user in (w.coordinator, w.auditor):
        for url in (schedule_url(w.window), return_url(w.window), pack_url(w.claim)):
            assert download(client, user, url).status_code == 200, (user, url)


def test_manager_and_everyone_else_get_404(client, claimed):
    """The manager declares from totals and never sees names; workers on the family,
    partners and other authorities' coordinators see no claim outputs."""
    w = claimed
    urls = [schedule_url(w.window), return_url(w.window), pack_url(w.claim)]
    for user in (w.manager, w.lead, w.police, w.school, w.other_coordinator, w.elsewhere):
        for url in urls:
            assert download(client, user, url).status_code == 404, (user, url)
        response = download(client, user, packs_url(), {"claims": str(w.claim.pk)})
        assert response.status_code == 404, user
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()
    assert not Document.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, claimed):
    w = claimed
    for url in (schedule_url(w.window), pack_url(w.claim), packs_url()):
        response = client.post(url, {"claims": str(w.claim.pk)})
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    response = client.get(return_url(w.window))
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    assert not Document.objects.exists()


def test_every_export_writes_an_exported_row_naming_the_families(client, claimed):
    w = claimed
    families = set(Claim.objects.filter(window=w.window).values_list("family_id", flat=True))
    for url in (schedule_url(w.window), return_url(w.window)):
        download(client, w.coordinator, url)
    rows = AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORTED, object_type="outcomes.claimwindow"
    ).order_by("pk")
    assert [r.summary.split(" of ")[0] for r in rows] == ["Claim schedule", "Claim return"]
    for row in rows:
        assert row.actor == w.coordinator and set(row.family_ids) == families
        assert row.object_id == str(w.window.pk)
    download(client, w.auditor, pack_url(w.claim))
    pack = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED, object_type="outcomes.claim")
    assert pack.family_id == w.family.pk and pack.actor == w.auditor
