"""A key worker's family work in a real browser, with axe-core on every page it visits,
and a partner who sees the family only while consent is in force."""

from datetime import date

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from families import services
from families.models import Family
from tafcase.accounts.models import Agency, Role
from tests.browser.conftest import button_by_text, check_page, sign_in, wait_for_new_page

pytestmark = pytest.mark.django_db(transaction=True)


def click_link(browser, text: str) -> None:
    page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.PARTIAL_LINK_TEXT, text).click()
    wait_for_new_page(browser, page)


def open_nav(browser, text: str) -> None:
    page = browser.find_element(By.TAG_NAME, "html")
    nav = browser.find_element(By.CSS_SELECTOR, ".govuk-service-navigation__list")
    nav.find_element(By.LINK_TEXT, text).click()
    wait_for_new_page(browser, page)


def submit(browser, text: str) -> None:
    page = browser.find_element(By.TAG_NAME, "html")
    button_by_text(browser, text).click()
    wait_for_new_page(browser, page)


def type_into(browser, name: str, value: str) -> None:
    field = browser.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def choose(browser, name: str, text: str | None = None, *, index: int | None = None) -> None:
    """Pick an option by its text (or position) from a select, typing into its type-ahead
    where static/autocomplete.js has enhanced it."""
    select = browser.find_element(By.NAME, name)
    if select.is_displayed():
        plain = Select(select)
        plain.select_by_visible_text(text) if text is not None else plain.select_by_index(index)
        return
    if text is None:
        text = Select(select).options[index].get_attribute("textContent").strip()
    box = browser.find_element(By.ID, select.get_attribute("id").removesuffix("-select"))
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE, text)
    option = WebDriverWait(browser, 5).until(
        lambda d: next(
            (
                o
                for o in d.find_elements(By.CSS_SELECTOR, ".autocomplete__option")
                if o.text == text
            ),
            None,
        )
    )
    option.click()
    assert Select(select).first_selected_option.get_attribute("textContent").strip() == text


def set_date(browser, name: str, value: date) -> None:
    """Type a date into the GOV.UK date input's day, month and year boxes."""
    for part, text in (("day", value.day), ("month", value.month), ("year", value.year)):
        box = browser.find_element(By.NAME, f"{name}-{part}")
        box.clear()
        box.send_keys(str(text))


def test_key_worker_creates_a_family_and_shares_it_with_a_partner(
    browser, live_server, make_user, make_agency
):
    police = make_agency("Northshire Police", Agency.Kind.POLICE, None)
    worker = make_user(Role.KEY_WORKER, email="kw@example.test")
    partner = make_user(
        Role.PARTNER_PRACTITIONER, agency=police, email="pc@example.test", authorities=[]
    )

    sign_in(browser, live_server, worker)
    open_nav(browser, "Families")
    assert browser.find_element(By.TAG_NAME, "h1").text == "My families"
    check_page(browser)

    click_link(browser, "Create a family")
    check_page(browser)
    submit(browser, "Create family")  # nothing typed: the error summary explains
    assert "There is a problem" in browser.page_source
    check_page(browser)
    type_into(browser, "name", "Rivers family")
    type_into(browser, "address_line_1", "12 Canal Side")
    type_into(browser, "postcode", "nb3 4xy")
    submit(browser, "Create family")
    assert "Rivers family" in browser.find_element(By.TAG_NAME, "h1").text
    check_page(browser)
    family = Family.objects.get(name="Rivers family")
    assert family.postcode == "NB3 4XY"

    click_link(browser, "Add a family member")
    check_page(browser)
    type_into(browser, "forename", "Jade")
    type_into(browser, "surname", "Rivers")
    set_date(browser, "dob", date(1992, 4, 5))
    browser.find_element(By.CSS_SELECTOR, "input[name=role][value=parent_carer]").click()
    submit(browser, "Add member")
    assert "Jade Rivers" in browser.page_source

    click_link(browser, "Add an agency")
    check_page(browser)
    Select(browser.find_element(By.NAME, "agency")).select_by_visible_text("Northshire Police")
    type_into(browser, "role", "Neighbourhood policing team")
    set_date(browser, "started_on", timezone.localdate())
    submit(browser, "Add agency")

    click_link(browser, "Record consent")
    check_page(browser)
    choose(browser, "given_by", "Jade Rivers")
    set_date(browser, "given_on", timezone.localdate())
    browser.find_element(By.CSS_SELECTOR, "input[name=scope][value=share_taf]").click()
    submit(browser, "Record consent")
    assert "In force" in browser.page_source

    click_link(browser, "Add a case note")
    check_page(browser)
    Select(browser.find_element(By.NAME, "contact_type")).select_by_visible_text("Home visit")
    set_date(browser, "contact_date", timezone.localdate())
    type_into(browser, "text", "First visit: agreed what the family wants to change.")
    submit(browser, "Save note")
    assert "First visit" in browser.page_source
    check_page(browser)

    # The partner sees the family through the TAF share, and can open it.
    submit(browser, "Sign out")
    sign_in(browser, live_server, partner)
    open_nav(browser, "Families")
    click_link(browser, "Rivers family")
    assert "First visit" in browser.page_source
    check_page(browser)

    # Once consent is withdrawn the partner gets "Page not found".
    services.consent_withdraw(
        actor=worker,
        consent=family.consents.get(scope="share_taf"),
        withdrawn_on=timezone.localdate(),
    )
    browser.refresh()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Page not found"


def test_search_page_is_accessible_and_finds_by_postcode(
    browser, live_server, make_user, authority
):
    worker = make_user(Role.KEY_WORKER, email="kw@example.test")
    services.family_create(
        actor=worker,
        local_authority=authority,
        name="Lakes family",
        postcode="NB9 1AA",
        lead_professional=worker,
    )
    sign_in(browser, live_server, worker)
    open_nav(browser, "Search")
    type_into(browser, "q", "NB9")
    submit(browser, "Search")
    assert "Lakes family" in browser.page_source
    check_page(browser)
