"""A claim window from opening to submission in a real browser, with axe-core on every
page: the coordinator opens a window, runs it and watches its progress, validates and
draws the sample; internal audit passes and fails sampled claims; the manager declares;
the coordinator submits, then prepares the claim schedule PDF (made by the worker while
the page shows progress; its text read with pdftotext) and downloads the CSV return."""

import base64
import csv
import io
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.utils import timezone
from selenium.common.exceptions import JavascriptException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from outcomes import tasks as outcome_tasks
from outcomes.claims import exports
from outcomes.claims import services as claim_services
from outcomes.claims.models import Claim, ClaimWindow
from tafcase.documents import services as document_services
from tafcase.documents import tasks as document_tasks
from tests.browser.conftest import check_page, sign_in, wait_for_new_page
from tests.browser.test_families import click_link, open_nav, set_date, submit, type_into
from tests.conftest import pdf_text
from tests.families.conftest import make_family, world  # noqa: F401
from tests.outcomes.conftest import active, team  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

_FETCH = """
const [url, done] = arguments;
fetch(url, {credentials: 'same-origin'}).then(async (r) => {
  const bytes = new Uint8Array(await r.arrayBuffer());
  let text = ''; for (const b of bytes) { text += String.fromCharCode(b); }
  done({status: r.status, type: r.headers.get('Content-Type'), body: btoa(text)});
});
"""


def fetch(browser, url: str) -> tuple[int, str, bytes]:
    """A download as the signed-in browser gets it."""
    got = browser.execute_async_script(_FETCH, url)
    return got["status"], got["type"], base64.b64decode(got["body"])


def submit_starting(browser, prefix: str) -> None:
    page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.XPATH, f"//button[starts-with(normalize-space(), '{prefix}')]").click()
    wait_for_new_page(browser, page)


def wait_for_text(browser, text: str, timeout: float = 15) -> None:
    """Wait for the page (which polls the worker's progress and reloads) to show `text`."""
    # Read through a script: an element found just before the page reloads goes stale.
    WebDriverWait(
        browser, timeout, ignored_exceptions=(StaleElementReferenceException, JavascriptException)
    ).until(
        lambda d: (
            text in (d.execute_script("return document.body && document.body.innerText") or "")
        )
    )


def sign_out_and_in(browser, live_server, user) -> None:
    browser.delete_all_cookies()
    sign_in(browser, live_server, user)


def test_a_claim_window_from_opening_to_the_signed_schedule(
    browser,
    live_server,
    team,  # noqa: F811
):
    w = team
    today = timezone.localdate()
    queued_runs: list[int] = []
    queued_documents: list[int] = []
    with (
        patch.object(outcome_tasks.claim_run, "delay", side_effect=queued_runs.append),
        patch.object(document_tasks.document_build, "delay", side_effect=queued_documents.append),
    ):
        # The coordinator opens a window, every claim to be sampled.
        sign_in(browser, live_server, w.coordinator)
        open_nav(browser, "Claims")
        check_page(browser)
        type_into(browser, "name", "Quarter 3 2026")
        set_date(browser, "cutoff_date", today)
        set_date(browser, "deadline", today + timedelta(days=30))
        type_into(browser, "sample_percent", "100")
        submit(browser, "Open the window")
        check_page(browser)
        window = ClaimWindow.objects.get(name="Quarter 3 2026")
        assert f"/claims/{window.pk}/" in browser.current_url

        # Runs it, and sees the worker's progress until the page shows the claims.
        submit(browser, "Run: propose claims")
        assert "Waiting to start" in browser.find_element(By.ID, "progress").text
        check_page(browser)
        assert len(queued_runs) == 1
        claim_services.claim_run_execute(run_id=queued_runs[0])  # the worker
        wait_for_text(browser, "3 claims in the window")
        check_page(browser)

        # Validates one claim on its own page, then the rest at once, and draws the sample.
        first = Claim.objects.filter(window=window).order_by("pk").first()
        click_link(browser, first.reference)
        check_page(browser)
        submit(browser, "Validate this claim")
        browser.get(f"{live_server.url}/claims/{window.pk}/")
        submit_starting(browser, "Validate all 2 proposed claims")
        submit(browser, "Draw the audit sample")
        check_page(browser)
        assert Claim.objects.filter(window=window, sampled=True).count() == 3

        # Internal audit passes two sampled claims and fails one with a note.
        sign_out_and_in(browser, live_server, w.auditor)
        claims = list(Claim.objects.filter(window=window).order_by("pk"))
        for n, claim in enumerate(claims):
            browser.get(f"{live_server.url}/claims/claim/{claim.pk}/")
            check_page(browser)
            passed = n < 2
            browser.find_element(
                By.CSS_SELECTOR, f"input[name=decision][value={'pass' if passed else 'fail'}]"
            ).click()
            type_into(browser, "note", "Evidence checked." if passed else "No plan on file.")
            submit(browser, "Record the decision")
            check_page(browser)
        statuses = sorted(Claim.objects.filter(window=window).values_list("status", flat=True))
        assert statuses == ["audit_failed", "audit_passed", "audit_passed"]

        # The manager, seeing totals only, declares.
        sign_out_and_in(browser, live_server, w.manager)
        browser.get(f"{live_server.url}/claims/{window.pk}/")
        check_page(browser)
        assert first.family.name not in browser.page_source
        submit(browser, "Declare these totals")
        check_page(browser)

        # The coordinator submits and prepares the schedule for sign-off.
        sign_out_and_in(browser, live_server, w.coordinator)
        browser.get(f"{live_server.url}/claims/{window.pk}/")
        submit(browser, "Submit the claim")
        check_page(browser)
        window.refresh_from_db()
        assert window.stage == ClaimWindow.Stage.SUBMITTED
        submit(browser, "Prepare the claim schedule for sign-off (PDF)")
        assert "Waiting to start" in browser.find_element(By.ID, "progress").text
        check_page(browser)
        document_services.document_build(document_id=queued_documents[0])  # the worker
        wait_for_text(browser, "Your document is ready")
        check_page(browser)
        link = browser.find_element(By.PARTIAL_LINK_TEXT, "Download claim-schedule-")
        status, content_type, pdf = fetch(browser, link.get_attribute("href"))
        assert status == 200 and content_type == "application/pdf"
        text = " ".join(pdf_text(pdf).split())
        assert "claim schedule" in text and "Quarter 3 2026" in text
        for claim in claims:
            assert claim.reference in text
        assert "Senior responsible officer" in text and "Page 1 of" in text

        # And downloads the CSV return.
        browser.get(f"{live_server.url}/claims/{window.pk}/")
        link = browser.find_element(By.PARTIAL_LINK_TEXT, "Download the claim return (CSV)")
        status, content_type, body = fetch(browser, link.get_attribute("href"))
        assert status == 200 and content_type.startswith("text/csv")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        assert tuple(rows[0]) == exports.RETURN_COLUMNS
        assert sorted(r[6] for r in rows[1:]) == sorted(c.family.reference for c in claims)
