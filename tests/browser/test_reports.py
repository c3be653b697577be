"""The report cards in a real browser, with axe-core on every page: a manager opens both
cards, slices the pathway card by ward, opens a turn-the-curve chart, records the story
behind the curve and the action plan, publishes the card, prepares its PDF (made by the
worker while the page shows progress; its text read with pdftotext) and downloads the
CSV. (A key worker's family feedback through the hand-over page: test_feedback.py.)"""

import csv
import io
from unittest.mock import patch

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from families.models import Family
from reporting.cards.models import CurveStory, PublishedCard
from tafcase.accounts.models import Locality
from tafcase.documents import services as document_services
from tafcase.documents import tasks as document_tasks
from tests.browser.conftest import check_page, sign_in
from tests.browser.test_claims import fetch, wait_for_text
from tests.browser.test_families import click_link, open_nav, submit, type_into
from tests.conftest import pdf_text
from tests.families.conftest import make_family, world  # noqa: F401
from tests.reporting.test_cards import BEFORE, NOW, cards  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_reads_slices_writes_the_story_and_publishes_a_card(
    browser,
    live_server,
    cards,  # noqa: F811
):
    w = cards
    ward = Locality.objects.create(local_authority=w.family.local_authority, name="Abbey")
    Family.objects.filter(pk__in=[w.fams["A"].pk, w.fams["B"].pk]).update(locality=ward)
    queued: list[int] = []
    with patch.object(document_tasks.document_build, "delay", side_effect=queued.append):
        sign_in(browser, live_server, w.manager)
        open_nav(browser, "Reports")
        check_page(browser)
        click_link(browser, "Key-worker element")
        check_page(browser)
        assert "Families with a key worker" in browser.page_source
        browser.back()
        click_link(browser, "Whole pathway")
        check_page(browser)
        # This quarter, Abbey ward only: families A and B.
        Select(browser.find_element(By.NAME, "period")).select_by_value(NOW.key)
        Select(browser.find_element(By.NAME, "locality")).select_by_visible_text("Abbey")
        submit(browser, "Show")
        check_page(browser)
        families = browser.find_element(By.ID, "m-families").text
        assert "<5" in families  # two families, suppressed for a manager
        click_link(browser, "Plans wholly achieved")
        check_page(browser)
        assert (
            browser.find_element(By.CSS_SELECTOR, "svg[role=img] title").get_attribute(
                "textContent"
            )
            == "Plans wholly achieved"
        )
        browser.find_element(By.XPATH, "//summary[contains(., 'Write the story')]").click()
        type_into(browser, "story-story", "Plans set too many goals at once.")
        type_into(browser, "story-action_plan", "Two goals at a time, checked at week six.")
        submit(browser, "Save the story")
        check_page(browser)
        assert CurveStory.objects.get().action_plan.startswith("Two goals")
        assert "Plans set too many goals at once." in browser.page_source
        # Back to the card for the same quarter and ward, and publish it.
        click_link(browser, "Back to the whole pathway card")
        submit(browser, "Publish this card")
        check_page(browser)
        published = PublishedCard.objects.get()
        assert published.filters == {"locality_id": ward.pk}
        assert "for Abbey" in browser.page_source
        submit(browser, "Prepare the PDF")
        check_page(browser)
        document_services.document_build(document_id=queued[0])  # the worker
        wait_for_text(browser, "Your document is ready")
        check_page(browser)
        link = browser.find_element(By.PARTIAL_LINK_TEXT, "Download report-card-")
        status, content_type, pdf = fetch(browser, link.get_attribute("href"))
        assert status == 200 and content_type == "application/pdf"
        text = " ".join(pdf_text(pdf).split())
        assert "Whole pathway report card" in text and NOW.label in text and "Abbey" in text
        assert "Plans set too many goals at once." in text
        browser.get(f"{live_server.url}/reports/published/{published.pk}/")
        link = browser.find_element(By.PARTIAL_LINK_TEXT, "Download the figures (CSV)")
        status, content_type, body = fetch(browser, link.get_attribute("href"))
        assert status == 200 and content_type.startswith("text/csv")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        families_now = [r for r in rows if r[1] == "Families worked with" and r[3] == NOW.label]
        assert families_now[0][5] == "<5"
    assert BEFORE.label in {r[3] for r in rows}
