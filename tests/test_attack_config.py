"""Hostile config and shared caches (issue 11, points 2 and 3): HTML an attacker put into the
page may add config blocks of its own, and a cache may hand one visitor's page to another.

In Chromium, under django-csp's real middleware and both policies of tests/attack_views.py:
an injected block starts nothing, and withdraw() after it writes only our cookie; a page
rendered for a consented (or non-GPC) visitor, served from a cache to one who is not, starts
only what that visitor allows. Plus the server's consent part (page/config.py's privacy_config)
and the formats config.js checks, which must equal the server's.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from analytix_frontend.decide import consent, services, triggers
from analytix_frontend.decide.rules import gpc
from tests.conftest import VENDOR_HOSTS
from tests.test_privacy import fake_cookie_consent, make_request  # noqa: F401 (a fixture)

CONFIG_JS = Path(__file__).resolve().parent.parent / "static" / "analytix" / "js" / "config.js"
POLICIES = ["strict", "allowlist"]
BOOTED = "() => Object.keys((window.analytix && window.analytix.services) || {}).length === 6"
ALL_GRANTED = "analytics,marketing,functional"
ATTACKER_IDS = {
    "google": "G-EVIL0000",
    "hubspot": "666",
    "kissmetrics": "f" * 40,
    "drift": "attacker99",
    "fullstory": "o-EVIL00-na1",
    "facebook_pixel": "6666666666",
}
# consent.js would write `<name>=<value>; path=/; ...`: this name alone would make it a
# year-long "every category" cookie.
HOSTILE_COOKIE_NAME = f"analytix_consent={ALL_GRANTED}; max-age=31536000; x"
# Records every document.cookie write the page makes, through the property's own setter.
RECORD_COOKIE_WRITES = """
window.__cookieWrites = [];
(function () {
  var proto = Document.prototype;
  var original = Object.getOwnPropertyDescriptor(proto, "cookie");
  Object.defineProperty(proto, "cookie", {
    configurable: true,
    get: function () { return original.get.call(this); },
    set: function (value) {
      window.__cookieWrites.push(String(value));
      original.set.call(this, value);
    },
  });
})();
"""
GPC_ON = """Object.defineProperty(Navigator.prototype, "globalPrivacyControl",
  {configurable: true, get: function () { return true; }});"""


def attacker_block(nonce: str | None = None) -> str:
    config = {
        "area": "signup",
        "logLevel": "verbose",
        "consent": {
            "required": False,
            "cookie": HOSTILE_COOKIE_NAME,
            "granted": ALL_GRANTED.split(","),
            "decided": True,
        },
        "gpc": [],
        "services": [
            {"name": name, "label": name, "category": "analytics", "on": True, "id": value}
            for name, value in ATTACKER_IDS.items()
        ],
    }
    nonce_attr = f' nonce="{nonce}"' if nonce is not None else ""
    return (
        f'<script type="application/json" data-analytix-config{nonce_attr}>'
        f"{json.dumps(config)}</script>"
    )


# Each way the attacker's block gets in: after the tag, before it, with a guessed nonce, and
# with an element named "currentScript" carrying that guessed nonce (DOM clobbering).
INJECTIONS = {
    "body": {"html": attacker_block()},
    "head": {"head": attacker_block()},
    "guessed-nonce": {"head": attacker_block("abc"), "html": attacker_block("abc")},
    "clobbered-current-script": {
        "head": '<img name="currentScript" nonce="evil" src="data:,">' + attacker_block("evil"),
        "html": attacker_block("evil"),
    },
}


@pytest.fixture
def consent_required(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True, "LOG_LEVEL": "debug"}


def states(page: Any) -> dict[str, str]:
    return page.evaluate(
        "() => Object.fromEntries(Object.entries(window.analytix.services)"
        ".map(([n, s]) => [n, s.state]))"
    )


def fetch(url: str, cookie: str = "") -> tuple[str, dict[str, str]]:
    """The page as a shared cache would store it: its HTML and the headers it replays."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request) as response:
        body = response.read().decode()
        headers = {
            name: response.headers[name]
            for name in ("Content-Type", "Content-Security-Policy")
            if response.headers[name]
        }
    return body, headers


