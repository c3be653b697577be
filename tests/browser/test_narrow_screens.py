"""The main pages at a phone's width (390 px): nothing wider than the screen, tables read as
cards, charts scale, controls are big enough to tap, and axe-core finds nothing serious."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from eligibility.models import PanelMeeting
from families.models import Family
from outcomes.claims.models import ClaimWindow
from outcomes.models import Assessment
from tafcase.demo import DEMO_PASSWORD, DOMAIN
from tests.browser.conftest import check_page, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# Interactive controls smaller than WCAG 2.2's 24 by 24 CSS pixels target size (2.5.8),
# leaving out links inside text, which the criterion exempts.
SMALL_CONTROLS = """
return [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter((el) => el.offsetParent !== null)
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.width < 24 || box.height < 24)
  .map(([el, box]) => `${el.outerHTML.slice(0, 120)} (${box.width}x${box.height})`);
"""


def _pages() -> list[str]:
    family = Family.objects.filter(status="active", assessments__isnull=False).first()
    assessment = Assessment.objects.filter(family=family).order_by("occasion").first()
    panel = PanelMeeting.objects.filter(items__isnull=False).first()
    window = ClaimWindow.objects.first()
    pages = [
        reverse("families:caseload"),
        reverse("families:detail", args=[family.pk]),
        reverse("families:edit", args=[family.pk]),
        reverse("outcomes:dashboard"),
        reverse("eligibility:nominations"),
        reverse("outcomes:assessment", args=[family.pk, assessment.pk]),
        reverse("outcomes:distance", args=[family.pk]),
        reverse("claims:windows"),
        reverse("reporting:reports"),
        reverse("eligibility:panel", args=[panel.pk]),
        reverse("claims:window", args=[window.pk]),
    ]
    return pages


def test_main_pages_fit_a_390_pixel_screen(browser, live_server):
    call_command("seed_demo", families=40, verbosity=0)
    pages = _pages()
    sign_in(browser, live_server, f"coordinator@{DOMAIN}", DEMO_PASSWORD)
    browser.set_window_size(390, 900)
    try:
        assert browser.execute_script("return window.innerWidth") <= 390
        for page in pages:
            browser.get(live_server.url + page)
            width = browser.execute_script("return document.documentElement.scrollWidth")
            assert width <= 390, f"{page} is {width} px wide at 390 px"
            assert not browser.execute_script(SMALL_CONTROLS), page
            check_page(browser)
        # The lead professional is chosen by typing: options name the agency and caseload.
        browser.get(live_server.url + pages[2])
        box = browser.find_element(By.CSS_SELECTOR, "input.autocomplete__input")
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(Keys.BACKSPACE, "a")
        options = browser.find_elements(By.CSS_SELECTOR, ".autocomplete__option")
        assert options and all(" — " in o.text and "famil" in o.text for o in options[:5]), [
            o.text for o in options
        ]
        assert len({o.text for o in options}) == len(options)
        # The distance-travelled chart scales to the screen rather than being clipped.
        browser.get(live_server.url + pages[6])
        chart = "return document.querySelector('.tafcase-chart svg').getBoundingClientRect().width"
        assert 0 < browser.execute_script(chart) <= 390
        # A table's cells carry their column's heading, shown above them on a card.
        browser.get(live_server.url + reverse("families:caseload"))
        assert (
            browser.execute_script("return document.querySelector('tbody td').dataset.label")
            == "Family"
        )
    finally:
        browser.set_window_size(1280, 1000)
