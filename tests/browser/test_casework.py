"""A key worker's casework in a real browser, from the caseload to closing the case, with
axe-core on the caseload, family, assessment, plan and review pages."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from families import services as family_services
from families.models import Family
from tafcase.accounts.models import Agency, Role
from tests.browser.conftest import check_page, fill_sign_in_form, sign_in
from tests.browser.test_families import choose, click_link, open_nav, set_date, submit, type_into
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_key_worker_casework_journey(browser, live_server, make_user, make_agency, authority):
    police = make_agency("Northshire Police", Agency.Kind.POLICE, None)
    worker = make_user(Role.KEY_WORKER, email="kw@example.test")
    family = family_services.family_create(
        actor=worker, local_authority=authority, name="Ashdown family", lead_professional=worker
    )
    family_services.member_add(
        actor=worker,
        family=family,
        role="parent_carer",
        forename="Lee",
        surname="Ashdown",
        dob=date(1987, 5, 1),
    )
    family_services.member_add(
        actor=worker,
        family=family,
        role="child",
        forename="Ria",
        surname="Ashdown",
        dob=date(2013, 9, 2),
    )
    family_services.involvement_add(
        actor=worker,
        family=family,
        agency=police,
        role="PCSO",
        statutory=False,
        started_on=timezone.localdate(),
    )
    for status in ("screening", "eligible", "awaiting_panel", "active"):
        family_services.family_transition(actor=worker, family=family, to_status=status)
    Family.objects.filter(pk=family.pk).update(
        programme_start=timezone.localdate() - timedelta(days=42)
    )

    sign_in(browser, live_server, worker)
    open_nav(browser, "Families")
    check_page(browser)
    click_link(browser, "Ashdown family")
    check_page(browser)

    # Baseline assessment.
    click_link(browser, "Whole-family assessment")
    submit(browser, "Start the baseline assessment")
    check_page(browser)
    Select(browser.find_element(By.NAME, "score-family-family.housing")).select_by_value("4")
    type_into(browser, "why-family-family.housing", "Overcrowded, damp")
    Select(
        browser.find_element(By.CSS_SELECTOR, "select[name$='-adult.mental_health_wellbeing']")
    ).select_by_value("4")
    type_into(browser, "family_view", "We need a bigger place and less stress.")
    submit(browser, "Save and complete")
    assert "Baseline saved" in browser.page_source

    # Plan with a goal and an action.
    browser.get(f"{live_server.url}/families/{family.pk}/")
    click_link(browser, "Family plan")
    click_link(browser, "Add a goal")
    type_into(browser, "title", "A home that is warm and dry")
    Select(browser.find_element(By.NAME, "criterion")).select_by_index(1)
    type_into(browser, "target", "Moved or repairs done by spring")
    submit(browser, "Save goal")
    click_link(browser, "Add an action")
    type_into(browser, "description", "Housing repair request")
    choose(browser, "owner_person", index=1)
    set_date(browser, "due_on", timezone.localdate() + timedelta(days=14))
    submit(browser, "Save action")
    assert "Housing repair request" in browser.page_source
    check_page(browser)

    # A review that re-scores.
    browser.get(f"{live_server.url}/families/{family.pk}/")
    click_link(browser, "Reviews")
    click_link(browser, "Record a review")
    set_date(browser, "held_on", timezone.localdate())
    type_into(browser, "decisions", "Repairs booked; GP appointment made.")
    check_page(browser)
    submit(browser, "Save review")
    assert "Review 1 assessment" in browser.page_source
    Select(browser.find_element(By.NAME, "score-family-family.housing")).select_by_value("2")
    submit(browser, "Save and complete")
    browser.get(f"{live_server.url}/families/{family.pk}/reviews/")
    check_page(browser)

    # Distance travelled, as a chart.
    browser.get(f"{live_server.url}/families/{family.pk}/")
    click_link(browser, "Distance travelled")
    assert browser.find_elements(By.CSS_SELECTOR, "svg")
    assert "Whole family" in browser.page_source
    check_page(browser)

    # Budget spend.
    browser.get(f"{live_server.url}/families/{family.pk}/")
    click_link(browser, "Personalised budget")
    set_date(browser, "spent_on", timezone.localdate())
    type_into(browser, "purpose", "Dehumidifier")
    type_into(browser, "amount", "89.99")
    submit(browser, "Record spend")
    assert "£89.99" in browser.page_source
    check_page(browser)

    # Close the case with an exit plan.
    browser.get(f"{live_server.url}/families/{family.pk}/")
    click_link(browser, "Close the case")
    set_date(browser, "closed_on", timezone.localdate())
    browser.find_element(By.CSS_SELECTOR, "input[name=reason][value=outcomes_met]").click()
    type_into(browser, "exit_plan", "Housing officer stays in touch; family knows who to call.")
    # The plan's goal is still open: the worker confirms closing with it open.
    assert "1 goal is still open" in browser.page_source
    submit(browser, "Close the case")
    assert "Confirm that the case can close with these goals open" in browser.page_source
    check_page(browser)
    browser.find_element(By.NAME, "open_goals_confirmed").click()
    submit(browser, "Close the case")
    assert "+3 months" in browser.page_source and "+12 months" in browser.page_source
    check_page(browser)
    assert Family.objects.get(pk=family.pk).status == "closed"


def test_what_was_typed_survives_an_expired_session(browser, live_server, make_user, authority):
    worker = make_user(Role.KEY_WORKER, email="kw@example.test")
    family = family_services.family_create(
        actor=worker, local_authority=authority, name="Holt family", lead_professional=worker
    )
    sign_in(browser, live_server, worker)
    browser.get(f"{live_server.url}/families/{family.pk}/notes/new/")
    Select(browser.find_element(By.NAME, "contact_type")).select_by_visible_text("Home visit")
    set_date(browser, "contact_date", timezone.localdate())
    type_into(browser, "text", "Long note about the visit that must not be lost.")
    browser.delete_cookie("sessionid")  # the session expires while the worker types
    submit(browser, "Save note")
    assert "/account/sign-in/" in browser.current_url
    fill_sign_in_form(browser, worker.email, PASSWORD)
    assert browser.current_url.endswith(f"/families/{family.pk}/notes/new/")
    assert (
        browser.find_element(By.NAME, "text").get_attribute("value")
        == "Long note about the visit that must not be lost."
    )
    # The restore says so, above the form, so nobody saves text they have not checked.
    banner = browser.find_element(By.CSS_SELECTOR, "[data-draft-restored]")
    assert "We restored what you typed before you were signed out" in banner.text
    check_page(browser)
    submit(browser, "Save note")
    assert "Long note about the visit" in browser.page_source
    # Saved: the draft is gone, so the form starts empty next time, with no banner.
    browser.get(f"{live_server.url}/families/{family.pk}/notes/new/")
    assert browser.find_element(By.NAME, "text").get_attribute("value") == ""
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-draft-restored]")


def test_a_restored_draft_never_adds_to_what_a_field_already_holds(
    browser, live_server, make_user, authority
):
    worker = make_user(Role.KEY_WORKER, email="kw@example.test")
    family = family_services.family_create(
        actor=worker, local_authority=authority, name="Holt family", lead_professional=worker
    )
    sign_in(browser, live_server, worker)
    url = f"/families/{family.pk}/notes/new/"
    browser.get(live_server.url + url)
    form_index = browser.execute_script(
        "return Array.prototype.indexOf.call("
        "document.querySelectorAll('form[method=post]'), "
        "document.querySelector('textarea[name=text]').form)"
    )
    # A draft of this form, and a field someone has typed into since the page loaded
    # (as a browser's own form restore does): the draft fills only what is untouched.
    browser.execute_script(
        "sessionStorage.setItem(arguments[0], JSON.stringify("
        "{text: 'Walk Leo to school', contact_type: 'phone'}));"
        "document.querySelector('textarea[name=text]').value = 'each morning';"
        "var s = document.createElement('script'); s.src = '/static/keep-typing.js?again';"
        "document.body.appendChild(s);",
        f"draft:{url}#{form_index}",
    )
    WebDriverWait(browser, 5).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "[data-draft-restored]")
    )
    assert browser.find_element(By.NAME, "text").get_attribute("value") == "each morning"
    contact_type = Select(browser.find_element(By.NAME, "contact_type"))
    assert contact_type.first_selected_option.get_attribute("value") == "phone"
