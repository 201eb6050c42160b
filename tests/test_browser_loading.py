"""How vendor scripts load in headless Chromium: never in the page's way, once each, logged
at the configured level, and harmless when blocked or unknown."""

from __future__ import annotations

from typing import Any

import pytest

from analytix_frontend.decide.services import DEFAULT_AREAS, SERVICES_BY_NAME
from tests.conftest import VENDOR_HOSTS, BrowserPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SIGNUP_SCRIPT_COUNT = 7  # six vendors, Kissmetrics with two scripts

# Runs before any page script: what the page looked like when DOMContentLoaded fired, and
# when the main script had run (analytix.ready: start.js loads it, here at once).
SNAPSHOT_AT_DOMCONTENTLOADED = """
const snapshot = () => {
  const analytix = window.analytix || {};
  return {
    pageScriptRan: typeof window.pageScriptRanAt === "number",
    scriptStates: Object.assign({}, analytix.scriptStates || {}),
    vendorScripts: document.querySelectorAll('script[src^="https://"]').length,
    stubs: {
      gtag: typeof window.gtag, dataLayer: Array.isArray(window.dataLayer),
      hsq: Array.isArray(window._hsq), kmq: Array.isArray(window._kmq),
      drift: typeof window.drift, fs: typeof window.FS, fbq: typeof window.fbq,
    },
  };
};
document.addEventListener("DOMContentLoaded", () => {
  window.__atDOMContentLoaded = snapshot();
  window.analytix.ready(() => { window.__atReady = snapshot(); });
});
window.__loadFired = false;
window.addEventListener("load", () => { window.__loadFired = true; });
"""

ALL_SCRIPTS_SETTLED = """n => {
  const states = Object.values((window.analytix || {}).scriptStates || {});
  return states.length >= n && states.every(s => s !== "loading");
}"""


def vendor_script_urls(browser_page: BrowserPage) -> list[str]:
    return browser_page.page.evaluate(
        "[...document.querySelectorAll('script[src^=\"https://\"]')].map(s => s.src)"
    )


def open_signup(open_page: Any, vendors: str) -> tuple[BrowserPage, dict[str, Any]]:
    """The signup page, and what it looked like at DOMContentLoaded ("ready": the same when
    the main script had run)."""
    browser_page = open_page(vendors)
    browser_page.page.add_init_script(SNAPSHOT_AT_DOMCONTENTLOADED)
    browser_page.goto("/page/signup/", wait_until="domcontentloaded")
    browser_page.page.wait_for_function("window.__atReady !== undefined")
    return browser_page, {
        **browser_page.page.evaluate("window.__atDOMContentLoaded"),
        "ready": browser_page.page.evaluate("window.__atReady"),
    }


def test_a_hanging_vendor_delays_neither_domcontentloaded_nor_the_pages_script(open_page) -> None:
    hanging, at_dcl = open_signup(open_page, "hang")
    # DOMContentLoaded fired, after the page's own deferred script, before any vendor script
    # went in; the main script then has every one "loading", and they hang.
    assert at_dcl["pageScriptRan"] is True
    assert at_dcl["vendorScripts"] == 0
    assert len(at_dcl["ready"]["scriptStates"]) == SIGNUP_SCRIPT_COUNT
    assert set(at_dcl["ready"]["scriptStates"].values()) == {"loading"}
    hanging.page.wait_for_function(
        "n => document.querySelectorAll('script[src^=\"https://\"]').length === n",
        arg=SIGNUP_SCRIPT_COUNT,
    )
    assert set(hanging.page.evaluate("Object.values(window.analytix.scriptStates)")) == {"loading"}
    assert hanging.page.evaluate("document.getElementById('heading').textContent") == "signup"
    assert hanging.errors == []

    # The same page with the vendors aborted reaches DOMContentLoaded in the same state:
    # the same vendor scripts requested, the page's script already run.
    blocked, blocked_at_dcl = open_signup(open_page, "block")
    assert blocked_at_dcl["pageScriptRan"] is True
    assert set(blocked_at_dcl["ready"]["scriptStates"]) == set(at_dcl["ready"]["scriptStates"])
    blocked.page.wait_for_function("window.__loadFired")
    assert blocked.page.evaluate("window.__loadFired") is True


