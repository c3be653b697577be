"""Family feedback in a real browser, with axe-core on every page and the family's pages
at a phone's width (390 px): the key worker hands the device over from the family page,
the family answers on a page that shows nothing of the case, the back button leads only
to the sign-in page, and the worker signs in again to return to the case."""

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By

from outcomes.models import Closure
from reporting.feedback.models import FamilyFeedback, KeyPlayerFeedback, QualitySampleCase
from tests.browser.conftest import check_page, fill_sign_in_form, sign_in, wait_for_new_page
from tests.browser.test_families import click_link, set_date, submit
from tests.families.conftest import TODAY, make_family, world  # noqa: F401
from tests.outcomes.conftest import active  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 390


def choose(browser, label: str) -> None:
    browser.find_element(By.XPATH, f"//label[normalize-space()='{label}']").click()


def at_phone_width(browser) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE_WIDTH, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )


def fits_and_targets_are_big_enough(browser) -> None:
    """Nothing wider than the screen, and every radio and button at least 24 px square
    (WCAG 2.2 target size)."""
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the page is {width} px wide"
    small = browser.execute_script(
        """
        return [...document.querySelectorAll('input[type=radio], button, textarea')]
          .map(e => e.getBoundingClientRect())
          .filter(r => r.width < 24 || r.height < 24)
          .map(r => [r.width, r.height]);
        """
    )
    assert small == [], small


def test_a_family_answers_on_a_handed_over_device_and_the_worker_signs_back_in(
    browser,
    live_server,
    active,  # noqa: F811
):
    w = active
    sign_in(browser, live_server, w.lead)
    browser.get(f"{live_server.url}/families/{w.family.pk}/")
    click_link(browser, "Family feedback")
    check_page(browser)
    choose(browser, "A review or Team Around the Family meeting held today")
    submit(browser, "Hand over the device")
    try:
        at_phone_width(browser)
        browser.refresh()
        assert "Tell us what you think" in browser.title
        check_page(browser)
        fits_and_targets_are_big_enough(browser)
        text = browser.find_element(By.TAG_NAME, "body").text
        assert w.family.name not in text and w.lead.full_name not in text
        assert browser.find_elements(By.CSS_SELECTOR, ".govuk-service-navigation__list") == []
        for label in ("Very satisfied", "Useful", "A lot", "Very helpful", "An adult"):
            choose(browser, label)
        browser.find_element(By.NAME, "biggest_difference").send_keys("Kate listened.")
        submit(browser, "Send my answers")
        assert "Thank you" in browser.find_element(By.TAG_NAME, "h1").text
        check_page(browser)
        fits_and_targets_are_big_enough(browser)
        answer = FamilyFeedback.objects.get()
        assert (answer.satisfaction, answer.things_changed, answer.answered_by) == (5, 5, "adult")
        # Back through the history: the answered link, then the pages of the case, which
        # now ask for a password.
        thanks = browser.current_url
        page = browser.find_element(By.TAG_NAME, "html")
        browser.back()
        wait_for_new_page(browser, page)
        assert "This link no longer works" in browser.find_element(By.TAG_NAME, "body").text
        page = browser.find_element(By.TAG_NAME, "html")
        browser.back()
        wait_for_new_page(browser, page)
        assert "/account/sign-in/" in browser.current_url
        assert w.family.name not in browser.find_element(By.TAG_NAME, "body").text
        browser.get(thanks)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    click_link(browser, "Return to the case")
    assert "/account/sign-in/" in browser.current_url
    fill_sign_in_form(browser, w.lead.email, "correct-horse-battery")
    assert browser.current_url == f"{live_server.url}/families/{w.family.pk}/"
    assert w.family.name in browser.find_element(By.TAG_NAME, "h1").text


def test_the_feedback_pages_fit_a_phone_and_pass_axe(browser, live_server, active):  # noqa: F811
    """Key-player feedback, the summary, and drawing and reviewing a quality sample."""
    w = active
    Closure.objects.create(
        family=w.family,
        closed_on=TODAY - timedelta(days=3),
        reason="outcomes_met",
        exit_plan="Universal services.",
        closed_by=w.coordinator,
    )
    try:
        at_phone_width(browser)
        sign_in(browser, live_server, w.lead)
        browser.get(f"{live_server.url}/reports/feedback/key-players/")
        check_page(browser)
        fits_and_targets_are_big_enough(browser)
        browser.find_element(By.CSS_SELECTOR, "input[name=period]").click()
        for field in ("process_helps", "agencies_work_together", "panel_decisions", "support"):
            browser.find_element(By.CSS_SELECTOR, f"input[name={field}][value='4']").click()
        submit(browser, "Send feedback")
        assert "your feedback has been saved" in browser.find_element(By.TAG_NAME, "body").text
        assert KeyPlayerFeedback.objects.get().support == 4
        browser.delete_all_cookies()

        sign_in(browser, live_server, w.coordinator)
        browser.get(f"{live_server.url}/reports/feedback/")
        check_page(browser)
        fits_and_targets_are_big_enough(browser)  # the table scrolls in its own region
        click_link(browser, "Closed-case quality samples")
        check_page(browser)
        click_link(browser, "Draw a sample")
        check_page(browser)
        fits_and_targets_are_big_enough(browser)
        set_date(browser, "period_start", TODAY - timedelta(days=30))
        set_date(browser, "period_end", TODAY)
        submit(browser, "Draw the sample")
        assert "Quality sample drawn: 1 of 1" in browser.find_element(By.TAG_NAME, "body").text
        check_page(browser)
        fits_and_targets_are_big_enough(browser)
        click_link(browser, "Review")
        check_page(browser)
        fits_and_targets_are_big_enough(browser)
        for name, value in (
            ("engagement", "good"),
            ("multi_agency", "outstanding"),
            ("creativity", "requires_improvement"),
        ):
            browser.find_element(By.CSS_SELECTOR, f"input[name={name}][value={value}]").click()
        submit(browser, "Save the review")
        assert "Review saved" in browser.find_element(By.TAG_NAME, "body").text
        case = QualitySampleCase.objects.get()
        assert (case.multi_agency, case.reviewed_by) == ("outstanding", w.coordinator)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
