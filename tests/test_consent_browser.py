"""Consent in headless Chromium, under the nonce-only 'strict-dynamic' policy: the consent
sources (an IAB TCF v2.2 CMP, a CMP that sets Google Consent Mode, the page API), Consent
Mode's region defaults and advanced mode reaching gtag, the records, cookie deletion on
withdrawal (on several paths and the parent domain), GPC made visible, and events before
consent. The site is `www.analytix.test`, mapped to the live server by this module's own
Chromium (`--host-resolver-rules`), so cookies can sit on the parent domain `analytix.test`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

from analytix_frontend.decide.services import DEFAULT_AREAS
from analytix_frontend.testing.browser import FakeVendors, route_vendor_fakes
from tests import consent_views
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

HOST = "www.analytix.test"
PARENT = "analytix.test"
VERSION = "1a2b3c4d"
SERVICES_TAG = "9f8e7d6c"
TCF_TABLE = {
    "purposes": {"analytics": [1, 7, 8, 9, 10], "marketing": [1, 2, 3, 4], "functional": [1]},
    "vendors": {"google": 755},
}
DENIED = {
    "ad_storage": "denied",
    "analytics_storage": "denied",
    "ad_user_data": "denied",
    "ad_personalization": "denied",
}
SIGNUP = list(DEFAULT_AREAS["signup"])  # all six services
# The test views' record store, and the package's endpoint (analytix_frontend/urls.py).
RECORD_PATHS = {consent_views.RECORD_URL, "/analytix/consent/"}
# Each vendor's first-party cookies (the contract's table, static/analytix/js/vendor-cookies.js).
VENDOR_COOKIE = re.compile(
    r"^(_ga|_ga_.*|_gid|_gat.*|_gcl_.*|hubspotutk|__hs.*|messagesUtk|fs_.*|_fb[pc]|km_.*|kvcd|drift.*)$"
)
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
BOOTED = (
    "() => !!(window.analytix && window.analytix.consent && window.analytix.consent.state"
    " && Object.keys(window.analytix.services).length)"
)


@pytest.fixture(scope="module")
def mapped_browser(browser: Any) -> Iterator[Any]:
    """Chromium that resolves www.analytix.test (and analytix.test) to this machine, launched
    by the session browser's own Playwright (a second sync_playwright() cannot run beside it;
    the `browser` fixture also skips or fails when Chromium is missing)."""
    rules = f"--host-resolver-rules=MAP {HOST} 127.0.0.1, MAP {PARENT} 127.0.0.1"
    mapped = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_FLAGS, rules]
    )
    yield mapped
    mapped.close()


@pytest.fixture
def consent(settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Consent required (the server's part), with the contract's keys laid over it; tests
    change the returned dict. The record endpoint's store starts empty."""
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True, "LOG_LEVEL": "debug"}
    overrides: dict[str, Any] = {
        "version": VERSION,
        "services": SERVICES_TAG,
        "source": "analytix",
        "record": consent_views.RECORD_URL,
    }
    monkeypatch.setattr(consent_views, "CONSENT", overrides)
    consent_views.RECORDS.clear()
    return overrides


@dataclass
class Visitor:
    """One browser profile on the mapped site: its page, console, fakes and cookies."""

    context: Any
    page: Any
    origin: str
    fakes: FakeVendors
    console: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    record_requests: list[str] = field(default_factory=list)  # to the record endpoint, in order

    def open(self, cmp: str = "none", area: str = "signup", query: str = "") -> None:
        self.page.goto(f"{self.origin}/consent-browser/{cmp}/{area}/{query}")
        self.page.wait_for_function(BOOTED)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def states(self) -> dict[str, str]:
        return self.js(
            "() => Object.fromEntries("
            "Object.entries(analytix.services).map(([name, r]) => [name, r.state]))"
        )

    def wait_loaded(self, *names: str) -> None:
        self.page.wait_for_function(
            "names => names.every(n => analytix.services[n].state === 'loaded')", arg=list(names)
        )

    def lines(self) -> list[str]:
        return [m.text for m in self.console if m.type in ("log", "info", "warning", "debug")]

    def vendor_cookies(self) -> list[tuple[str, str, str]]:
        return sorted(
            (c["name"], c["domain"], c["path"])
            for c in self.context.cookies()
            if VENDOR_COOKIE.match(c["name"])
        )

    def data_layer(self) -> list[list[Any]]:
        return self.js(
            "() => (window.dataLayer || [])"
            ".map(args => Array.from(args)).filter(a => a[0] !== 'js')"
        )

    def check_clean(self) -> None:
        assert self.js("window.__cspViolations") == []
        assert self.errors == []


