"""The Content-Security-Policy in a real browser: pages and the API documentation work
under it, and nothing on them is refused by it."""

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import check_page, sign_in

# Runs before any of the page's own scripts (DevTools scripts are not subject to the
# policy) and keeps every violation the browser reports.
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


@pytest.fixture
def csp_violations(browser) -> Iterator:
    added = browser.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": _RECORD_VIOLATIONS}
    )

    def violations() -> list[str]:
        return browser.execute_script("return window.__cspViolations || []")

    yield violations
    browser.execute_cdp_cmd(
        "Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]}
    )


def test_pages_work_under_the_policy(browser, live_server, key_worker, csp_violations):
    browser.get(live_server.url + "/account/sign-in/")
    check_page(browser)
    assert csp_violations() == []
    sign_in(browser, live_server, key_worker)
    check_page(browser)
    assert csp_violations() == []


def test_api_documentation_works_under_the_policy(browser, live_server, key_worker, csp_violations):
    sign_in(browser, live_server, key_worker)
    browser.get(live_server.url + "/api/docs/")
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock-summary"))
    assert csp_violations() == []