def serve_cached(browser_page: Any, path: str, body: str, headers: dict[str, str]) -> None:
    """Answers `path` with the stored copy (a route added later is tried first)."""
    browser_page.page.route(
        browser_page.base_url + path,
        lambda route: route.fulfill(status=200, headers=headers, body=body),
    )


# --- Chromium ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db
@pytest.mark.parametrize("injection", sorted(INJECTIONS))
@pytest.mark.parametrize("policy", POLICIES)
def test_an_injected_config_block_starts_nothing_and_cannot_name_the_cookie(
    open_page: Any, consent_required: None, policy: str, injection: str
) -> None:
    browser_page = open_page("fake")
    page = browser_page.page
    page.add_init_script(RECORD_COOKIE_WRITES)
    query = urllib.parse.urlencode(INJECTIONS[injection])
    response = browser_page.goto(f"/attack/{policy}/signup/?{query}")
    assert "'nonce-" in response.headers["content-security-policy"]
    page.wait_for_function(BOOTED)
    page.wait_for_load_state("networkidle")

    assert states(page) == dict.fromkeys(services.SERVICES_BY_NAME, "waiting")
    ids = page.evaluate("Object.values(window.analytix.services).map(s => s.id)")
    assert not set(ids) & set(ATTACKER_IDS.values())
    assert browser_page.vendor_requests == []
    assert any("config block skipped" in line for line in browser_page.console_lines())

    page.evaluate("window.analytix.consent.withdraw()")
    # The server's name and attributes only: none, a consent id, the version and services tags.
    (write,) = page.evaluate("window.__cookieWrites")
    value = r"none:[A-Za-z0-9_-]{22}:[0-9a-f]{0,8}:[0-9a-f]{8}"
    assert re.fullmatch(rf"analytix_consent={value}; path=/; max-age=15552000; SameSite=Lax", write)
    ((name, stored),) = [(c["name"], c["value"]) for c in page.context.cookies()]
    assert name == "analytix_consent" and re.fullmatch(value, stored)
    assert browser_page.vendor_requests == []
    assert browser_page.errors == []


@pytest.mark.browser
@pytest.mark.django_db
@pytest.mark.parametrize("policy", POLICIES)
def test_a_consented_page_from_a_cache_starts_nothing_for_a_visitor_without_consent(
    open_page: Any, live_server: Any, consent_required: None, policy: str
) -> None:
    path = f"/attack/{policy}/signup/"
    body, headers = fetch(live_server.url + path, cookie=f"analytix_consent={ALL_GRANTED}")
    assert '"on":true' in body  # rendered for a visitor who consented: every service on

    visitor = open_page("fake")  # no consent cookie
    serve_cached(visitor, path, body, headers)
    visitor.goto(path)
    visitor.page.wait_for_function(BOOTED)
    visitor.page.wait_for_load_state("networkidle")
    assert states(visitor.page) == dict.fromkeys(services.SERVICES_BY_NAME, "waiting")
    assert visitor.vendor_requests == []
    assert visitor.errors == []

    # The control: the same stored copy, to a browser that has the cookie, starts them all.
    consented = open_page("fake")
    consented.page.context.add_cookies(
        [{"name": "analytix_consent", "value": ALL_GRANTED, "url": live_server.url}]
    )
    serve_cached(consented, path, body, headers)
    consented.goto(path)
    consented.page.wait_for_function(
        "n => (window.__fakeVendorsRan || []).length >= n", arg=len(VENDOR_HOSTS)
    )
    assert consented.requested_hosts() == set(VENDOR_HOSTS)


@pytest.mark.browser
@pytest.mark.django_db
@pytest.mark.parametrize("policy", POLICIES)
def test_a_page_from_a_cache_made_without_gpc_turns_gpc_categories_off_in_a_gpc_browser(
    open_page: Any, live_server: Any, policy: str
) -> None:
    path = f"/attack/{policy}/signup/"
    body, headers = fetch(live_server.url + path)  # no Sec-GPC: every service on
    visitor = open_page("fake")
    visitor.page.add_init_script(GPC_ON)
    serve_cached(visitor, path, body, headers)
    visitor.goto(path)
    visitor.page.wait_for_function("() => (window.__fakeVendorsRan || []).length >= 1")
    visitor.page.wait_for_load_state("networkidle")
    assert visitor.requested_hosts() == {"js.driftt.com"}  # functional: GPC leaves it on
    reasons = visitor.page.evaluate(
        "() => Object.values(window.analytix.services).filter(s => !s.on).map(s => s.reason)"
    )
    assert reasons == ["privacy"] * 5
    assert visitor.errors == []