@pytest.fixture
def visitor(mapped_browser: Any, live_server: Any) -> Iterator[Callable[[], Visitor]]:
    contexts: list[Any] = []
    port = urlsplit(live_server.url).port

    def make() -> Visitor:
        context = mapped_browser.new_context()
        contexts.append(context)
        page = context.new_page()

        def route(route: Any) -> None:  # the site passes; everything else off-site is refused
            if urlsplit(route.request.url).hostname == HOST:
                route.continue_()
            else:
                route.abort()

        page.route("**/*", route)
        fakes = route_vendor_fakes(page)  # vendor hosts answered by the recording fakes
        result = Visitor(context=context, page=page, origin=f"http://{HOST}:{port}", fakes=fakes)
        page.on("console", lambda message: result.console.append(message))
        page.on("pageerror", lambda error: result.errors.append(str(error)))

        def on_request(request: Any) -> None:
            if urlsplit(request.url).path in RECORD_PATHS and "sentinel" not in request.url:
                result.record_requests.append(request.url)

        page.on("request", on_request)
        page.add_init_script(RECORD_VIOLATIONS)
        return result

    yield make
    for context in contexts:
        context.close()


def wait_for_records(visitor: Visitor, count: int) -> list[dict[str, Any]]:
    """The record endpoint's bodies once it has `count` (the page sends them without waiting).
    Waits with Playwright's own timer: the page's routes are answered on this thread."""
    deadline = time.monotonic() + 10
    while len(consent_views.RECORDS) < count and time.monotonic() < deadline:
        visitor.page.wait_for_timeout(50)
    return list(consent_views.RECORDS)


def records_sent(visitor: Visitor) -> int:
    """How many records this page sent, once none is in flight: a sentinel fetch (not stored)
    made after them and answered means each earlier one was issued, and Playwright saw it."""
    visitor.js(
        f"() => fetch('{consent_views.RECORD_URL}?sentinel=1', {{method: 'POST', body: '{{}}'}})"
    )
    return len(visitor.record_requests)


def settled_records(visitor: Visitor) -> list[dict[str, Any]]:
    """The endpoint's records once this visitor's have all arrived (the only visitor sending)."""
    sent = records_sent(visitor)
    records = wait_for_records(visitor, sent)
    assert len(records) == sent
    return records


# --- the consent sources ----------------------------------------------------------------


def test_a_tcf_cmp_decides_starts_and_stops_services_without_a_reload(visitor, consent) -> None:
    consent.update(source="tcf", tcf=TCF_TABLE)
    you = visitor()
    you.open("tcf")
    assert set(you.states().values()) == {"waiting"}, "the CMP shows its UI: nothing starts"
    assert you.fakes.requests == []
    you.js("() => fakeTcfCmp.choose([1, 2, 3, 4, 7, 8, 9, 10], {755: true})")
    you.wait_loaded(*SIGNUP)
    you.js("() => fakeTcfCmp.choose([1], {755: true})")  # the visitor withdraws in the CMP
    assert you.js("() => analytix.consent.state.categories") == ["functional"]
    stopped = you.js(
        "() => Object.values(analytix.services).filter(r => r.consented === false).map(r => r.name)"
    )
    assert sorted(stopped) == sorted(s for s in SIGNUP if s != "drift")
    records = sorted(wait_for_records(you, 2), key=lambda r: r["action"])
    assert [(r["action"], r["source"], r["categories"]) for r in records] == [
        ("grant", "tcf", ["analytics", "marketing", "functional"]),
        ("withdraw", "tcf", ["functional"]),
    ]
    assert [r["tcString"] for r in records] == ["CQfakeTC1x2x3x4x7x8x9x10", "CQfakeTC1"]
    assert records[0]["id"] == records[1]["id"]
    you.check_clean()

    you.open("tcf")  # the next page: the CMP's stored choice (tcloaded), nothing new to record
    you.wait_loaded("drift")
    assert {s for s, state in you.states().items() if state != "waiting"} == {"drift"}
    assert len(settled_records(you)) == 2


