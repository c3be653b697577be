"""One short journey per role in a real browser: sign in (with the authenticator-app code
where the role needs one), read a live count on the home page, follow it to the list it
counts, open a record from that list where the role may, and on every page visited run
axe-core and check that nothing is wider than a 390 px phone screen. Also: a partner sees
only the families shared with their agency, and the auditor and the manager cannot write.

(Longer journeys per role: test_casework, test_panel, test_claims, test_reports,
test_lists, test_families; many pages at 390 px: test_narrow_screens.)"""

import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from selenium.webdriver.common.by import By

from eligibility import services as eligibility_services
from eligibility.datamatch.models import ReviewItem
from families.models import Family
from tafcase import settings as project_settings
from tafcase.accounts.models import Role
from tests.browser.conftest import check_page, sign_in, wait_for_new_page
from tests.browser.test_families import open_nav, submit
from tests.datamatch.conftest import load, team  # noqa: F401
from tests.datamatch.test_pages_and_api import finished_run  # noqa: F401
from tests.eligibility.conftest import eligible, nominate, panel, pw  # noqa: F401
from tests.families.conftest import TODAY, make_family, world  # noqa: F401
from tests.outcomes.conftest import active, open_window  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = 390
DESKTOP = (1280, 1000)


@pytest.fixture(autouse=True)
def _production_two_factor_roles(settings):
    """Sign in as each role really does: the programme team with a second factor."""
    settings.TWO_FACTOR_REQUIRED_ROLES = project_settings.TWO_FACTOR_REQUIRED_ROLES


def sign_in_with_code(browser, live_server, user) -> None:
    """Sign in, giving the authenticator app's code where the role needs one; the browser
    ends on the home page."""
    needs_code = user.has_role(*project_settings.TWO_FACTOR_REQUIRED_ROLES)
    device = (
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        if needs_code
        else None
    )
    browser.set_window_size(*DESKTOP)
    sign_in(browser, live_server, user)
    if device is not None:
        assert browser.find_element(By.TAG_NAME, "h1").text == "Enter your two-factor code", (
            browser.current_url
        )
        check_page(browser)
        code = browser.find_element(By.NAME, "code")
        code.send_keys(f"{TOTP(device.bin_key).token():06d}")
        submit(browser, "Continue")
    assert browser.current_url == f"{live_server.url}/", browser.current_url
    assert browser.find_element(By.TAG_NAME, "h1").text == "Home"


def look(browser) -> None:
    """The checks for every page visited: assets and axe-core at desktop width, then
    nothing wider than the screen at a phone's width."""
    check_page(browser)
    browser.set_window_size(PHONE, 900)
    try:
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= PHONE, f"{browser.current_url} is {width} px wide at {PHONE} px"
    finally:
        browser.set_window_size(*DESKTOP)


def follow(browser, element) -> None:
    page = browser.find_element(By.TAG_NAME, "html")
    element.click()
    wait_for_new_page(browser, page)


def home_count(browser, card_heading: str, label: str):
    """The link of one figure on the home page, checked to read as a number."""
    card = browser.find_element(
        By.XPATH,
        f"//div[contains(@class, 'govuk-summary-card')][.//h3[normalize-space()='{card_heading}']]",
    )
    link = card.find_element(By.XPATH, f".//div[dt[normalize-space()='{label}']]//a")
    value = link.text.split("\n")[0].strip()
    assert re.fullmatch(r"\d+", value), f"{label}: {link.text!r}"
    return link, int(value)


def next_things(browser) -> list[str]:
    """The headings of the home page's cards: what the role does next."""
    return [h.text for h in browser.find_elements(By.CSS_SELECTOR, ".govuk-summary-card__title")]


def main_text(browser) -> str:
    return browser.find_element(By.TAG_NAME, "main").text


def post_status(browser, url: str) -> int:
    """The status of a form POST the signed-in browser sends to `url`, with the CSRF
    token of the page it is on (every page has one, in its sign-out form)."""
    return browser.execute_async_script(
        """
        const [url, done] = arguments;
        const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
        fetch(url, {method: 'POST', redirect: 'manual', credentials: 'same-origin',
                    headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                    body: 'csrfmiddlewaretoken=' + encodeURIComponent(token) + '&name=Changed'})
          .then((r) => done(r.status), () => done(-1));
        """,
        url,
    )