# --- the server's consent part -------------------------------------------------------------


def consent_part(request: Any) -> Any:
    """The consent part of the page config the tag writes for this request (None: absent)."""
    from analytix_frontend.decide.request import decide_request
    from analytix_frontend.page.config import privacy_config

    return privacy_config((), decide_request(request)).get("consent")


def test_the_consent_part_names_the_cookie_its_answer_came_from(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True}
    part = consent_part(make_request())
    assert part is not None
    # (the tags, the source and Consent Mode's part: tests/consent/test_cookie.py)
    assert {k: part[k] for k in ("required", "cookie", "granted", "decided", "basis")} == {
        "required": True,
        "cookie": "analytix_consent",
        "granted": [],
        "decided": False,
        "basis": {"analytix_consent": None},
    }
    part = consent_part(make_request(cookies={"analytix_consent": "analytics"}))
    assert part is not None and part["basis"] == {"analytix_consent": "analytics"}
    settings.ANALYTICS_CONFIG = {}
    assert consent_part(make_request()) is None


def test_the_consent_part_names_django_cookie_consents_cookie_when_its_groups_decide(
    request: pytest.FixtureRequest, settings: Any
) -> None:
    answers = request.getfixturevalue("fake_cookie_consent")  # tests/test_privacy.py's
    answers.update(stats=True, ads=None)
    visitor = make_request(cookies={"cookie_consent": "stats=2024-01-01|ads=-1"})
    part = consent_part(visitor)
    assert part is not None and part["granted"] == ["analytics"]
    assert part["basis"] == {"analytix_consent": None, "cookie_consent": "stats=2024-01-01|ads=-1"}
    settings.COOKIE_CONSENT_NAME = "choices"
    part = consent_part(visitor)
    assert part is not None and part["basis"] == {"analytix_consent": None, "choices": None}


# --- config.js checks what the server checks -----------------------------------------------


def _js_table(name: str) -> str:
    text = CONFIG_JS.read_text()
    match = re.search(rf"var {name} = (\{{.*?\n\s*\}}|\[.*?\]);", text, re.DOTALL)
    assert match, f"config.js has no {name}"
    return match.group(1)


def test_the_browser_checks_the_same_formats_as_the_server() -> None:
    entries = re.findall(r'^\s*(\w+): ("(?:[^"\\]|\\.)*"),$', _js_table("FORMATS"), re.MULTILINE)
    formats = {name: json.loads(literal) for name, literal in entries}
    expected = {s.name: s.id_pattern.pattern for s in services.SERVICES}
    assert formats == {**expected, "cookieName": consent.COOKIE_NAME.pattern}
    assert tuple(json.loads(_js_table("CATEGORIES"))) == consent.CATEGORIES
    assert tuple(json.loads(_js_table("LEVELS"))) == services.LOG_LEVELS
    assert tuple(json.loads(_js_table("TRIGGERS"))) == triggers.TRIGGERS
    assert json.loads(_js_table("DEFAULT_GPC")) == list(gpc.DEFAULT_CATEGORIES)


def test_the_browser_knows_each_service_and_its_default_trigger_as_the_server() -> None:
    # The server leaves these out of the config: config.js and start.js must agree with it.
    table = re.findall(r"^\s*(\w+): (\[.*\]),$", _js_table("SERVICES"), re.MULTILINE)
    assert {name: json.loads(entry) for name, entry in table} == {
        s.name: [s.label, s.category] for s in services.SERVICES
    }
    start = (CONFIG_JS.parent / "start.js").read_text()
    match = re.search(r"var DEFAULT_LOAD = (\{.*?\n\s*\});", start, re.DOTALL)
    assert match, "start.js has no DEFAULT_LOAD"
    loads = dict(re.findall(r'^\s*(\w+): "(\w+)",$', match.group(1), re.MULTILINE))
    assert loads == dict(triggers.DEFAULT_TRIGGERS)