def test_a_tcf_cmp_refusing_google_keeps_it_off_and_gdpr_not_applying_needs_no_consent(
    visitor, consent
) -> None:
    consent.update(source="tcf", tcf=TCF_TABLE)
    you = visitor()
    you.open("tcf")
    you.js("() => fakeTcfCmp.choose([1, 7, 8, 9, 10], {755: false})")
    you.wait_loaded("kissmetrics", "fullstory", "drift")
    assert you.states()["google"] == "waiting"

    elsewhere = visitor()
    elsewhere.open("tcf", query="?gdpr=0")
    elsewhere.wait_loaded(*SIGNUP)
    assert elsewhere.js("() => analytix.consent.state.required") is False
    assert len(settled_records(you)) == 1
    assert records_sent(elsewhere) == 0  # no consent needed: no decision to record


def test_a_cmp_setting_google_consent_is_the_source_of_truth(visitor, consent) -> None:
    consent.update(
        source="gcm",
        google={
            "mode": "basic",
            "region": None,
            "defaults": DENIED,
            "waitForUpdate": 500,
            "urlPassthrough": False,
            "adsDataRedaction": True,
        },
    )
    you = visitor()
    you.open("gcm")
    assert set(you.states().values()) == {"waiting"}
    you.js(
        "() => fakeGcmCmp.choose({analytics_storage: 'granted', functionality_storage: 'granted'})"
    )
    you.wait_loaded("google", "kissmetrics", "fullstory", "drift")
    assert you.states()["hubspot"] == "waiting"
    consent_commands = [c for c in you.data_layer() if c[0] == "consent"]
    assert [c[1] for c in consent_commands] == ["default", "update"], (
        "the CMP's alone: none of ours"
    )
    you.js(
        "() => fakeGcmCmp.choose({analytics_storage: 'denied', functionality_storage: 'granted'})"
    )
    assert you.js("() => analytix.consent.state.categories") == ["functional"]
    assert sorted((r["action"], r["source"]) for r in wait_for_records(you, 2)) == [
        ("grant", "gcm"),
        ("withdraw", "gcm"),
    ]
    you.check_clean()


# --- Consent Mode v2 ---------------------------------------------------------------------


def test_the_regions_defaults_and_settings_reach_gtag_before_config(visitor, consent) -> None:
    us = {**DENIED, "analytics_storage": "granted"}
    consent["google"] = {
        "mode": "basic",
        "region": "US",
        "defaults": us,
        "waitForUpdate": 800,
        "urlPassthrough": True,
        "adsDataRedaction": True,
    }
    you = visitor()
    you.open()
    you.js("() => analytix.consent.grant(['analytics'], {source: 'banner'})")
    you.wait_loaded("google")
    assert you.data_layer()[:5] == [
        ["consent", "default", {**us, "wait_for_update": 800}],
        ["set", "ads_data_redaction", True],
        ["set", "url_passthrough", True],
        ["config", "G-ABC123DEF4"],
        ["consent", "update", {**DENIED, "analytics_storage": "granted"}],
    ]
    you.check_clean()


def test_advanced_mode_loads_google_before_consent_denied_then_updates(visitor, consent) -> None:
    consent["google"] = {
        "mode": "advanced",
        "region": "DE",
        "defaults": DENIED,
        "waitForUpdate": 500,
        "urlPassthrough": False,
        "adsDataRedaction": True,
    }
    you = visitor()
    you.open()
    you.wait_loaded("google")
    assert {s for s, state in you.states().items() if state != "waiting"} == {"google"}
    assert you.data_layer() == [
        ["consent", "default", {**DENIED, "wait_for_update": 500}],
        ["set", "ads_data_redaction", True],
        ["config", "G-ABC123DEF4"],
    ]
    you.js("() => analytix.consent.grant(['analytics'])")
    assert you.data_layer()[-1] == ["consent", "update", {**DENIED, "analytics_storage": "granted"}]
    you.wait_loaded("kissmetrics", "fullstory")
    you.check_clean()


