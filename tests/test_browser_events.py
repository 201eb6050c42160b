"""Page events in headless Chromium: analytix.track, data-analytix-event links and forms, with
vendor scripts answered by fakes that record the calls they get (tests/fake_vendors.py)."""

from __future__ import annotations

from typing import Any

import pytest

from analytix_frontend.decide.services import DEFAULT_AREAS
from analytix_frontend.testing.browser import LOADED_GLOBAL, FakeVendors
from tests.conftest import VENDOR_HOSTS, BrowserPage
from tests.fake_vendors import answer_with_recording_fakes

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ALL_HOSTS = len(VENDOR_HOSTS)  # fake scripts in the signup area (Kissmetrics has two)


def recording_page(open_page: Any) -> BrowserPage:
    browser_page = open_page("block")  # anything not a vendor host: aborted
    answer_with_recording_fakes(browser_page)
    return browser_page


def vendor_calls(browser_page: BrowserPage) -> list[tuple[str, list[Any]]]:
    return FakeVendors(browser_page.page).calls()


def event_calls(browser_page: BrowserPage, event: str, key: str) -> dict[str, list[Any]]:
    """Per service, the call carrying this event (`key`: its GA4/HubSpot form)."""
    found: dict[str, list[Any]] = {}
    for service, args in vendor_calls(browser_page):
        text = repr(args)
        if event in text or key in text:
            found[service] = args
    return found


def clicked_deploy_calls() -> dict[str, list[Any]]:
    props = {"plan": "pro"}
    return {
        "google": ["event", "clicked_deploy", {"plan": "pro", "transport_type": "beacon"}],
        "hubspot": [
            "trackCustomBehavioralEvent",
            {"name": "pe1234567_clicked_deploy", "properties": props},
        ],
        "kissmetrics": ["record", "Clicked Deploy", props],
        "drift": ["track", "Clicked Deploy", props],
        "fullstory": ["trackEvent", {"name": "Clicked Deploy", "properties": props}],
        "facebook_pixel": ["trackCustom", "Clicked Deploy", props],
    }


@pytest.mark.parametrize("area", ["signup", "default"])
def test_tracked_link_reaches_every_enabled_vendor_then_navigates(open_page, area: str) -> None:
    browser_page = recording_page(open_page)
    browser_page.goto(f"/events/{area}/")
    browser_page.page.wait_for_function(
        "names => names.every(n => window.analytix.services[n].state === 'loaded')",
        arg=list(DEFAULT_AREAS[area]),
    )
    browser_page.page.click("#deploy")
    browser_page.page.wait_for_url("**/page/default/")
    assert browser_page.page.text_content("#heading") == "default"
    expected = {s: c for s, c in clicked_deploy_calls().items() if s in DEFAULT_AREAS[area]}
    assert event_calls(browser_page, "Clicked Deploy", "clicked_deploy") == expected
    assert browser_page.errors == []


def test_events_before_the_vendors_load_are_delivered_when_they_arrive(open_page) -> None:
    browser_page = open_page("block")
    release = answer_with_recording_fakes(browser_page, hold=True)
    browser_page.goto("/events/signup/", wait_until="domcontentloaded")
    browser_page.page.wait_for_function("window.earlyStates !== undefined")
    early = browser_page.page.evaluate("window.earlyStates")
    assert set(early.values()) == {"loading"}
    assert vendor_calls(browser_page) == []  # no vendor script has run yet
    release()
    browser_page.page.wait_for_function(
        f"(window.{LOADED_GLOBAL} || {{ hosts: [] }}).hosts.length >= {ALL_HOSTS}"
    )
    delivered = event_calls(browser_page, "Page Script Ran", "page_script_ran")
    assert sorted(delivered) == sorted(DEFAULT_AREAS["signup"])
    assert delivered["kissmetrics"] == ["record", "Page Script Ran", {"early": True}]
    assert delivered["google"] == ["event", "page_script_ran", {"early": "true"}]
    assert browser_page.errors == []


def test_a_blocked_vendor_drops_events_with_a_warning_and_the_rest_still_work(open_page) -> None:
    browser_page = open_page("block")
    answer_with_recording_fakes(browser_page, blocked={"js.hs-scripts.com"})
    browser_page.goto("/events/signup/")
    browser_page.page.wait_for_function("window.analytix.services.hubspot.state === 'failed'")
    # Every other vendor loaded first: an event still queued in a stub when the link navigates
    # is lost with the page, whatever the tracker.
    browser_page.page.wait_for_function(
        "Object.values(window.analytix.services)"
        ".filter(s => s.name !== 'hubspot').every(s => s.state === 'loaded')"
    )
    browser_page.page.click("#deploy")
    browser_page.page.wait_for_url("**/page/default/")
    delivered = event_calls(browser_page, "Clicked Deploy", "clicked_deploy")
    assert sorted(delivered) == sorted(set(DEFAULT_AREAS["signup"]) - {"hubspot"})
    # One warning for the first event HubSpot had to drop (the page's own "Page Script Ran"
    # may come first, depending on when the block lands); later drops are debug lines.
    dropped = [
        line
        for line in browser_page.console_lines()
        if line.startswith("[WARNING] HubSpot | event ")
        and line.endswith(
            "dropped: the vendor script failed to load (blocked or offline);"
            " later calls are dropped too"
        )
    ]
    assert len(dropped) == 1
    assert browser_page.errors == []


