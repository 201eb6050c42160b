"""The tracking plan in Chromium, under the nonce-only 'strict-dynamic' policy: the page
fetches the compiled plan, flag sends and warns, block drops and warns, and the recording
fakes get each vendor's name from the plan."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from analytix_frontend.plan import repeats
from analytix_frontend.testing import assert_tracked
from analytix_frontend.testing.browser import FakeVendors
from tests.conftest import BrowserPage
from tests.fake_vendors import answer_with_recording_fakes, recorded_calls

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PLAN = """\
events:
  Clicked Deploy:
    properties:
      plan: {type: string, enum: [free, pro]}
    vendors: {google: deploy_clicked, facebook_pixel: Lead, kissmetrics: Deploy Clicked}
  Page Script Ran:
    properties:
      early: {type: boolean, required: true}
"""
VIOLATIONS = (
    "document.addEventListener('securitypolicyviolation', e => sessionStorage.setItem("
    "'violations', (sessionStorage.getItem('violations') || '') + e.violatedDirective + ' '))"
)


@pytest.fixture
def planned(settings: Any, tmp_path: Path) -> Any:
    path = tmp_path / "analytics_plan.yaml"
    path.write_text(PLAN)
    # No reports but in the test of them, which waits for each: a beacon sent as a context
    # closes would reach the live server while the test database is torn down.
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "PLAN": path, "PLAN_REPORTS": False}
    return settings


def open_events(open_page: Any) -> BrowserPage:
    browser_page: BrowserPage = open_page("block")
    answer_with_recording_fakes(browser_page)
    browser_page.page.add_init_script(VIOLATIONS)
    response = browser_page.goto("/events/signup/?csp=1")
    assert "'strict-dynamic'" in response.headers["content-security-policy"]
    # wait_for_function polls with eval, which this policy forbids: poll from here.
    # The page's early event waits for the plan: once Google has it, the plan is in.
    for _ in range(200):
        if "page_script_ran" in events_of(browser_page, "google"):
            break
        browser_page.page.wait_for_timeout(50)
    return browser_page


def events_of(browser_page: BrowserPage, service: str) -> list[Any]:
    """The events one fake received: (name, properties) in the vendor's own form."""
    found = []
    for name, args in recorded_calls(browser_page):
        if name != service:
            continue
        if service == "google" and args[0] == "event":
            found.append(args[1])
        elif service == "kissmetrics" and args[0] == "record":
            found.append(args[1])
        elif service == "facebook_pixel" and args[0] in ("track", "trackCustom"):
            found.append(f"{args[0]} {args[1]}")
    return found


def plan_lines(browser_page: BrowserPage) -> list[str]:
    return [line for line in browser_page.console_lines() if "analytix plan" in line]


def test_flag_sends_warns_and_each_vendor_gets_the_plans_name(open_page: Any, planned: Any) -> None:
    browser_page = open_events(open_page)
    page = browser_page.page
    page.evaluate("analytix.track('Signed Up', {plan: 'pro'})")  # not in the plan
    page.click("#deploy")  # data-analytix-event="Clicked Deploy", props {"plan": "pro"}
    page.wait_for_url("**/page/default/")
    assert events_of(browser_page, "google") == ["page_script_ran", "signed_up", "deploy_clicked"]
    assert events_of(browser_page, "kissmetrics") == [
        "Page Script Ran",
        "Signed Up",
        "Deploy Clicked",
    ]
    assert events_of(browser_page, "facebook_pixel") == [
        "track PageView",
        "trackCustom Page Script Ran",
        "trackCustom Signed Up",
        "track Lead",
    ]
    assert plan_lines(browser_page) == [
        '[WARNING] analytix plan | event "Signed Up" sent (PLAN_POLICY flag): unplanned; see '
        "analytics_plan.yaml"
    ]
    assert page.evaluate("sessionStorage.getItem('violations')") is None
    assert browser_page.errors == []
    # users' tests: the recording fakes got the planned event, under each vendor's name
    fakes = FakeVendors(page)
    assert_tracked(fakes, "Clicked Deploy", {"plan": "pro"})
    assert_tracked(fakes, "Page Script Ran", {"early": True})
    with pytest.raises(AssertionError, match="'Signed Up' is not in the tracking plan"):
        assert_tracked(fakes, "Signed Up")


