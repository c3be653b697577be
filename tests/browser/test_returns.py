"""The national returns in a real browser, with axe-core on every page: a coordinator
starts the unit costs, changes one, draws a Family Progress Data and a Cost Saving
Calculator sample from the forms, reads both returns and their coverage, and saves the
calculator's settings."""

from datetime import date

import pytest
from selenium.webdriver.common.by import By

from families.models import Membership
from reporting.returns.models import ReturnSample, UnitCostVersion
from tafcase.accounts.models import Role
from tests.browser.conftest import check_page
from tests.browser.test_families import click_link, submit, type_into
from tests.reporting.conftest import YEAR, attach, partner_data

pytestmark = pytest.mark.django_db(transaction=True)


def _text(browser) -> str:
    return browser.find_element(By.TAG_NAME, "main").text


def test_a_coordinator_prepares_both_national_returns(browser, live_server, sign_in_as, authority):
    families = attach(authority, 12, start=date(YEAR, 4, 2))
    coordinator = sign_in_as(Role.COORDINATOR)
    mothers = [Membership.objects.filter(family=f).order_by("pk").first().person for f in families]
    partner_data(
        authority,
        coordinator,
        date(YEAR + 2, 3, 31),
        [(m, "asb", date(YEAR, 3, 1), None, {"role": "perpetrator"}) for m in mothers],
    )

    browser.get(f"{live_server.url}/reports/")
    check_page(browser)
    click_link(browser, "Unit costs")
    check_page(browser)
    submit(browser, "Start from the illustrative defaults")
    assert "Version 1" in _text(browser)
    check_page(browser)
    browser.find_element(By.XPATH, "//a[starts-with(normalize-space(), 'Change')]").click()
    check_page(browser)
    type_into(browser, "price_year", "2019/2020")
    submit(browser, "Save as a new version")
    assert "There is a problem" in _text(browser)
    check_page(browser)
    type_into(browser, "price_year", "2024/25")
    submit(browser, "Save as a new version")
    assert UnitCostVersion.objects.count() == 2

    browser.get(f"{live_server.url}/reports/returns/family-progress/")
    check_page(browser)
    type_into(browser, "percent", "5")
    submit(browser, "Draw the sample")
    assert "Sample size (%) must be 10 or more" in _text(browser)
    check_page(browser)
    type_into(browser, "percent", "50")
    submit(browser, "Draw the sample")
    assert "Sampled 6 of 12 attached families (50%)" in _text(browser)
    check_page(browser)

    browser.get(f"{live_server.url}/reports/returns/cost-savings/")
    type_into(browser, "percent", "100")
    submit(browser, "Draw the sample")
    page = _text(browser)
    assert "before/after change, not an impact estimate" in page
    assert "£8,400.00" in page  # twelve ASB incidents before attachment, none after, at £700
    check_page(browser)
    type_into(browser, "deadweight_percent", "50")
    submit(browser, "Save the settings")
    assert "£4,200.00" in _text(browser)
    check_page(browser)
    assert ReturnSample.objects.count() == 2