# --- deletion, records, GPC -----------------------------------------------------------------


def test_withdrawal_leaves_no_declined_vendor_cookie_on_any_path_or_domain(
    visitor, consent
) -> None:
    you = visitor()
    you.open()
    you.js("() => analytix.consent.grant()")
    you.wait_loaded(*SIGNUP)
    base = you.origin
    deep = "/consent-browser/none/"
    you.context.add_cookies(
        [
            {"name": "_ga", "value": "GA1.1.1", "domain": f".{PARENT}", "path": "/"},
            {
                "name": "_ga_ABC123",
                "value": "GS1",
                "domain": f".{PARENT}",
                "path": "/consent-browser",
            },
            {"name": "_gid", "value": "GA1.2", "url": base + "/"},
            {"name": "_gcl_au", "value": "1", "domain": f".{HOST}", "path": deep},
            {"name": "hubspotutk", "value": "u", "domain": f".{PARENT}", "path": "/"},
            {"name": "__hssc", "value": "s", "url": base + deep + "signup/"},
            {"name": "_fbp", "value": "fb.1", "domain": f".{PARENT}", "path": "/consent-browser/"},
            {"name": "fs_uid", "value": "#o", "domain": f".{PARENT}", "path": "/"},
            {"name": "km_ai", "value": "k", "url": base + "/"},
            {"name": "drift_aid", "value": "d", "domain": f".{PARENT}", "path": "/"},
            {"name": "site_pref", "value": "dark", "domain": f".{PARENT}", "path": "/"},
        ]
    )
    added = {
        "_ga",
        "_ga_ABC123",
        "_gid",
        "_gcl_au",
        "hubspotutk",
        "__hssc",
        "_fbp",
        "fs_uid",
        "km_ai",
    }
    assert added | {"drift_aid"} <= {
        name for name, _, _ in you.vendor_cookies()
    }  # and the fakes' own
    you.js("() => analytix.consent.withdraw(['analytics', 'marketing'], {source: 'banner'})")
    assert you.vendor_cookies() == [("drift_aid", f".{PARENT}", "/")]  # functional: still granted
    names = {c["name"] for c in you.context.cookies()}
    assert {"site_pref", "analytix_consent"} <= names
    you.js("() => analytix.consent.reject()")
    assert you.vendor_cookies() == []
    records = sorted(wait_for_records(you, 3), key=lambda r: r["action"])
    assert [(r["action"], r["source"], r["categories"]) for r in records] == [
        ("grant", "api", ["analytics", "marketing", "functional"]),
        ("reject", "api", []),
        ("withdraw", "banner", ["functional"]),
    ]  # sent moments apart, by parallel requests: they may arrive in any order
    you.check_clean()


def test_a_new_policy_version_asks_again_and_keeps_the_consent_id(visitor, consent) -> None:
    you = visitor()
    you.open()
    you.js("() => analytix.consent.grant(['analytics'])")
    you.wait_loaded("google")
    first_id = you.js("() => analytix.consent.state.id")
    consent["version"] = "0badcafe"
    you.open()
    assert you.js("() => analytix.consent.state") == {
        "required": True,
        "categories": [],
        "decided": False,
        "id": first_id,
        "source": "analytix",
    }
    assert set(you.states().values()) == {"waiting"}
    you.js("() => analytix.consent.grant(['analytics'])")
    records = wait_for_records(you, 2)
    assert [(r["id"], r["version"]) for r in records] == [
        (first_id, VERSION),
        (first_id, "0badcafe"),
    ]


