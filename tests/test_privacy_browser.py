"""CSP, consent and Global Privacy Control in headless Chromium, against the live server."""

from __future__ import annotations

from typing import Any

import pytest

from analytix_frontend.decide.services import DEFAULT_AREAS
from tests.conftest import VENDOR_HOSTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

HOSTS_BY_SERVICE: dict[str, set[str]] = {}
for _host, _service in VENDOR_HOSTS.items():
    HOSTS_BY_SERVICE.setdefault(_service, set()).add(_host)
SIGNUP_HOSTS = set().union(*(HOSTS_BY_SERVICE[s] for s in DEFAULT_AREAS["signup"]))

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
BOOTED = "() => Object.keys((window.analytix && window.analytix.services) || {}).length === 6"


def hosts_of(*services: str) -> set[str]:
    return set().union(*(HOSTS_BY_SERVICE[s] for s in services))


def wait_for_vendors(page: Any, count: int) -> None:
    page.wait_for_function("n => (window.__fakeVendorsRan || []).length >= n", arg=count)


# Playwright evaluates a plain-expression predicate with eval(), which these policies refuse:
# every wait_for_function here passes a function ("() => ...") instead.

# --- Content-Security-Policy ---------------------------------------------------------------


@pytest.mark.parametrize("policy", ["csp-allowlist", "csp-strict"])
def test_vendors_load_under_the_policy_without_a_single_violation(open_page, policy: str) -> None:
    browser_page = open_page("fake")
    browser_page.page.add_init_script(RECORD_VIOLATIONS)
    response = browser_page.goto(f"/privacy/{policy}/signup/")
    header = response.headers["content-security-policy"]
    assert "'nonce-" in header
    assert ("'strict-dynamic'" in header) == (policy == "csp-strict")
    wait_for_vendors(browser_page.page, len(SIGNUP_HOSTS))
    browser_page.page.wait_for_function("() => window.pageScriptRanAt !== undefined")
    assert browser_page.requested_hosts() == SIGNUP_HOSTS
    assert browser_page.page.evaluate("window.__cspViolations") == []
    assert browser_page.errors == []


def test_the_violation_listener_sees_blocked_vendors(open_page) -> None:
    """The control for the test above: under `script-src 'self'` the same page's vendor
    scripts are refused, and each refusal is reported to the listener."""
    browser_page = open_page("fake")
    browser_page.page.add_init_script(RECORD_VIOLATIONS)
    browser_page.goto("/privacy/csp-no-vendors/signup/")
    browser_page.page.wait_for_function("() => window.__cspViolations.length >= 7")
    violations = browser_page.page.evaluate("window.__cspViolations")
    assert all(v.startswith("script-src") for v in violations)
    assert browser_page.page.evaluate("window.__fakeVendorsRan") is None


def test_injected_vendor_scripts_carry_the_page_nonce(open_page) -> None:
    browser_page = open_page("fake")
    browser_page.goto("/privacy/csp-strict/signup/")
    wait_for_vendors(browser_page.page, len(SIGNUP_HOSTS))
    nonces = browser_page.page.evaluate(
        """() => [...document.scripts].filter(s => s.src.startsWith("https://"))
                 .map(s => s.nonce)"""
    )
    page_nonce = browser_page.page.evaluate(
        "document.querySelector('script[data-analytix-config]').nonce"
    )
    assert page_nonce and len(nonces) == len(SIGNUP_HOSTS)
    assert set(nonces) == {page_nonce}


# --- consent -------------------------------------------------------------------------------


@pytest.fixture
def consent_on(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True, "LOG_LEVEL": "debug"}


def test_nothing_loads_and_no_cookie_is_set_before_consent(open_page, consent_on) -> None:
    browser_page = open_page("fake")
    browser_page.goto("/privacy/plain/signup/")
    browser_page.page.wait_for_function(BOOTED)
    browser_page.page.wait_for_load_state("networkidle")
    states = browser_page.page.evaluate("Object.values(window.analytix.services).map(s => s.state)")
    assert states == ["waiting"] * 6
    assert browser_page.vendor_requests == []
    assert browser_page.page.context.cookies() == []
    assert (
        browser_page.page.evaluate("window.dataLayer || window.fbq || window._hsq || null") is None
    )
    assert any(
        line.startswith("[DEBUG] Google Analytics | waiting for consent: analytics")
        for line in browser_page.console_lines()
    )