def test_vendor_scripts_go_in_after_domcontentloaded_with_their_stubs_ready(open_page) -> None:
    # Inserting a <script> starts its request on the main thread, so nothing goes in before
    # DOMContentLoaded; the stubs page code calls are there once the main script has run
    # (analytix.ready), as the vendor scripts are requested.
    browser_page, at_dcl = open_signup(open_page, "fake")
    assert at_dcl["vendorScripts"] == 0
    at_ready = at_dcl["ready"]
    assert set(at_ready["scriptStates"].values()) == {"loading"}
    assert len(at_ready["scriptStates"]) == SIGNUP_SCRIPT_COUNT
    assert at_ready["stubs"] == {
        "gtag": "function",
        "dataLayer": True,
        "hsq": True,
        "kmq": True,
        "drift": "object",
        "fs": "function",
        "fbq": "function",
    }
    browser_page.page.wait_for_function(ALL_SCRIPTS_SETTLED, arg=SIGNUP_SCRIPT_COUNT)
    assert len(vendor_script_urls(browser_page)) == SIGNUP_SCRIPT_COUNT
    assert set(browser_page.page.evaluate("Object.values(window.analytix.scriptStates)")) == {
        "loaded"
    }
    assert browser_page.errors == []


def test_the_tag_rendered_twice_requests_each_vendor_url_once(open_page) -> None:
    browser_page = open_page("fake")
    browser_page.goto("/page/signup/?twice=1")
    config_blocks = browser_page.page.evaluate(
        "document.querySelectorAll('script[data-analytix-config]').length"
    )
    assert config_blocks == 2  # the page really has the tag twice
    browser_page.page.wait_for_function(ALL_SCRIPTS_SETTLED, arg=SIGNUP_SCRIPT_COUNT)
    requested = browser_page.vendor_requests
    assert len(requested) == SIGNUP_SCRIPT_COUNT
    assert len(set(requested)) == len(requested)
    assert sorted(vendor_script_urls(browser_page)) == sorted(requested)
    assert browser_page.requested_hosts() == set(VENDOR_HOSTS)
    assert len(browser_page.page.evaluate("window.__fakeVendorsRan")) == SIGNUP_SCRIPT_COUNT
    assert browser_page.errors == []


# The default area with Kissmetrics' key missing: Google loads (fake), HubSpot is blocked,
# Kissmetrics is off for "no id", Drift, FullStory and Meta Pixel are off for "area".
GOOGLE_URL = "https://www.googletagmanager.com/gtag/js?id=G-ABC123DEF4"
HUBSPOT_URL = "https://js.hs-scripts.com/1234567.js"
OFF_REASONS = {"Kissmetrics": "no id", "Drift": "area", "FullStory": "area", "Meta Pixel": "area"}
HUBSPOT_FAILED = f"[WARNING] HubSpot | failed to load (blocked or offline): {HUBSPOT_URL}"


def console_at_level(open_page: Any, settings: Any, level: str) -> BrowserPage:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "LOG_LEVEL": level}
    ids = dict(settings.ANALYTICS_IDS)
    del ids["KISSMETRICS_KEY"]
    settings.ANALYTICS_IDS = ids
    browser_page = open_page("fake", block_hosts={"js.hs-scripts.com"})
    browser_page.goto("/page/default/")
    browser_page.page.wait_for_function(ALL_SCRIPTS_SETTLED, arg=2)
    browser_page.page.evaluate("1")  # a round trip: console events sent before it are in
    assert browser_page.errors == []
    return browser_page


def group_labels(browser_page: BrowserPage) -> list[str]:
    """Console groups by name: their text is "%c<label> %c<state> <css> <css>" (no
    substitution applied)."""
    return [
        m.text.removeprefix("%c").split(" %c", 1)[0]
        for m in browser_page.console
        if m.type in ("startGroup", "startGroupCollapsed")
    ]


def test_console_at_off_prints_nothing(open_page, settings) -> None:
    browser_page = console_at_level(open_page, settings, "off")
    assert browser_page.console_lines() == []
    assert [m for m in browser_page.console if m.type.endswith("Group")] == []


def test_console_at_warning_prints_only_the_failure(open_page, settings) -> None:
    browser_page = console_at_level(open_page, settings, "warning")
    assert browser_page.console_lines() == [HUBSPOT_FAILED]
    assert [m.type for m in browser_page.console if m.text == HUBSPOT_FAILED] == ["warning"]
    assert group_labels(browser_page) == []