def test_gpc_honoured_is_shown_and_recorded_once_per_page(visitor, consent) -> None:
    you = visitor()
    you.page.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"
    )
    you.open()
    you.page.wait_for_function("() => document.getElementById('privacy-status').textContent !== ''")
    assert you.page.text_content("#privacy-status") == "Opt-Out Request Honored"
    assert you.page.is_visible("#privacy-status")
    assert you.js("() => analytix.consent.privacyStatus()") == {
        "gpc": True,
        "honored": True,
        "text": "Opt-Out Request Honored",
    }
    records = wait_for_records(you, 1)
    assert [(r["action"], r["categories"]) for r in records] == [("gpc", [])]
    assert you.context.cookies() == [], "no id stored for a visitor who has not decided"
    you.check_clean()


# --- events before consent ---------------------------------------------------------------------


def test_events_before_consent_are_delivered_once_on_grant_and_dropped_on_withdrawal(
    visitor, consent
) -> None:
    you = visitor()
    you.open()
    you.js("() => analytix.track('Signed Up', {plan: 'pro'})")
    you.js("() => analytix.consent.grant(['marketing'])")
    you.wait_loaded("hubspot", "facebook_pixel")
    assert [e.name for e in you.fakes.events("hubspot")] == ["pe1234567_signed_up"]
    assert [e.name for e in you.fakes.events("facebook_pixel") if e.name != "PageView"] == [
        "Signed Up"
    ]
    assert (
        '[DEBUG] HubSpot | event "Signed Up" delivered: consent given on this page' in you.lines()
    )
    you.js("() => analytix.consent.withdraw()")
    dropped = [line for line in you.lines() if line.startswith("[WARNING]")]
    assert sorted(dropped) == sorted(
        f'[WARNING] {label} | event "Signed Up" dropped: '
        f"consent to '{category}' was withdrawn on this page"
        for label, category in [
            ("Google Analytics", "analytics"),
            ("Kissmetrics", "analytics"),
            ("FullStory", "analytics"),
            ("Drift", "functional"),
        ]
    )
    you.js("() => analytix.consent.grant()")
    you.wait_loaded("google")
    assert you.fakes.events("google") == []
    assert [e.name for e in you.fakes.events("hubspot")] == ["pe1234567_signed_up"], "once"
    you.check_clean()


# --- end to end, with the server's consent settings: the banner, the endpoint, the records ---


@pytest.mark.django_db(transaction=True)  # the live server's thread stores the records
def test_through_the_banner_to_the_stored_records(visitor, settings, monkeypatch) -> None:
    from analytix_frontend.consent.models import ConsentRecord

    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "CONSENT": {"VERSION": "2026-12", "RECORDS": True},
        "LOG_LEVEL": "debug",
    }
    monkeypatch.setattr(consent_views, "CONSENT", {})  # the server's page, untouched
    you = visitor()
    you.open(query="?banner=1")
    you.page.wait_for_function("() => !document.querySelector('[data-analytix-banner]').hidden")
    you.js("() => { window.__marker = 'same page'; }")
    you.page.click("[data-analytix-banner-action=accept]")
    you.wait_loaded(*SIGNUP)
    you.context.add_cookies(
        [
            {"name": "_ga", "value": "GA1.1.1", "domain": f".{PARENT}", "path": "/"},
            {"name": "_fbp", "value": "fb.1", "domain": f".{PARENT}", "path": "/consent-browser/"},
        ]
    )
    you.page.click("#cookie-settings")
    you.page.click("[data-analytix-banner-action=reject]")
    assert you.js("() => window.__marker") == "same page"
    assert you.vendor_cookies() == []
    stopped = you.js(
        "() => Object.values(analytix.services).filter(r => r.consented === false).length"
    )
    assert stopped == len(SIGNUP)
    consent_id = you.js("() => analytix.consent.state.id")
    assert records_sent(you) == 2

    def stored() -> list[tuple[str, str, str, str, str]]:
        rows = ConsentRecord.objects.order_by("created", "pk")
        return [(r.consent_id, r.action, r.categories, r.source, r.version) for r in rows]

    deadline = time.monotonic() + 10
    while len(stored()) < 2 and time.monotonic() < deadline:
        you.page.wait_for_timeout(50)
    assert sorted(row[1:] for row in stored()) == [
        ("grant", "analytics,functional,marketing", "banner", "2026-12"),
        ("reject", "", "banner", "2026-12"),
    ]
    assert {row[0] for row in stored()} == {consent_id}
    you.check_clean()