def test_a_cookie_setting_vendor_sets_its_cookie_only_after_consent(open_page, consent_on) -> None:
    browser_page = open_page("fake")
    page = browser_page.page
    # This fake gtag.js sets a cookie, as the real one does (_ga).
    page.route(
        "https://www.googletagmanager.com/**",
        lambda route: route.fulfill(
            status=200,
            content_type="application/javascript",
            body="document.cookie = '_ga=GA1.1.fake; path=/'; window.__gaRan = true;",
        ),
    )
    browser_page.goto("/privacy/plain/default/")
    page.wait_for_function(BOOTED)
    page.wait_for_load_state("networkidle")
    assert page.context.cookies() == []
    page.evaluate("window.analytix.consent.grant(['analytics'])")
    page.wait_for_function("() => window.__gaRan === true")
    names = sorted(c["name"] for c in page.context.cookies())
    assert names == ["_ga", "analytix_consent"]


def test_grant_loads_exactly_the_consented_vendors_without_reload(open_page, consent_on) -> None:
    browser_page = open_page("fake")
    page = browser_page.page
    browser_page.goto("/privacy/plain/signup/")
    page.wait_for_function(BOOTED)
    page.evaluate("window.__marker = 'same page'")

    page.evaluate("window.analytix.consent.grant(['analytics'])")
    analytics = hosts_of("google", "kissmetrics", "fullstory")
    wait_for_vendors(page, len(analytics))
    assert browser_page.requested_hosts() == analytics
    assert page.evaluate("window.__marker") == "same page"
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert list(cookies) == ["analytix_consent"]
    assert cookies["analytix_consent"].split(":")[0] == "analytics"  # then id and tags
    # Google consent mode v2: the region's defaults (all denied: no REGIONS) and
    # ads_data_redaction (on by default) before "config", then analytics granted.
    commands = page.evaluate(
        "window.dataLayer.map(a => Array.from(a)).filter(a => a[0] !== 'js')"
        ".map(a => [a[0], a[1], a[2] && a[2].analytics_storage, a[2] && a[2].ad_storage])"
    )
    assert commands[:4] == [
        ["consent", "default", "denied", "denied"],
        ["set", "ads_data_redaction", None, None],
        ["config", "G-ABC123DEF4", None, None],
        ["consent", "update", "granted", "denied"],
    ]
    assert page.evaluate("window._fs_capture_on_startup") is False
    assert page.evaluate("window.FS.q.map(e => e[0])") == ["start", "setIdentity"]

    page.evaluate("window.analytix.consent.grant(['marketing'])")
    wait_for_vendors(page, len(analytics | hosts_of("hubspot", "facebook_pixel")))
    assert browser_page.requested_hosts() == SIGNUP_HOSTS - hosts_of("drift")
    assert page.evaluate("window.fbq.queue.map(a => a[0] + ':' + a[1])")[:2] == [
        "consent:revoke",
        "init:123456789012345",
    ]
    assert "consent:grant" in page.evaluate("window.fbq.queue.map(a => a[0] + ':' + a[1])")
    last_google = page.evaluate("Array.from(window.dataLayer[window.dataLayer.length - 1])")
    assert last_google[:2] == ["consent", "update"] and last_google[2]["ad_storage"] == "granted"
    state = page.evaluate("window.analytix.consent.state")
    assert state == {
        "required": True,
        "categories": ["analytics", "marketing"],
        "decided": True,
        "id": state["id"],  # made at this first decision (tests/test_consent_browser.py)
        "source": "analytix",
    }
    assert page.evaluate("window.analytix.services.drift.state") == "waiting"
    assert browser_page.errors == []


def test_withdrawal_switches_vendors_off_and_stops_further_loading(open_page, consent_on) -> None:
    browser_page = open_page("fake")
    page = browser_page.page
    browser_page.goto("/privacy/plain/signup/")
    page.wait_for_function(BOOTED)
    page.evaluate("window.analytix.consent.grant(['analytics', 'marketing'])")
    wait_for_vendors(page, len(SIGNUP_HOSTS - hosts_of("drift")))

    page.evaluate("window.analytix.consent.withdraw()")
    assert page.evaluate("window.FS.q.map(e => [e[0], e[1] && e[1].consent])") == [
        ["start", None],
        ["setIdentity", True],
        ["setIdentity", False],
        ["shutdown", None],
    ]
    assert page.evaluate("window.fbq.queue.map(a => a[0] + ':' + a[1])")[-1] == "consent:revoke"
    assert page.evaluate("window._hsq.map(c => c[0])") == ["revokeCookieConsent", "doNotTrack"]
    last_google = page.evaluate("Array.from(window.dataLayer[window.dataLayer.length - 1])")
    assert last_google[2]["analytics_storage"] == "denied"
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert list(cookies) == ["analytix_consent"]
    assert cookies["analytix_consent"].split(":")[0] == "none"
    consent_id = cookies["analytix_consent"].split(":")[1]
    # Granting another category later starts only that category's vendors.
    requested_before = set(browser_page.vendor_requests)
    page.evaluate("window.analytix.consent.grant(['functional'])")
    page.wait_for_function("() => (window.__fakeVendorsRan || []).includes('js.driftt.com')")
    assert {u.split("/")[2] for u in set(browser_page.vendor_requests) - requested_before} == {
        "js.driftt.com"
    }

    # The next page reads the cookie ("functional") on the server: only Drift loads there.
    browser_page.vendor_requests.clear()
    browser_page.goto("/privacy/plain/signup/")
    page.wait_for_function(BOOTED)
    page.wait_for_load_state("networkidle")
    assert browser_page.requested_hosts() == {"js.driftt.com"}
    assert page.evaluate("window.analytix.consent.state") == {
        "required": True,
        "categories": ["functional"],
        "decided": True,
        "id": consent_id,  # kept from the first decision
        "source": "analytix",
    }
    page.evaluate("window.analytix.consent.withdraw()")
    browser_page.vendor_requests.clear()
    browser_page.goto("/privacy/plain/signup/")
    page.wait_for_function(BOOTED)
    page.wait_for_load_state("networkidle")
    assert browser_page.vendor_requests == []


