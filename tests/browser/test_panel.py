"""The route into the programme in a real browser: a partner nominates a family with
consent, the coordinator screens it, the panel prioritises and accepts it, and the
allocated lead professional finds the family in their caseload. axe-core runs on every
page on the way."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tafcase.accounts.models import Agency, Role
from tests.browser.conftest import check_page, sign_in
from tests.browser.test_families import choose, click_link, open_nav, set_date, submit, type_into

pytestmark = pytest.mark.django_db(transaction=True)


def test_nomination_to_allocation(browser, live_server, make_user, make_agency):
    early_help = make_agency("Early Help")
    police = make_agency("Northshire Police", Agency.Kind.POLICE, None)
    school = make_agency("Hilltop Academy", Agency.Kind.EDUCATION)
    teacher = make_user(
        Role.PARTNER_PRACTITIONER, agency=school, email="teacher@example.test", authorities=[]
    )
    coordinator = make_user(Role.COORDINATOR, agency=early_help, email="coord@example.test")
    chair = make_user(Role.PANEL_CHAIR, agency=early_help, email="chair@example.test")
    worker = make_user(Role.KEY_WORKER, agency=early_help, email="kw@example.test")
    make_user(Role.PANEL_MEMBER, agency=police, email="sgt@example.test")
    today = timezone.localdate()

    # A partner nominates a family, with consent and dated evidence.
    sign_in(browser, live_server, teacher)
    open_nav(browser, "Nominations")
    click_link(browser, "Nominate a family")
    check_page(browser)
    type_into(browser, "family_name", "Brook family")
    type_into(browser, "postcode", "NB4 2QT")
    type_into(browser, "member-0-forename", "Jade")
    type_into(browser, "member-0-surname", "Brook")
    set_date(browser, "member-0-dob", date(1989, 2, 14))
    Select(browser.find_element(By.NAME, "member-0-role")).select_by_visible_text("Parent or carer")
    type_into(browser, "member-1-forename", "Tyler")
    type_into(browser, "member-1-surname", "Brook")
    set_date(browser, "member-1-dob", date(today.year - 13, 1, 9))
    Select(browser.find_element(By.NAME, "member-1-role")).select_by_visible_text("Child")
    type_into(browser, "reason", "Tyler's attendance has fallen and there are ASB reports.")
    for i, (label, text) in enumerate(
        [
            ("Children not attending school regularly", "Attendance 81% over three terms"),
            ("Parents or children involved in crime or anti-social behaviour", "Two ASB reports"),
        ]
    ):
        Select(browser.find_element(By.NAME, f"criterion-{i}-code")).select_by_visible_text(label)
        set_date(browser, f"criterion-{i}-evidence_date", today - timedelta(days=10))
        type_into(browser, f"criterion-{i}-text", text)
    set_date(browser, "consent_given_on", today)
    Select(browser.find_element(By.NAME, "consent_given_by")).select_by_visible_text("Member 1")
    submit(browser, "Send nomination")
    assert "received by the single point of access" in browser.page_source
    # The partner is told the nomination was received, and nothing of what it matched.
    assert "Nomination received" in browser.page_source
    assert "Awaiting screening" not in browser.page_source
    check_page(browser)
    submit(browser, "Sign out")

    # The coordinator screens it: the rulebook's reasons are on the page.
    sign_in(browser, live_server, coordinator)
    open_nav(browser, "Nominations")
    check_page(browser)
    click_link(browser, "NOM-")
    click_link(browser, "Screen this nomination")
    assert "The rulebook says: eligible" in browser.page_source
    assert "Attendance 81% over three terms" in browser.page_source
    check_page(browser)
    browser.find_element(By.CSS_SELECTOR, "input[name=outcome][value=eligible]").click()
    submit(browser, "Record screening decision")
    assert "Eligible: awaiting panel" in browser.page_source
    submit(browser, "Sign out")

    # The chair sets up the panel, records attendance, builds the agenda and accepts.
    sign_in(browser, live_server, chair)
    open_nav(browser, "Panels")
    check_page(browser)
    click_link(browser, "Set up a panel meeting")
    set_date(browser, "meets_on", today)
    choose(browser, "chair", chair.full_name)
    for agency in (early_help, police):
        browser.find_element(
            By.CSS_SELECTOR, f"input[name=member_agencies][value='{agency.pk}']"
        ).click()
    type_into(browser, "quorum", "2")
    check_page(browser)
    submit(browser, "Create panel")
    browser.find_element(By.CSS_SELECTOR, ".govuk-details__summary").click()
    for agency in (early_help, police):
        browser.find_element(By.CSS_SELECTOR, f"input[name=agencies][value='{agency.pk}']").click()
    submit(browser, "Save attendance")
    click_link(browser, "Choose nominations for the agenda (1 waiting)")
    check_page(browser)
    browser.find_element(By.CSS_SELECTOR, "input[name=nominations]").click()
    submit(browser, "Add to the agenda")
    assert "Brook family" in browser.page_source
    check_page(browser)
    # The rating saves without a reload and says so; the page stays the same page.
    page = browser.find_element(By.TAG_NAME, "html")
    assert not browser.find_element(By.CSS_SELECTOR, "[data-rate-button]").is_displayed()
    browser.find_element(By.CSS_SELECTOR, "input[name=likelihood][value='3']").click()
    WebDriverWait(browser, 10).until(
        lambda b: b.find_element(By.CSS_SELECTOR, "[data-rate-status]").text == "Saved"
    )
    assert page.is_displayed()  # not stale: no reload
    browser.refresh()
    assert browser.find_element(By.CSS_SELECTOR, "input[name=likelihood][value='3']").is_selected()
    click_link(browser, "Decide")
    check_page(browser)
    assert "weighted caseload 0.0 of 8" in browser.page_source
    browser.find_element(By.CSS_SELECTOR, "input[name=decision][value=accept]").click()
    Select(browser.find_element(By.NAME, "level")).select_by_visible_text("High or complex needs")
    choose(browser, "lead_professional", index=1)
    type_into(browser, "reasons", "Two headline problems; school and police engaged.")
    submit(browser, "Record decision")
    assert "Decision recorded" in browser.page_source
    assert "High or complex needs" in browser.page_source
    check_page(browser)
    submit(browser, "Sign out")

    # The lead professional finds the family in their caseload.
    sign_in(browser, live_server, worker)
    open_nav(browser, "Families")
    assert "Brook family" in browser.page_source
    click_link(browser, "Brook family")
    assert "Active" in browser.page_source
    check_page(browser)
