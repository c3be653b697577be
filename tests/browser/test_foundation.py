"""The foundation in a real browser: signing in, lockout, accessibility, keyboard use."""

import pytest
from django.conf import settings
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tafcase.accounts.models import Role
from tafcase.home import live_panels
from tafcase.navigation import NAVIGATION
from tafcase.views import HOME_PANELS
from tests.browser.conftest import (
    assert_accessible,
    assert_assets_loaded,
    axe_violations,
    button_by_text,
    check_page,
    fill_sign_in_form,
    sign_in,
    wait_for_new_page,
)


def texts(browser, selector: str) -> list[str]:
    return [e.text.strip() for e in browser.find_elements(By.CSS_SELECTOR, selector)]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_sees_its_home_page(browser, live_server, make_user, role):
    user = make_user(role)
    sign_in(browser, live_server, user)

    assert browser.current_url == f"{live_server.url}/"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Home"
    assert texts(browser, "main h2") == [Role(role).label]
    live = [panel.heading for panel in live_panels(role)]
    assert texts(browser, "main h3") == live + [panel.heading for panel in HOME_PANELS[role]]
    body = browser.find_element(By.TAG_NAME, "main").text
    for panel in HOME_PANELS[role]:
        assert panel.text in body
    expected_nav = [item.label for item in NAVIGATION if not item.roles or role in item.roles]
    assert texts(browser, ".govuk-service-navigation__list a") == expected_nav
    current = browser.find_element(By.CSS_SELECTOR, "[aria-current='page']")
    assert current.text == "Home"
    assert user.full_name in browser.find_element(By.CSS_SELECTOR, ".tafcase-account-bar").text
    assert_assets_loaded(browser)
    # Stricter here: the shell of every page must have no moderate issues either
    # (e.g. content outside landmarks).
    assert_accessible(browser, impact=("moderate", "serious", "critical"))


def test_sign_out_returns_to_sign_in(browser, live_server, key_worker):
    sign_in(browser, live_server, key_worker)
    page = browser.find_element(By.TAG_NAME, "html")
    button_by_text(browser, "Sign out").click()
    wait_for_new_page(browser, page)
    assert browser.current_url == f"{live_server.url}/account/sign-in/"
    browser.get(live_server.url + "/")
    assert browser.current_url.startswith(f"{live_server.url}/account/sign-in/?next=/")


def test_sign_in_is_blocked_after_repeated_failures(browser, live_server, key_worker):
    browser.get(f"{live_server.url}/account/sign-in/")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        fill_sign_in_form(browser, key_worker.email, "not-the-password")
        summary = browser.find_element(By.CSS_SELECTOR, ".govuk-error-summary").text
        assert "Enter a correct email address and password." in summary

    fill_sign_in_form(browser, key_worker.email, "correct-horse-battery")

    assert browser.current_url == f"{live_server.url}/account/sign-in/"
    summary = browser.find_element(By.CSS_SELECTOR, ".govuk-error-summary").text
    assert "There have been too many attempts to sign in from here." in summary
    assert browser.title.startswith("Error: ")
    assert not browser.find_elements(By.CSS_SELECTOR, ".tafcase-account-bar")


def test_axe_reports_violations(browser, live_server):
    """The checker itself works: a page with known faults fails it, readably."""
    browser.get(f"{live_server.url}/account/sign-in/")
    browser.execute_script(
        "document.getElementById('main-content').insertAdjacentHTML('beforeend', arguments[0])",
        '<img src="/static/x.png"><input type="text" name="unlabelled">',
    )
    ids = {v["id"] for v in axe_violations(browser)}
    assert {"image-alt", "label"} <= ids
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
        assert_accessible(browser)


def test_sign_in_page_is_accessible(browser, live_server):
    browser.get(f"{live_server.url}/account/sign-in/")
    check_page(browser)


def test_sign_in_errors_are_accessible_and_focus_the_summary(browser, live_server):
    browser.get(f"{live_server.url}/account/sign-in/")
    fill_sign_in_form(browser, "", "")
    summary = browser.find_element(By.CSS_SELECTOR, ".govuk-error-summary")
    assert "There is a problem" in summary.text
    # GOV.UK Frontend moves focus to the error summary so screen readers announce it.
    assert browser.switch_to.active_element == summary
    # Each error links to its field.
    link = summary.find_element(By.CSS_SELECTOR, "a[href='#id_username']")
    link.click()
    assert browser.switch_to.active_element.get_attribute("name") == "username"
    assert_accessible(browser)


def test_password_reset_pages_are_accessible(browser, live_server, mailoutbox, key_worker):
    browser.get(f"{live_server.url}/account/sign-in/")
    page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.LINK_TEXT, "Forgotten your password?").click()
    wait_for_new_page(browser, page)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Reset your password"
    assert_accessible(browser)

    # Submitting without an email address shows the error summary.
    page = browser.find_element(By.TAG_NAME, "html")
    button_by_text(browser, "Send reset link").click()
    wait_for_new_page(browser, page)
    assert "There is a problem" in browser.find_element(By.CSS_SELECTOR, "main").text
    assert_accessible(browser)

    browser.find_element(By.NAME, "email").send_keys(key_worker.email)
    page = browser.find_element(By.TAG_NAME, "html")
    button_by_text(browser, "Send reset link").click()
    wait_for_new_page(browser, page)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Check your email"
    assert len(mailoutbox) == 1
    assert_accessible(browser)


def test_not_found_page_is_accessible(browser, live_server):
    browser.get(f"{live_server.url}/no-such-page/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Page not found"
    check_page(browser)


def test_not_found_page_is_accessible_signed_in(browser, live_server, sign_in_as):
    sign_in_as(Role.COORDINATOR)
    browser.get(f"{live_server.url}/no-such-page/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Page not found"
    check_page(browser)


@pytest.mark.parametrize("path", ["/account/sign-in/", "/"], ids=["sign-in", "home"])
def test_skip_link_is_first_focusable_and_moves_to_main(browser, live_server, key_worker, path):
    if path == "/":
        sign_in(browser, live_server, key_worker)
    browser.get(live_server.url + path)
    ActionChains(browser).send_keys(Keys.TAB).perform()

    skip = browser.switch_to.active_element
    assert "govuk-skip-link" in skip.get_attribute("class").split()
    assert skip.text == "Skip to main content"
    assert skip.is_displayed() and skip.size["height"] > 1, "skip link not visible on focus"

    skip.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "main-content"