# --- Global Privacy Control ----------------------------------------------------------------

NAVIGATOR_GPC = (
    "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
)


@pytest.mark.parametrize("signal", ["header", "navigator"])
def test_gpc_keeps_analytics_and_marketing_off_and_says_why(
    open_page, settings: Any, signal: str
) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "LOG_LEVEL": "debug"}
    browser_page = open_page("fake")
    if signal == "header":
        browser_page.page.set_extra_http_headers({"Sec-GPC": "1"})
    else:  # the browser reports GPC but the header did not reach the server (a proxy dropped it)
        browser_page.page.add_init_script(NAVIGATOR_GPC)
    browser_page.goto("/privacy/plain/signup/")
    browser_page.page.wait_for_function(BOOTED)
    browser_page.page.wait_for_function("() => (window.__fakeVendorsRan || []).length >= 1")
    browser_page.page.wait_for_load_state("networkidle")
    assert browser_page.requested_hosts() == {"js.driftt.com"}  # functional: GPC leaves it
    lines = browser_page.console_lines()
    for label in ("Google Analytics", "HubSpot", "Kissmetrics", "FullStory", "Meta Pixel"):
        assert any(line.startswith(f"[DEBUG] {label} | not loaded: privacy") for line in lines), (
            label
        )
    reasons = browser_page.page.evaluate(
        "Object.values(window.analytix.services).map(s => s.name + ':' + s.reason)"
    )
    assert sorted(reasons) == sorted(
        [
            f"{s}:privacy"
            for s in ("google", "hubspot", "kissmetrics", "fullstory", "facebook_pixel")
        ]
        + ["drift:"]
    )


def test_gpc_can_be_ignored_by_configuration(open_page, settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "GPC": False}
    browser_page = open_page("fake")
    browser_page.page.set_extra_http_headers({"Sec-GPC": "1"})
    browser_page.page.add_init_script(NAVIGATOR_GPC)
    browser_page.goto("/privacy/plain/signup/")
    wait_for_vendors(browser_page.page, len(SIGNUP_HOSTS))
    assert browser_page.requested_hosts() == SIGNUP_HOSTS


# --- internal traffic ----------------------------------------------------------------------


def test_internal_traffic_gets_no_vendor_and_the_console_says_why(open_page, settings: Any) -> None:
    # The live server sees Chromium at 127.0.0.1.
    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "LOG_LEVEL": "debug",
        "INTERNAL": {"IPS": ["127.0.0.0/8"]},
    }
    browser_page = open_page("fake")
    browser_page.goto("/privacy/plain/signup/")
    browser_page.page.wait_for_function(BOOTED)
    browser_page.page.wait_for_load_state("networkidle")
    assert browser_page.vendor_requests == []
    loaders = browser_page.page.evaluate(
        "[...document.scripts].filter(s => s.src.includes('/vendors/')).length"
    )
    assert loaders == 0
    assert any(
        line.startswith("[DEBUG] Meta Pixel | not loaded: internal")
        for line in browser_page.console_lines()
    )
    # A QA browser on the office network sets the bypass cookie and gets the real page.
    browser_page.page.context.add_cookies(
        [{"name": "analytix_qa", "value": "include", "url": browser_page.base_url}]
    )
    browser_page.goto("/privacy/plain/signup/")
    wait_for_vendors(browser_page.page, len(SIGNUP_HOSTS))
    assert browser_page.requested_hosts() == SIGNUP_HOSTS
