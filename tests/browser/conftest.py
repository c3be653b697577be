"""Real-browser tests: headless Debian Chromium driven by Selenium, with axe-core checks.

Every test under tests/browser/ is marked `browser` and runs against pytest-django's
`live_server` (so the database is transactional and static files are served). Use:

    def test_something(browser, live_server, key_worker):
        sign_in(browser, live_server, key_worker)
        browser.get(live_server.url + "/some/page/")
        assert_accessible(browser)

or, with a new user and the common checks in one line each:

    def test_my_page(browser, live_server, sign_in_as):
        sign_in_as(Role.KEY_WORKER)
        browser.get(live_server.url + "/my/page/")
        check_page(browser)  # assets loaded, no serious or critical axe violations

The `browser` fixture is one Chromium per test session (per xdist worker); cookies and
storage are cleared before every test, so each test starts signed out.
"""

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
# The machine may have no internet: without the background-networking flags Chromium
# stalls on start-up trying to reach Google's services.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
)
AXE_URL = "/static/vendor/axe.min.js"
BROWSER_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    # This hook sees every collected item, not only this folder's: mark just ours.
    for item in items:
        if BROWSER_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _missing_browser_message() -> str | None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if not missing:
        return None
    return (
        "Browser tests need Chromium and ChromeDriver, but these were not found: "
        f"{', '.join(missing)}. Install them with `apt-get install chromium chromium-driver` "
        "(or set CHROMIUM_BINARY / CHROMEDRIVER), or deselect these tests with "
        "`-m 'not browser'`."
    )


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (per xdist worker). Fails, never skips,
    when Chromium or ChromeDriver is missing: a skipped test would hide failures."""
    message = _missing_browser_message()
    if message:
        pytest.fail(message, pytrace=False)
    # Selenium Manager must never try to download a browser or driver.
    os.environ["SE_OFFLINE"] = "true"
    profile = tempfile.mkdtemp(prefix="tafcase-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except WebDriverException as error:
        shutil.rmtree(profile, ignore_errors=True)
        pytest.fail(f"Could not start headless Chromium ({CHROMIUM}): {error}", pytrace=False)
    driver.implicitly_wait(0.5)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_browser_state(request, live_server):
    """Every browser test uses the live server and starts signed out, at desktop width
    (a test that narrows the window to a phone's must not hide the next one's menu)."""
    yield
    if "browser" in request.fixturenames:
        driver = request.getfixturevalue("browser")
        try:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
            driver.set_window_size(1280, 1000)
            driver.delete_all_cookies()
        except WebDriverException:
            # e.g. left on a page of another origin: start over on a blank one.
            driver.get("about:blank")
            driver.delete_all_cookies()


@pytest.fixture
def sign_in_as(browser, live_server, make_user):
    """sign_in_as(*roles, **make_user_kwargs) -> user: a new user with these roles,
    signed in in the browser, which is left on their home page."""

    def sign_in_new_user(*roles: str, **kwargs):
        user = make_user(*roles, **kwargs)
        sign_in(browser, live_server, user)
        assert browser.current_url == f"{live_server.url}/", (
            f"sign-in as {user.email} ended on {browser.current_url}"
        )
        return user

    return sign_in_new_user


def sign_in(browser: WebDriver, live_server, user, password: str = PASSWORD) -> None:
    """Sign in through the GOV.UK sign-in form, as a person would.

    `user` is a User or an email address. Leaves the browser on the page the form
    leads to (the home page, or the error page of a failed sign-in).
    """
    email = getattr(user, "email", user)
    browser.get(f"{live_server.url}/account/sign-in/")
    fill_sign_in_form(browser, email, password)


def fill_sign_in_form(browser: WebDriver, email: str, password: str) -> None:
    """Fill and submit the sign-in form already open in the browser."""
    username = browser.find_element(By.NAME, "username")
    username.clear()
    username.send_keys(email)
    field = browser.find_element(By.NAME, "password")
    field.clear()
    field.send_keys(password)
    old_page = browser.find_element(By.TAG_NAME, "html")
    button_by_text(browser, "Sign in").click()
    wait_for_new_page(browser, old_page)


def button_by_text(browser: WebDriver, text: str):
    return browser.find_element(
        By.XPATH, f"//button[normalize-space()='{text}'] | //input[@type='submit'][@value='{text}']"
    )


def _replaced(old_page):
    """True once `old_page` no longer belongs to the current document. Mid-navigation,
    Chromium can report that as a plain "does not belong to the document" error rather
    than a stale element, so both count."""

    def check(_driver) -> bool:
        try:
            old_page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
        return False

    return check


def wait_for_new_page(browser: WebDriver, old_page, timeout: float = 10) -> None:
    """Wait until the page that held `old_page` has been replaced and has loaded."""
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, timeout)
    wait.until(_replaced(old_page))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


_AXE_RUN = """
const [axeUrl, impacts, done] = arguments;
function run() {
  axe.run(document, {resultTypes: ['violations']}).then(
    (results) => done({violations: results.violations
      .filter((v) => impacts.includes(v.impact))
      .map((v) => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map((n) => ({target: n.target, html: n.html,
                                                summary: n.failureSummary}))}))}),
    (error) => done({error: String(error)}));
}
if (window.axe) { run(); } else {
  const script = document.createElement('script');
  script.src = axeUrl;
  script.onload = run;
  script.onerror = () => done({error: 'could not load ' + axeUrl});
  document.head.appendChild(script);
}
"""


def axe_violations(
    browser: WebDriver, impact: Iterable[str] = ("serious", "critical")
) -> list[dict]:
    """Run axe-core on the current page; return its violations of the given impacts.

    axe is loaded from the live server's /static/vendor/axe.min.js (copied there by
    `make install`). Each violation is a dict with id, impact, help, helpUrl and nodes
    (each with target, html and summary).
    """
    result = browser.execute_async_script(_AXE_RUN, AXE_URL, list(impact))
    if "error" in result:
        raise AssertionError(
            f"axe-core did not run on {browser.current_url}: {result['error']} "
            "(has `make install` copied it to static/vendor/?)"
        )
    return result["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("summary"):
                lines.extend(f"      {line}" for line in node["summary"].splitlines())
    return "\n".join(lines)


def assert_accessible(browser: WebDriver, impact: Iterable[str] = ("serious", "critical")):
    """Fail, listing every violation, if axe-core finds any of these impacts."""
    violations = axe_violations(browser, impact)
    assert not violations, (
        f"axe-core found {len(violations)} accessibility violation(s) on "
        f"{browser.current_url}:\n{format_violations(violations)}"
    )


def broken_resources(browser: WebDriver) -> list[str]:
    """Stylesheets, scripts, fonts and images of the current page that failed to load
    (HTTP status 400 or more), once the page's fonts have settled."""
    return browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        document.fonts.ready.then(() => done(
          performance.getEntriesByType('resource')
            .filter((e) => e.responseStatus >= 400)
            .map((e) => e.responseStatus + ' ' + e.name)
            .concat([...document.fonts].filter((f) => f.status === 'error')
                     .map((f) => 'font ' + f.family + ' ' + f.weight))));
        """
    )


def check_page(browser: WebDriver, impact: Iterable[str] = ("serious", "critical")) -> None:
    """The one-line check for any page: assets loaded and no axe-core violations."""
    assert_assets_loaded(browser)
    assert_accessible(browser, impact)


def assert_assets_loaded(browser: WebDriver) -> None:
    """Fail unless GOV.UK Frontend's CSS applied, its JavaScript initialised, and every
    stylesheet, script, font and image the page asked for loaded."""
    state = browser.execute_script(
        """
        const button = document.querySelector('.govuk-button');
        const skip = document.querySelector('.govuk-skip-link');
        return {
          supported: document.body.classList.contains('govuk-frontend-supported'),
          skipLinkInit: skip !== null && skip.hasAttribute('data-govuk-skip-link-init'),
          buttonColour: button && getComputedStyle(button).backgroundColor,
          skipLinkPosition: skip && getComputedStyle(skip).position,
        };
        """
    )
    assert state["supported"], state
    assert state["skipLinkPosition"] == "absolute", f"GOV.UK Frontend CSS not applied: {state}"
    assert state["skipLinkInit"], f"GOV.UK Frontend JavaScript did not initialise: {state}"
    broken = broken_resources(browser)
    assert not broken, f"Assets failed to load on {browser.current_url}: {broken}"
