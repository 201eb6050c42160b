"""Page views at the shipped defaults, in Chromium: every service that counts page views
(Google, HubSpot, Kissmetrics, Meta Pixel) counts the visitor who never moves, scrolls, types
or clicks, and counts the visitor who clicks once, not twice.

The `signup` page (all six services) under the nonce-only 'strict-dynamic' policy and under
the host allow-list, with no LOAD setting (tests/settings.py starts every service at "ready"
for the other browser tests) and a production log level, so the page runs start.js alone
until the idle trigger brings the rest. The package's recording fakes count each vendor's
page view where its library sends one (analytix_frontend.testing.fake_scripts). Waits are
Playwright's, with generous timeouts: the idle trigger fires within 3 s of `load`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from analytix_frontend.testing.browser import CALLS_KEY, FakeVendors, route_vendor_fakes
from tests.conftest import BrowserPage

pytestmark = pytest.mark.browser

POLICIES = ["csp-strict", "csp-allowlist"]
PAGE_VIEW_SERVICES = ("google", "hubspot", "kissmetrics", "facebook_pixel")
TIMEOUT_MS = 20_000  # generous: the shared machine is slow, the idle deadline is 3 s
# Every input the "interaction" trigger listens for (start.js), as the page sees it, and every
# CSP violation.
WATCH = """
window.__inputs = [];
["pointerdown", "keydown", "scroll", "touchstart", "mousemove"].forEach(function (type) {
  window.addEventListener(type, function () { window.__inputs.push(type); }, true);
});
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.blockedURI + " " + event.violatedDirective);
});
"""


def open_signup(
    open_page: Any, settings: Any, policy: str, wait_until: str = "load"
) -> tuple[BrowserPage, FakeVendors]:
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "warning"}  # the shipped triggers
    browser_page = open_page("block")  # any other off-site request fails: no network
    vendors = route_vendor_fakes(browser_page.page)
    browser_page.vendor_requests = vendors.requests
    browser_page.page.add_init_script(WATCH)
    browser_page.goto(f"/privacy/{policy}/signup/", wait_until=wait_until)
    return browser_page, vendors


def wait_for_page_views(browser_page: BrowserPage, vendors: FakeVendors) -> None:
    """Waits for a page view from each page-view service; says which never came."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        vendors.wait_for_page_views(*PAGE_VIEW_SERVICES, timeout=TIMEOUT_MS)
    except PlaywrightTimeoutError:
        counted = {view.service for view in vendors.page_views()}
        states = browser_page.page.evaluate(
            "Object.fromEntries(Object.entries(analytix.services).map(([n, s]) => [n, s.state]))"
        )
        missing = sorted(set(PAGE_VIEW_SERVICES) - counted)
        pytest.fail(f"no page view from {missing} within {TIMEOUT_MS} ms; states: {states}")


def wait_started(browser_page: BrowserPage, *names: str) -> None:
    browser_page.page.wait_for_function(
        "names => names.every(n => (analytix.services[n] || {}).state === 'loaded')",
        arg=list(names),
        timeout=TIMEOUT_MS,
    )


@pytest.mark.parametrize("policy", POLICIES)
def test_a_visitor_who_never_touches_the_page_is_counted_by_every_page_view_service(
    open_page: Any, settings: Any, policy: str
) -> None:
    browser_page, vendors = open_signup(open_page, settings, policy)
    page = browser_page.page

    wait_for_page_views(browser_page, vendors)

    path = f"/privacy/{policy}/signup/"
    assert Counter(
        view.service for view in vendors.page_views() if view.url == path
    ) == dict.fromkeys(PAGE_VIEW_SERVICES, 1)
    # HubSpot's visitor token, which a later form submission joins to this visit.
    assert "hubspotutk" in {cookie["name"] for cookie in page.context.cookies()}
    # FullStory (session replay) still waits for the first interaction, Drift for its launcher.
    assert page.evaluate("analytix.services.fullstory.state") == "scheduled"
    assert vendors.loaded() == set(PAGE_VIEW_SERVICES)
    assert page.evaluate("window.__inputs") == []  # the visitor really did nothing
    assert page.evaluate("window.__cspViolations") == []
    assert browser_page.errors == []


@pytest.mark.parametrize("policy", POLICIES)
def test_a_visitor_who_clicks_at_once_is_counted_once(
    open_page: Any, settings: Any, policy: str
) -> None:
    # The click lands before `load`, so the interaction trigger fires before the idle one:
    # each service may be asked to start by both, and must count one page view.
    browser_page, vendors = open_signup(open_page, settings, policy, "domcontentloaded")
    page = browser_page.page
    page.mouse.click(5, 5)
    page.wait_for_load_state("load")

    wait_started(browser_page, *PAGE_VIEW_SERVICES, "fullstory")
    wait_for_page_views(browser_page, vendors)
    # Later input starts nothing again; a call sent after it is the last thing to arrive.
    page.mouse.click(5, 5)
    page.keyboard.press("Shift")
    page.mouse.wheel(0, 200)
    page.evaluate("analytix.track('Read to the end')")
    page.wait_for_function(
        "key => (sessionStorage.getItem(key) || '').includes('read_to_the_end')",
        arg=CALLS_KEY,
        timeout=TIMEOUT_MS,
    )

    assert Counter(view.service for view in vendors.page_views()) == dict.fromkeys(
        PAGE_VIEW_SERVICES, 1
    )
    assert Counter(url.split("/")[2] for url in vendors.requests if "hs-scripts" in url) == {
        "js.hs-scripts.com": 1
    }
    assert "pointerdown" in page.evaluate("window.__inputs")
    assert page.evaluate("window.__cspViolations") == []
    assert browser_page.errors == []
