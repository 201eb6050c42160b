"""The tag, the JSON config, the loader and the vendors together in headless Chromium."""

from __future__ import annotations

import pytest

from analytix_frontend.decide.services import DEFAULT_AREAS
from tests.conftest import VENDOR_HOSTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

HOSTS_BY_SERVICE: dict[str, set[str]] = {}
for _host, _service in VENDOR_HOSTS.items():
    HOSTS_BY_SERVICE.setdefault(_service, set()).add(_host)


@pytest.mark.parametrize("area", sorted(DEFAULT_AREAS))
def test_each_area_requests_exactly_its_vendors(open_page, area: str) -> None:
    browser_page = open_page("fake")
    browser_page.goto(f"/page/{area}/")
    expected = set().union(*(HOSTS_BY_SERVICE[s] for s in DEFAULT_AREAS[area]))
    browser_page.page.wait_for_function(
        "n => (window.__fakeVendorsRan || []).length >= n", arg=len(expected)
    )
    assert browser_page.requested_hosts() == expected
    ran = browser_page.page.evaluate("window.__fakeVendorsRan")
    assert sorted(ran) == sorted(expected)
    assert browser_page.errors == []


def test_verbose_logs_every_decision_request_and_load(open_page, settings) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "LOG_LEVEL": "verbose"}
    browser_page = open_page("fake")
    browser_page.goto("/page/default/")
    browser_page.page.wait_for_function("(window.__fakeVendorsRan || []).length >= 4")
    lines = browser_page.console_lines()
    assert "[VERBOSE] HubSpot | loaded https://js.hs-scripts.com/1234567.js" in lines
    assert "[VERBOSE] HubSpot | requesting https://js.hs-scripts.com/1234567.js" in lines
    assert any(line.startswith("[DEBUG] Drift | not loaded: area") for line in lines)
    assert any(line.startswith("[DEBUG] Meta Pixel | not loaded: area") for line in lines)
    assert any(line.startswith("[DEBUG] Google Analytics | on:") for line in lines)


def test_blocked_vendors_warn_and_never_throw(open_page, settings) -> None:
    browser_page = open_page("block")
    browser_page.goto("/page/signup/")
    browser_page.page.wait_for_function(
        "Object.values(window.analytix.scriptStates).filter(s => s === 'failed').length >= 7"
    )
    warnings = [line for line in browser_page.console_lines() if line.startswith("[WARNING]")]
    assert len(warnings) == 7  # one per vendor script (Kissmetrics has two)
    assert browser_page.errors == []


def test_log_level_off_prints_nothing(open_page, settings) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "LOG_LEVEL": "off"}
    browser_page = open_page("block")
    browser_page.goto("/page/signup/")
    browser_page.page.wait_for_function(
        "Object.values(window.analytix.scriptStates).filter(s => s === 'failed').length >= 7"
    )
    assert browser_page.console_lines() == []
    assert [m for m in browser_page.console if m.type.endswith("Group")] == []