def test_every_vendor_blocked_the_link_still_navigates_without_errors(open_page) -> None:
    browser_page = open_page("block")
    browser_page.goto("/events/signup/")
    browser_page.page.wait_for_function(
        "Object.values(window.analytix.scriptStates).filter(s => s === 'failed').length >= 7"
    )
    browser_page.page.click("#deploy")
    browser_page.page.wait_for_url("**/page/default/")
    assert browser_page.page.text_content("#heading") == "default"
    assert browser_page.errors == []


def test_tracked_form_is_sent_with_its_button_value(open_page) -> None:
    browser_page = recording_page(open_page)
    browser_page.goto("/events/default/")
    browser_page.page.wait_for_function("window.analytix.services.hubspot.state === 'loaded'")
    browser_page.page.click("#submit")
    browser_page.page.wait_for_url("**/page/default/?plan=pro")
    delivered = event_calls(browser_page, "Signed Up", "signed_up")
    assert sorted(delivered) == sorted(DEFAULT_AREAS["default"])
    assert delivered["kissmetrics"] == ["record", "Signed Up", {}]
    assert browser_page.errors == []


def test_declarative_tracking_works_under_a_strict_csp(open_page) -> None:
    browser_page = recording_page(open_page)
    browser_page.page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => sessionStorage.setItem("
        "'violations', (sessionStorage.getItem('violations') || '') + e.violatedDirective + ' '))"
    )
    response = browser_page.goto("/events/default/?csp=1")
    assert "strict-dynamic" in response.headers["content-security-policy"]
    # wait_for_function polls with eval, which this CSP forbids: poll from here instead.
    for _ in range(200):
        if browser_page.page.evaluate("window.analytix.services.hubspot.state") == "loaded":
            break
        browser_page.page.wait_for_timeout(50)
    assert browser_page.page.evaluate("window.analytix.services.hubspot.state") == "loaded"
    browser_page.page.click("#deploy")
    browser_page.page.wait_for_url("**/page/default/")
    assert sorted(event_calls(browser_page, "Clicked Deploy", "clicked_deploy")) == sorted(
        DEFAULT_AREAS["default"]
    )
    assert browser_page.page.evaluate("sessionStorage.getItem('violations')") is None
    assert browser_page.errors == []


def test_verbose_logs_each_event_per_service_with_its_payload(open_page, settings) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "LOG_LEVEL": "verbose"}
    browser_page = recording_page(open_page)
    browser_page.goto("/events/default/")
    browser_page.page.wait_for_function("window.analytix.services.hubspot.state === 'loaded'")
    browser_page.page.evaluate("analytix.track('QA Check', {step: 1})")
    lines = browser_page.console_lines()
    assert (
        '[VERBOSE] Google Analytics | event "QA Check" -> gtag ["event","qa_check",{"step":1}]'
        in lines
    )
    assert (
        '[VERBOSE] HubSpot | event "QA Check" -> _hsq ["trackCustomBehavioralEvent",'
        '{"name":"pe1234567_qa_check","properties":{"step":1}}]'
    ) in lines
    assert (
        '[VERBOSE] Kissmetrics | event "QA Check" -> _kmq ["record","QA Check",{"step":1}]' in lines
    )
    assert any(
        line.startswith('[DEBUG] Drift | event "QA Check" not sent: off (area') for line in lines
    )


def test_with_consent_required_and_not_given_no_event_reaches_any_vendor(
    open_page, settings
) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True, "LOG_LEVEL": "debug"}
    browser_page = recording_page(open_page)
    browser_page.goto("/events/signup/")
    browser_page.page.wait_for_function("window.analytix && window.analytix.services.google")
    sent_to = browser_page.page.evaluate("window.analytix.track('Clicked Deploy', {plan: 'pro'})")
    assert sent_to == []
    browser_page.page.click("#deploy")  # the declarative path too; the link still navigates
    browser_page.page.wait_for_url("**/page/default/")
    assert browser_page.vendor_requests == []
    assert vendor_calls(browser_page) == []
    # Each waiting service keeps the event for the page (and drops it as the page goes: the
    # unloading page's console is not reported here; test/consent-events.test.mjs sees it).
    lines = browser_page.console_lines()
    held = [line for line in lines if '"Clicked Deploy" held: waits for consent' in line]
    assert len(held) == 2 * len(DEFAULT_AREAS["signup"])  # track and the click
    assert browser_page.errors == []
