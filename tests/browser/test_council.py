"""Setting up a council in a real browser, with axe-core on every page: an administrator
adds a locality and an agency, adds a user (after a form error) and reads the users list,
at desktop width and at phone width."""

import os

import pytest
from selenium.webdriver.common.by import By

from tafcase.accounts.models import Locality, Role, User
from tests.browser.conftest import check_page
from tests.browser.test_families import click_link, submit, type_into
from tests.browser.test_feedback import PHONE_WIDTH, at_phone_width

pytestmark = pytest.mark.django_db(transaction=True)


def _text(browser) -> str:
    return browser.find_element(By.TAG_NAME, "main").text


def _fits_the_phone(browser) -> None:
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the page is {width} px wide"


def _shot(browser, name: str) -> None:
    # Screenshots for a person to look at, when asked for (never in CI).
    folder = os.environ.get("TAFCASE_SCREENSHOTS")
    if folder:
        browser.save_screenshot(os.path.join(folder, f"{name}.png"))


def test_an_administrator_sets_up_their_council(browser, live_server, sign_in_as, authority):
    sign_in_as(Role.ADMINISTRATOR)
    browser.get(f"{live_server.url}/")
    click_link(browser, "Set up your council")
    check_page(browser)
    click_link(browser, "Add a locality")
    check_page(browser)
    type_into(browser, "name", "North")
    submit(browser, "Add locality")
    assert "Locality North added." in _text(browser)
    assert Locality.objects.filter(local_authority=authority, name="North").exists()
    click_link(browser, "Add an agency")
    type_into(browser, "name", "Testshire Police")
    browser.find_element(By.CSS_SELECTOR, "select[name=kind] option[value=police]").click()
    submit(browser, "Add agency")
    _shot(browser, "council-1280")

    click_link(browser, "See users")
    click_link(browser, "Add a user")
    type_into(browser, "email", "not an email")
    submit(browser, "Add user")
    assert "There is a problem" in _text(browser)
    check_page(browser)
    type_into(browser, "email", "robin.example@testshire.test")
    type_into(browser, "full_name", "Robin Example")
    browser.find_element(By.CSS_SELECTOR, "input[name=roles][value=key_worker]").click()
    browser.find_element(By.CSS_SELECTOR, "select[name=agency] option:nth-child(3)").click()
    submit(browser, "Add user")
    assert "1 invited" in _text(browser)
    assert "Robin Example" in _text(browser)
    assert not User.objects.get(email="robin.example@testshire.test").has_usable_password()
    check_page(browser)
    _shot(browser, "users-1280")

    at_phone_width(browser)
    for path in ("/council/", "/council/users/", "/council/users/upload/"):
        browser.get(live_server.url + path)
        _shot(browser, "phone" + path.replace("/", "-"))
        _fits_the_phone(browser)
