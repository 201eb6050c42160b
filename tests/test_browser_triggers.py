"""Load triggers and the Drift facade in Chromium, at the shipped defaults (tests/settings.py
puts every service at "ready" for the other browser tests; here ANALYTICS_CONFIG has no LOAD).

Under the nonce-only 'strict-dynamic' policy and under the host allow-list: nothing starts
before its trigger (no vendor request), everything starts after it, calls made earlier reach
each vendor once, and the facade opens the real (fake) chat on click or keyboard. At a
production log level the page runs start.js alone until the idle trigger or its own first call
brings the main script (with the nonce).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from analytix_frontend.testing.browser import CALLS_KEY
from tests.fake_vendors import answer_with_recording_fakes

pytestmark = pytest.mark.browser

POLICIES = ["csp-strict", "csp-allowlist"]
CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.blockedURI + " " + event.violatedDirective);
});
"""
# Records a call where the package's recording fakes keep theirs (FakeVendors.calls).
RECORD = f"""
function record(service, args) {{
  var calls = JSON.parse(sessionStorage.getItem({json.dumps(CALLS_KEY)}) || "[]");
  calls.push([service, JSON.parse(JSON.stringify(Array.prototype.slice.call(args)))]);
  sessionStorage.setItem({json.dumps(CALLS_KEY)}, JSON.stringify(calls));
}}
"""
# Drift's library as the facade needs it: drains the stub, answers on("ready") with its API.
FAKE_DRIFT = (
    "(function () {"
    + RECORD
    + """
var stub = window.drift || [], ready = [];
var api = { openChat: function () { record("drift", ["openChat"]); } };
var drift = { init: function () {}, api: api };
function handle(entry) {
  if (entry[0] === "on" && entry[1] === "ready") { ready.push(entry[2]); }
  else { record("drift", entry); }
}
["identify", "config", "track", "on"].forEach(function (method) {
  drift[method] = function () { handle([method].concat([].slice.call(arguments))); };
});
stub.forEach(handle);
window.drift = window.driftt = drift;
setTimeout(function () { ready.forEach(function (callback) { callback(api, {}); }); }, 0);
})();"""
)


def hosts(browser_page: Any) -> set[str]:
    return {re.sub(r"^https?://([^/]+)/.*$", r"\1", url) for url in browser_page.vendor_requests}


def calls(browser_page: Any, service: str) -> list[Any]:
    raw = browser_page.page.evaluate(f"sessionStorage.getItem({json.dumps(CALLS_KEY)}) || '[]'")
    return [args for name, args in json.loads(raw) if name == service]


def wait_loaded(browser_page: Any, *names: str) -> None:
    browser_page.page.wait_for_function(
        "names => names.every(n => (analytix.services[n] || {}).state === 'loaded')",
        arg=list(names),
    )


def open_defaults(open_page: Any, settings: Any, policy: str, level: str = "verbose") -> Any:
    """signup at the shipped triggers. At verbose the main script comes at once; at warning
    (a production level) at the idle trigger."""
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": level}  # the shipped triggers
    browser_page = open_page("fake")
    answer_with_recording_fakes(browser_page)

    def drift(route: Any) -> None:
        browser_page.vendor_requests.append(route.request.url)
        route.fulfill(status=200, content_type="application/javascript", body=FAKE_DRIFT)

    browser_page.page.route("https://js.driftt.com/**", drift)
    browser_page.page.add_init_script(CSP_VIOLATIONS)
    browser_page.goto(f"/privacy/{policy}/signup/")
    return browser_page


@pytest.mark.parametrize("policy", POLICIES)
def test_each_service_starts_at_its_trigger_and_gets_earlier_calls_once(
    open_page: Any, settings: Any, policy: str
) -> None:
    browser_page = open_defaults(open_page, settings, policy)
    page = browser_page.page
    # "idle": the page-view services start after load, with no input.
    wait_loaded(browser_page, "google", "kissmetrics", "facebook_pixel", "hubspot")
    assert hosts(browser_page) <= {
        "www.googletagmanager.com",
        "i.kissmetrics.io",
        "scripts.kissmetrics.io",
        "connect.facebook.net",
        "js.hs-scripts.com",
    }
    states = page.evaluate("['fullstory', 'drift'].map(n => analytix.services[n].state)")
    assert states == ["scheduled"] * 2
    page.evaluate("analytix.track('Early event', {step: 1})")
    page.evaluate("window.drift.identify('visitor-7', {plan: 'pro'})")  # the page's own call
    # "interaction": a real click on the page (not on the launcher) starts FullStory.
    page.mouse.click(20, 20)
    wait_loaded(browser_page, "fullstory")
    assert "js.driftt.com" not in hosts(browser_page), "Drift waits for its launcher"
    page.evaluate("analytix.track('Later event', {step: 2})")
    hubspot_events = [
        c[1]["name"] for c in calls(browser_page, "hubspot") if c[0].startswith("track")
    ]
    assert hubspot_events.count("pe1234567_early_event") == 1
    assert hubspot_events.count("pe1234567_later_event") == 1
    google_events = [c[1] for c in calls(browser_page, "google") if c[0] == "event"]
    assert google_events.count("early_event") == 1 and google_events.count("later_event") == 1
    fullstory = [c for c in calls(browser_page, "fullstory") if "Early event" in json.dumps(c)]
    assert len(fullstory) == 1
    lines = browser_page.console_lines()
    assert any(
        re.fullmatch(r"\[VERBOSE\] Google Analytics \| trigger idle fired after \d+\.\d s", line)
        for line in lines
    )
    assert any(
        re.fullmatch(r"\[VERBOSE\] HubSpot \| trigger idle fired after \d+\.\d s", line)
        for line in lines
    )
    assert any(
        re.fullmatch(r"\[VERBOSE\] FullStory \| trigger interaction fired after \d+\.\d s", line)
        for line in lines
    )
    assert "[DEBUG] Drift | facade shown; loads on click" in lines
    assert page.evaluate("window.__cspViolations") == []
    assert browser_page.errors == []


