"""A coordinator's home page and casework due list in a real browser: the count links to
its list, the filters work, and both pages pass axe-core and fit a 390 px phone screen."""

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from families.models import Family
from tafcase.accounts.models import Locality, Role
from tests.browser.conftest import check_page, sign_in
from tests.browser.test_families import submit

pytestmark = pytest.mark.django_db(transaction=True)


def fits(browser, width: int) -> bool:
    browser.set_window_size(width, 900)
    return browser.execute_script("return document.documentElement.scrollWidth") <= width


def test_home_count_leads_to_the_filtered_casework_list(browser, live_server, make_user, authority):
    coordinator = make_user(Role.COORDINATOR, email="coord@example.test")
    ward = Locality.objects.create(local_authority=authority, name="Riverside")
    today = timezone.localdate()
    Family.objects.bulk_create(
        Family(
            local_authority=authority,
            name=f"Overdue {i}",
            status=Family.Status.ACTIVE,
            programme_start=today - timedelta(days=100),
            next_review_due=today - timedelta(days=i + 1),
            locality=ward if i % 2 else None,
        )
        for i in range(4)
    )
    browser.set_window_size(1280, 900)
    sign_in(browser, live_server, coordinator)
    check_page(browser)
    assert fits(browser, 390)
    browser.set_window_size(1280, 900)
    row = browser.find_element(By.XPATH, "//div[dt[normalize-space()='Reviews overdue']]//a")
    assert row.text.startswith("4")
    row.click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Casework due"
    assert "Showing 1 to 4 of 4" in browser.find_element(By.TAG_NAME, "main").text
    assert "Overdue since" in browser.find_element(By.TAG_NAME, "tbody").text
    check_page(browser)
    Select(browser.find_element(By.ID, "id_locality")).select_by_visible_text("Riverside")
    submit(browser, "Apply filters")
    assert "Showing 1 to 2 of 2" in browser.find_element(By.TAG_NAME, "main").text
    assert fits(browser, 390)