def test_key_worker_follows_their_families_count_to_a_family(browser, live_server, world):  # noqa: F811
    w = world
    sign_in_with_code(browser, live_server, w.lead)
    look(browser)
    assert {"My families", "Casework due"} <= set(next_things(browser))
    link, count = home_count(browser, "My families", "Families you lead or key-work")
    assert count == 1
    follow(browser, link)
    look(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "My families"
    assert f"Showing 1 to {count} of {count}" in main_text(browser)
    rows = browser.find_elements(By.CSS_SELECTOR, "main tbody tr")
    assert len(rows) == count and "Testing family" in rows[0].text
    follow(browser, rows[0].find_element(By.PARTIAL_LINK_TEXT, "Testing family"))
    look(browser)
    assert "Testing family" in browser.find_element(By.TAG_NAME, "h1").text


def test_partner_sees_only_the_families_shared_with_their_agency(
    browser,
    live_server,
    world,  # noqa: F811
    make_family,  # noqa: F811
):
    w = world
    hidden = make_family(w.coordinator, n_members=1, name="Unshared family")
    sign_in_with_code(browser, live_server, w.police)
    look(browser)
    assert "Nominate a family" in next_things(browser)
    link, count = home_count(
        browser, "Families shared with your agency", "Families shared with your agency"
    )
    assert count == 1
    follow(browser, link)
    look(browser)
    assert f"Showing 1 to {count} of {count}" in main_text(browser)
    assert "Unshared family" not in main_text(browser)
    rows = browser.find_elements(By.CSS_SELECTOR, "main tbody tr")
    assert len(rows) == count
    follow(browser, rows[0].find_element(By.PARTIAL_LINK_TEXT, "Testing family"))
    look(browser)
    assert "Visited the family." in main_text(browser)
    browser.get(live_server.url + reverse("families:detail", args=[hidden.pk]))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Page not found"
    look(browser)


def test_coordinator_follows_the_nominations_count_to_a_nomination(
    browser,
    live_server,
    pw,  # noqa: F811
    nominate,  # noqa: F811
):
    first = nominate("crime_asb", "health", surname="Ashby")
    nominate("crime_asb", "health", surname="Brent")
    sign_in_with_code(browser, live_server, pw.coordinator)
    look(browser)
    assert {"Nominations queue", "Casework due", "Waiting for your approval"} <= set(
        next_things(browser)
    )
    link, count = home_count(browser, "Nominations queue", "Nominations waiting")
    assert count == 2
    follow(browser, link)
    look(browser)
    assert f"Showing 1 to {count} of {count}" in main_text(browser)
    table = browser.find_element(By.XPATH, "//table[caption[normalize-space()='Nominations']]")
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == count
    follow(browser, table.find_element(By.LINK_TEXT, first.reference))
    look(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Nomination {first.reference}"


def test_panel_chair_follows_the_agenda_count_to_a_decision(
    browser,
    live_server,
    pw,  # noqa: F811
    panel,  # noqa: F811
    eligible,  # noqa: F811
):
    for surname in ("Ashby", "Brent"):
        eligible(surname=surname)
    eligibility_services.agenda_build(actor=pw.coordinator, panel=panel)
    sign_in_with_code(browser, live_server, pw.chair)
    look(browser)
    assert {"Next panel", "Your feedback on the programme"} <= set(next_things(browser))
    link, count = home_count(browser, "Next panel", "Nominations on its agenda")
    assert count == 2
    follow(browser, link)
    look(browser)
    agenda = browser.find_element(By.XPATH, "//table[caption[normalize-space()='Agenda']]")
    rows = agenda.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == count
    follow(browser, rows[0].find_element(By.PARTIAL_LINK_TEXT, "Decide"))
    look(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Decide on ")


def test_data_analyst_follows_the_review_count_to_a_record(
    browser,
    live_server,
    team,  # noqa: F811
    finished_run,  # noqa: F811
):
    sign_in_with_code(browser, live_server, team.analyst)
    look(browser)
    assert "Partner data and data-match" in next_things(browser)
    link, count = home_count(
        browser, "Partner data and data-match", "Possible links waiting for review"
    )
    assert count == ReviewItem.objects.filter(run=finished_run).count() > 0
    follow(browser, link)
    look(browser)
    rows = browser.find_elements(By.CSS_SELECTOR, "main tbody tr")
    assert len(rows) == count
    # The dataset is named in words, not by its code.
    follow(browser, browser.find_element(By.LINK_TEXT, "Anti-social behaviour X1"))
    look(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Who is record X1?"


def assert_cannot_write(browser) -> None:
    """No way to change anything on the page: no buttons but signing out and filtering,
    and no links to add, edit or change."""
    main = browser.find_element(By.TAG_NAME, "main")
    buttons = [b.text for b in main.find_elements(By.CSS_SELECTOR, "form[method=post] button")]
    assert not buttons, buttons
    links = [
        a.get_attribute("href")
        for a in main.find_elements(By.TAG_NAME, "a")
        if re.search(r"/(edit|new|status|close)/", a.get_attribute("href") or "")
    ]
    assert not links, links


def test_auditor_reads_the_audit_trail_and_a_family_but_cannot_write(
    browser,
    live_server,
    world,  # noqa: F811
):
    w = world
    sign_in_with_code(browser, live_server, w.auditor)
    look(browser)
    assert {"Audit trail", "Claims to sample"} <= set(next_things(browser))
    link, count = home_count(browser, "Audit trail", "Events recorded in the last 7 days")
    assert count > 0
    follow(browser, link)
    look(browser)
    # Every event is this week's, so the log lists at least those counted, and more only
    # if recorded since (the home page's own read).
    rows = browser.find_elements(By.CSS_SELECTOR, "main tbody tr")
    assert count <= len(rows) <= count + 2
    assert any("Entered a two-factor code" in row.text for row in rows)
    open_nav(browser, "Families")
    look(browser)
    follow(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Testing family"))
    look(browser)
    assert "Testing family" in browser.find_element(By.TAG_NAME, "h1").text
    assert_cannot_write(browser)
    edit = live_server.url + reverse("families:edit", args=[w.family.pk])
    assert post_status(browser, edit) == 403
    w.family.refresh_from_db()
    assert w.family.name == "Testing family"


def test_manager_reads_the_programme_figures_but_cannot_write(
    browser,
    live_server,
    active,  # noqa: F811
    make_user,
):
    w = active
    manager = make_user(Role.MANAGER, agency=w.agencies["early_help"], email="mgr@example.test")
    # Five active families, so the manager's counts are not suppressed as "<5".
    for n in range(4):
        Family.objects.create(
            local_authority=w.family.local_authority,
            name=f"Active {n}",
            status=Family.Status.ACTIVE,
            programme_start=TODAY,
        )
    window = open_window(w)
    sign_in_with_code(browser, live_server, manager)
    look(browser)
    assert {"Programme at a glance", "Claim windows"} <= set(next_things(browser))
    link, count = home_count(browser, "Programme at a glance", "Families active on the programme")
    assert count == Family.objects.filter(status=Family.Status.ACTIVE).count() == 5
    follow(browser, link)
    look(browser)
    row = browser.find_element(By.XPATH, "//div[dt[normalize-space()='Families on the programme']]")
    assert row.find_element(By.TAG_NAME, "dd").text == str(count)
    browser.back()
    claims = browser.find_element(By.XPATH, f"//div[dt[normalize-space()='{window.name}']]//a")
    follow(browser, claims)
    look(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith(window.name)
    assert_cannot_write(browser)
    assert post_status(browser, live_server.url + reverse("claims:run", args=[window.pk])) == 403
    # Managers see aggregates, never a family.
    browser.get(live_server.url + reverse("families:detail", args=[w.family.pk]))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Page not found"