@pytest.mark.parametrize("level", ["verbose", "warning"])
@pytest.mark.parametrize("policy", POLICIES)
def test_the_drift_facade_opens_the_real_chat_from_the_keyboard(
    open_page: Any, settings: Any, policy: str, level: str
) -> None:
    browser_page = open_defaults(open_page, settings, policy, level)
    page = browser_page.page
    launcher = page.get_by_role("button", name="Open chat")
    launcher.wait_for()
    box = launcher.bounding_box()
    viewport = page.viewport_size
    assert box["x"] > viewport["width"] / 2 and box["y"] > viewport["height"] / 2, "bottom right"
    assert launcher.evaluate("b => getComputedStyle(b).position") == "fixed", (
        "its stylesheet applied"
    )
    page.evaluate("window.drift.identify('visitor-7', {plan: 'pro'})")
    page.keyboard.press("Tab")  # the visitor's first key starts FullStory, not Drift
    while not launcher.evaluate("b => b === document.activeElement"):
        page.keyboard.press("Tab")
    assert any("js.driftt.com" in url for url in browser_page.vendor_requests) is False
    assert page.locator('link[rel="preconnect"][href^="https://js.driftt.com"]').count() == 1
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.querySelector('button.analytix-launcher')")
    drift = calls(browser_page, "drift")
    assert drift.count(["openChat"]) == 1
    assert [c for c in drift if c[0] == "identify"] == [["identify", "visitor-7", {"plan": "pro"}]]
    assert page.evaluate("analytix.services.drift.state") == "loaded"
    assert page.evaluate("window.__cspViolations") == []
    assert browser_page.errors == []


# Each launcher as it goes into the page, and its computed position at that moment: a launcher
# inserted before its stylesheet applied would read "static" (in the page flow).
LAUNCHER_WATCH = """
window.__launcherAtInsert = [];
new MutationObserver(function (records) {
  records.forEach(function (record) {
    record.addedNodes.forEach(function (node) {
      if (node.nodeType === 1 && node.classList.contains("analytix-launcher")) {
        window.__launcherAtInsert.push(getComputedStyle(node).position);
      }
    });
  });
}).observe(document, { childList: true, subtree: true });
"""


@pytest.mark.parametrize("level", ["verbose", "warning"])
@pytest.mark.parametrize("policy", POLICIES)
def test_the_launcher_is_never_on_the_page_unstyled(
    open_page: Any, settings: Any, policy: str, level: str
) -> None:
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": level}
    browser_page = open_page("fake")
    answer_with_recording_fakes(browser_page)
    browser_page.page.add_init_script(CSP_VIOLATIONS + LAUNCHER_WATCH)
    browser_page.goto(f"/privacy/{policy}/signup/")
    page = browser_page.page
    page.get_by_role("button", name="Open chat").wait_for()
    assert page.evaluate("window.__launcherAtInsert") == ["fixed"]
    assert page.evaluate("window.__cspViolations") == []
    assert browser_page.errors == []


def test_without_its_stylesheet_drift_starts_at_the_first_interaction(
    open_page: Any, settings: Any
) -> None:
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "warning"}
    browser_page = open_page("fake")
    answer_with_recording_fakes(browser_page)
    page = browser_page.page
    page.route("**/launcher*.css", lambda route: route.abort())  # blocked, or offline
    page.add_init_script(CSP_VIOLATIONS)
    browser_page.goto("/privacy/csp-allowlist/signup/")
    page.wait_for_function("() => (window.analytix.services.drift || {}).state === 'scheduled'")
    assert page.locator("button.analytix-launcher").count() == 0
    assert "js.driftt.com" not in hosts(browser_page)
    page.mouse.click(20, 20)
    page.wait_for_function("() => window.analytix.services.drift.state === 'loaded'")
    lines = [line for line in browser_page.console_lines() if line.startswith("[")]
    assert len(lines) == 1 and lines[0].startswith(
        "[WARNING] Drift | facade not shown (its stylesheet failed to load: "
    ), lines
    assert browser_page.errors == []