def test_console_at_debug_adds_the_reason_for_each_off_service(open_page, settings) -> None:
    browser_page = console_at_level(open_page, settings, "debug")
    lines = browser_page.console_lines()
    debug = [line for line in lines if line.startswith("[DEBUG]") and "not loaded" in line]
    assert len(debug) == len(OFF_REASONS)
    started = [line for line in lines if line.startswith("[DEBUG]") and "on: loading" in line]
    assert len(started) == 2  # one line per service that starts: Google, HubSpot
    for label, reason in OFF_REASONS.items():
        assert any(line.startswith(f"[DEBUG] {label} | not loaded: {reason}") for line in debug)
    assert [line for line in lines if not line.startswith("[DEBUG]")] == [HUBSPOT_FAILED]
    assert len(lines) == len(OFF_REASONS) + 2 + 1
    assert not any(line.startswith("[VERBOSE]") for line in lines)
    assert sorted(group_labels(browser_page)) == sorted(OFF_REASONS)


def test_console_at_verbose_tells_the_whole_story_of_every_service(open_page, settings) -> None:
    browser_page = console_at_level(open_page, settings, "verbose")
    lines = browser_page.console_lines()
    expected_in_order = {
        "Google Analytics": [
            "[DEBUG] Google Analytics | on: loading with id G-ABC123DEF4",
            f"[VERBOSE] Google Analytics | requesting {GOOGLE_URL}",
            f"[VERBOSE] Google Analytics | loaded {GOOGLE_URL}",
        ],
        "HubSpot": [
            "[DEBUG] HubSpot | on: loading with id 1234567",
            f"[VERBOSE] HubSpot | requesting {HUBSPOT_URL}",
            HUBSPOT_FAILED,
        ],
    }
    for label, story in expected_in_order.items():
        mine = [line for line in lines if line.split(" | ")[0].endswith(" " + label)]
        assert mine == story, label
    for label, reason in OFF_REASONS.items():
        assert any(line.startswith(f"[DEBUG] {label} | not loaded: {reason}") for line in lines)
    assert '[VERBOSE] analytix | page area "default"' in lines
    # Every service of the area, and every one that is off, has its own group.
    assert sorted(group_labels(browser_page)) == sorted(s.label for s in SERVICES_BY_NAME.values())


def test_an_unknown_area_from_a_variable_loads_nothing_and_warns(open_page) -> None:
    browser_page = open_page("fake")
    browser_page.goto("/page/no-such-area/")
    browser_page.page.wait_for_function("typeof window.pageScriptRanAt === 'number'")
    browser_page.page.evaluate("1")
    assert browser_page.vendor_requests == []
    assert vendor_script_urls(browser_page) == []
    assert browser_page.console_lines() == [
        '[WARNING] analytix | unknown page area "no-such-area": no vendor scripts loaded.'
        " Known areas: app_builder, default, prelogin, report_builder, signup"
    ]
    assert browser_page.page.evaluate("Object.keys(window.analytix.scriptStates)") == []
    assert browser_page.page.evaluate("document.getElementById('heading').textContent") == (
        "no-such-area"
    )
    assert browser_page.errors == []


# Page code calling each vendor's API after its script was blocked; returns what FullStory's
# Promise API gave back, which must be a rejection rather than a Promise left hanging.
CALL_EVERY_STUB = """async () => {
  gtag("event", "sign_up", {method: "email"});
  fbq("track", "Lead");
  _kmq.push(["record", "Signed Up"]);
  _hsq.push(["trackPageView"]);
  drift.track("Signed up").identify("user-1");
  FS("trackEvent", {name: "Signed up"});
  FS.identify("user-1");
  try {
    await FS("getSessionAsync");
    return "resolved";
  } catch (error) {
    return "rejected: " + error.message;
  }
}"""


def test_with_every_vendor_blocked_the_stubs_still_take_calls(open_page) -> None:
    browser_page = open_page("block")
    browser_page.goto("/page/signup/")
    browser_page.page.wait_for_function(ALL_SCRIPTS_SETTLED, arg=SIGNUP_SCRIPT_COUNT)
    states = browser_page.page.evaluate("Object.values(window.analytix.scriptStates)")
    assert states == ["failed"] * SIGNUP_SCRIPT_COUNT
    before = browser_page.page.evaluate("[dataLayer.length, fbq.queue.length, _kmq.length]")
    result = browser_page.page.evaluate(CALL_EVERY_STUB)
    after = browser_page.page.evaluate("[dataLayer.length, fbq.queue.length, _kmq.length]")
    assert result == "rejected: Error loading edge.fullstory.com/s/fs.js"
    assert after == [n + 1 for n in before]  # queued for a library that never came
    services = browser_page.page.evaluate(
        "Object.fromEntries(Object.entries(window.analytix.services).map(([k, v]) => [k, v.state]))"
    )
    assert services == {name: "failed" for name in DEFAULT_AREAS["signup"]}
    assert browser_page.errors == []