def test_block_drops_and_warns(open_page: Any, planned: Any) -> None:
    planned.ANALYTICS_CONFIG = {**planned.ANALYTICS_CONFIG, "PLAN_POLICY": "block"}
    browser_page = open_events(open_page)
    page = browser_page.page
    assert page.evaluate("analytix.track('Signed Up', {plan: 'pro'})") == []
    assert page.evaluate("analytix.track('Clicked Deploy', {plan: 'enterprise'})") == []
    page.evaluate("analytix.track('Clicked Deploy', {plan: 'free'})")
    assert events_of(browser_page, "google") == ["page_script_ran", "deploy_clicked"]
    assert events_of(browser_page, "kissmetrics") == ["Page Script Ran", "Deploy Clicked"]
    assert plan_lines(browser_page) == [
        '[WARNING] analytix plan | event "Signed Up" dropped (PLAN_POLICY block): unplanned; '
        "see analytics_plan.yaml",
        '[WARNING] analytix plan | event "Clicked Deploy" dropped (PLAN_POLICY block): '
        "enum:plan; see analytics_plan.yaml",
    ]
    assert page.evaluate("sessionStorage.getItem('violations')") is None
    assert browser_page.errors == []


def test_pass_checks_nothing_and_fetches_nothing(open_page: Any, planned: Any) -> None:
    planned.ANALYTICS_CONFIG = {**planned.ANALYTICS_CONFIG, "PLAN_POLICY": "pass"}
    browser_page = open_events(open_page)
    fetched: list[str] = []
    browser_page.page.on("request", lambda request: fetched.append(request.url))
    browser_page.page.evaluate("analytix.track('Signed Up', {plan: 'pro'})")
    assert "signed_up" in events_of(browser_page, "google")
    assert plan_lines(browser_page) == []
    assert not [url for url in fetched if "/analytix/plan/" in url]


def reported_lines(caplog: pytest.LogCaptureFixture, count: int, page: Any) -> list[str]:
    """The server's log lines for the browser's reports, once `count` have come (the live
    server answers in its own thread)."""
    for _ in range(100):
        lines = [
            r.getMessage()
            for r in caplog.records
            if r.name == "analytix_frontend.plan" and "browser" in r.getMessage()
        ]
        if len(lines) >= count:
            return lines
        page.wait_for_timeout(50)
    return lines


def test_the_page_reports_flagged_and_dropped_events_to_the_servers_log(
    open_page: Any, planned: Any, caplog: pytest.LogCaptureFixture
) -> None:
    source = str(planned.ANALYTICS_CONFIG["PLAN"])
    planned.ANALYTICS_CONFIG = {**planned.ANALYTICS_CONFIG, "PLAN_REPORTS": True}
    repeats.reported.clear()  # no violation seen yet in this process's window
    caplog.set_level(logging.INFO, logger="analytix_frontend.plan")
    flagged = open_events(open_page)
    flagged.page.evaluate("analytix.track('Signed Up', {plan: 'pro'})")  # not in the plan
    assert reported_lines(caplog, 1, flagged.page) == []  # queued until the page is hidden
    sent = events_of(flagged, "kissmetrics")
    flagged.goto("/page/default/")  # pagehide: one beacon
    assert reported_lines(caplog, 1, flagged.page) == [
        "analytix plan: browser event 'Signed Up' sent (PLAN_POLICY 'flag') on /events/signup/ "
        f"(area signup): the event is not in the plan; see {source}. (Reported by the "
        "visitor's browser; its repeats in the next 600 s are counted into one line.)"
    ]
    planned.ANALYTICS_CONFIG = {**planned.ANALYTICS_CONFIG, "PLAN_POLICY": "block"}
    blocked = open_events(open_page)
    blocked.page.evaluate("analytix.track('Clicked Deploy', {plan: 'enterprise@example.com'})")
    blocked.page.evaluate("dispatchEvent(new Event('pagehide'))")
    lines = reported_lines(caplog, 2, blocked.page)
    assert lines[1:] == [
        "analytix plan: browser event 'Clicked Deploy' dropped (PLAN_POLICY 'block') on "
        f"/events/signup/ (area signup): plan: fails enum; see {source}. (Reported by the "
        "visitor's browser; its repeats in the next 600 s are counted into one line.)"
    ]
    assert "enterprise" not in caplog.text  # never a property's value
    # the vendors got the flagged one, not the dropped one
    assert sent[-1] == "Signed Up"
    assert events_of(blocked, "kissmetrics") == ["Page Script Ran"]
    assert [b.errors for b in (flagged, blocked)] == [[], []]
    assert blocked.page.evaluate("sessionStorage.getItem('violations')") is None
