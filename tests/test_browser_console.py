"""The browser console as QA reads it (issue 13): state in each group header, one line per
service that starts at debug, one summary table per page, page code's lines linked to their
caller in DevTools, and one warning for an unknown area that names the known ones."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def load(open_page: Any, settings: Any, path: str, level: str = "debug") -> Any:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "LOG_LEVEL": level}
    browser_page = open_page("fake")
    browser_page.goto(path)
    browser_page.page.wait_for_function("typeof window.pageScriptRanAt === 'number'")
    return browser_page


def headers(browser_page: Any) -> dict[str, tuple[str, str]]:
    """label -> (state text, its CSS) from each group's "%c<label> %c<state> <css> <css>"."""
    result = {}
    for m in browser_page.console:
        if m.type in ("startGroup", "startGroupCollapsed"):
            label, rest = m.text.removeprefix("%c").split(" %c", 1)
            state, _label_css, state_css = rest.rsplit(" ", 2)
            result[label] = (state, state_css)
    return result


def test_group_headers_show_each_state_styled_apart(open_page: Any, settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True}
    browser_page = load(open_page, settings, "/page/default/", level="verbose")
    seen = headers(browser_page)
    assert seen["Google Analytics"][0] == "waiting: consent"
    assert seen["Drift"][0] == "off: area"
    browser_page.page.evaluate("window.analytix.consent.grant()")
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "verbose"}
    on_page = load(open_page, settings, "/page/default/", level="verbose")
    on = headers(on_page)
    assert on["Google Analytics"][0] == "on: starts on idle"  # the shipped trigger
    styles = {seen["Google Analytics"][1], seen["Drift"][1], on["Google Analytics"][1]}
    assert len(styles) == 3  # waiting, off and on each look different


def test_debug_prints_one_line_per_started_service_and_one_summary_table(
    open_page: Any, settings: Any
) -> None:
    browser_page = load(open_page, settings, "/page/default/")
    browser_page.page.wait_for_load_state("load")
    browser_page.page.wait_for_function("window.analytix.services.google.state === 'loaded'")
    browser_page.page.wait_for_timeout(200)  # the table follows at the next check
    started = [line for line in browser_page.console_lines() if "on: loading with id" in line]
    assert sorted(started) == [
        "[DEBUG] Google Analytics | on: loading with id G-ABC123DEF4",
        "[DEBUG] HubSpot | on: loading with id 1234567",
        "[DEBUG] Kissmetrics | on: loading with id 0123456789abcdef0123456789abcdef01234567",
    ]
    tables = [m for m in browser_page.console if m.type == "table"]
    assert len(tables) == 1
    rows = tables[0].args[0].json_value()
    assert rows["Google Analytics"]["state"] == "loaded"
    assert rows["Google Analytics"]["started"].endswith(" ms")
    assert rows["Drift"] == {"state": "off", "reason": "area", "started": ""}


def test_no_summary_table_at_warning(open_page: Any, settings: Any) -> None:
    browser_page = load(open_page, settings, "/page/default/", level="warning")
    browser_page.page.wait_for_load_state("load")
    browser_page.page.wait_for_timeout(100)
    assert [m for m in browser_page.console if m.type == "table"] == []


def test_page_codes_lines_link_to_their_caller(open_page: Any, settings: Any) -> None:
    browser_page = load(open_page, settings, "/page/default/")
    browser_page.page.add_script_tag(url="/static/tests/page-logs.js")
    browser_page.page.wait_for_function("true")
    [message] = [m for m in browser_page.console if "card declined" in m.text]
    assert message.text == "[WARNING] Checkout | card declined"
    assert message.location["url"].endswith("/static/tests/page-logs.js")
    assert message.location["lineNumber"] == 2  # 0-based: the file's third line


def test_an_unknown_area_is_one_warning_with_the_known_areas_and_a_suggestion(
    open_page: Any, settings: Any
) -> None:
    browser_page = load(open_page, settings, "/page/sigunp/")
    assert browser_page.console_lines()[:1] == [
        '[WARNING] analytix | unknown page area "sigunp": no vendor scripts loaded. Did you mean'
        ' "signup"? Known areas: app_builder, default, prelogin, report_builder, signup'
    ]
    assert not [line for line in browser_page.console_lines() if "not loaded" in line]