# At the load event, before start.js's own load listener (an init script runs first): the
# first-party scripts on the page and whether the main script has run; then a call of the
# page's own, which start.js keeps.
AT_LOAD = """
window.addEventListener("load", function () {
  window.__atLoad = {
    // The tag writes them on the page's own host (//host/static/...): no <base> moves them.
    scripts: [...document.querySelectorAll("script[src]")].map(s => s.getAttribute("src"))
      .filter(src => src.startsWith("//" + location.host + "/static/analytix/"))
      .map(src => src.slice(2 + location.host.length)),
    mainRan: typeof window.analytix.readPageConfigs === "function",
    services: Object.keys(window.analytix.services).length,
  };
  window.__trackedAtLoad = window.analytix.track("At load", {step: 0});
});
"""


@pytest.mark.parametrize("policy", POLICIES)
def test_at_a_production_log_level_the_page_runs_start_js_alone_until_it_needs_more(
    open_page: Any, settings: Any, policy: str
) -> None:
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "warning"}  # the shipped triggers; no console
    browser_page = open_page("fake")
    answer_with_recording_fakes(browser_page)
    page = browser_page.page
    page.add_init_script(CSP_VIOLATIONS + AT_LOAD)
    browser_page.goto(f"/privacy/{policy}/signup/")
    at_load = page.evaluate("window.__atLoad")
    assert at_load == {
        "scripts": ["/static/analytix/js/analytix.min.js"],
        "mainRan": False,
        "services": 0,
    }
    assert page.evaluate("window.__trackedAtLoad") == []  # kept: nothing could be sent yet
    # The page's call brought the main script; the idle services start and get the call once.
    wait_loaded(browser_page, "google", "kissmetrics", "facebook_pixel", "hubspot")
    main = page.evaluate(
        "[...document.querySelectorAll('script[src]')].filter(s => s.src.includes('/main.'))"
        ".map(s => [new URL(s.getAttribute('src')).pathname, s.nonce])"
    )
    config_nonce = page.evaluate("document.querySelector('script[data-analytix-config]').nonce")
    assert main == [["/static/analytix/js/main.min.js", config_nonce]] and config_nonce
    assert page.evaluate("analytix.services.fullstory.state") == "scheduled"
    google_events = [c[1] for c in calls(browser_page, "google") if c[0] == "event"]
    assert google_events.count("at_load") == 1
    hubspot_events = [
        c[1]["name"] for c in calls(browser_page, "hubspot") if c[0].startswith("track")
    ]
    assert hubspot_events.count("pe1234567_at_load") == 1
    page.mouse.click(20, 20)
    wait_loaded(browser_page, "fullstory")
    fullstory = [c for c in calls(browser_page, "fullstory") if "At load" in json.dumps(c)]
    assert len(fullstory) == 1
    assert "js.driftt.com" not in hosts(browser_page)
    assert page.evaluate("window.__cspViolations") == []
    assert browser_page.errors == []
    assert browser_page.console_lines() == []  # warning level: nothing went wrong


@pytest.mark.parametrize("policy", POLICIES)
def test_with_no_call_the_main_script_comes_at_the_idle_trigger(
    open_page: Any, settings: Any, policy: str
) -> None:
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "warning"}
    browser_page = open_page("fake")
    answer_with_recording_fakes(browser_page)
    page = browser_page.page
    page.add_init_script(CSP_VIOLATIONS)
    # The idle trigger, seen from the page: when requestIdleCallback's callbacks ran.
    page.add_init_script(
        "window.__idleAt = null; const rIC = window.requestIdleCallback;"
        "window.requestIdleCallback = (fn, o) => rIC((d) => {"
        " window.__idleAt = window.__idleAt ?? performance.now(); fn(d); }, o);"
    )
    browser_page.goto(f"/privacy/{policy}/signup/")
    wait_loaded(browser_page, "google", "kissmetrics", "facebook_pixel")
    (main_start,) = page.evaluate(
        "performance.getEntriesByType('resource').filter(e => e.name.includes('/main.min.js'))"
        ".map(e => e.startTime)"
    )
    load_end = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    idle_at = page.evaluate("window.__idleAt")
    assert idle_at is not None and load_end <= idle_at <= main_start
    assert page.evaluate("window.__cspViolations") == []
    assert browser_page.errors == []
