from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from django.test import RequestFactory

from analytix_frontend.server import record_kissmetrics_event, set_kissmetrics_properties
from tests.server.conftest import sent, set_server
from tests.server.fake_vendor import FakeVendor

KEY = "0123456789abcdef0123456789abcdef01234567"


def test_event_is_sent_with_key_person_name_and_a_fixed_timestamp(
    server_settings: Any, vendor: FakeVendor
) -> None:
    before = int(time.time())
    record_kissmetrics_event(
        "ada@example.com", "Signed up", {"plan": "pro", "seats": 3, "trial": True}
    )
    after = int(time.time())
    [request] = sent(vendor)
    assert (request.method, request.path) == ("GET", "/e")
    timestamp = request.query.pop("_t")
    assert before <= int(timestamp) <= after
    assert request.query == {
        "_k": KEY,
        "_p": "ada@example.com",
        "_n": "Signed up",
        "_d": "1",
        "plan": "pro",
        "seats": "3",
        "trial": "true",
    }


def test_properties_go_to_s_without_an_event_name(server_settings: Any, vendor: FakeVendor) -> None:
    set_kissmetrics_properties("ada@example.com", {"Plan": "pro", "Renewal": None})
    [request] = sent(vendor)
    assert request.path == "/s"
    assert set(request.query) == {"_k", "_p", "_t", "_d", "Plan"}
    assert request.query["Plan"] == "pro"


def test_a_property_cannot_overwrite_the_key_person_or_timestamp(
    server_settings: Any, vendor: FakeVendor
) -> None:
    record_kissmetrics_event("ada", "Paid", {"_p": "mallory", "_k": "x", "_t": "1", "ok": 1})
    [request] = sent(vendor)
    assert request.query["_p"] == "ada"
    assert request.query["_k"] == KEY
    assert request.query["_t"] != "1"
    assert request.query["ok"] == "1"


def test_a_retry_repeats_the_same_timestamp_so_it_is_not_counted_twice(
    server_settings: Any, vendor: FakeVendor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every reading of the clock is 100 s after the last, so attempts happen at different
    # "times" without any waiting: a timestamp taken again at a retry would differ.
    readings = iter(range(1_900_000_000, 2_000_000_000, 100))
    monkeypatch.setattr(time, "time", lambda: float(next(readings)))
    vendor.answer(500, 500)
    record_kissmetrics_event("ada", "Paid")
    first, second, third = sent(vendor)
    assert first.query == second.query == third.query
    assert first.query["_d"] == "1"
    assert 1_900_000_000 <= int(first.query["_t"]) < 2_000_000_000  # from the patched clock


def skipped(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]


def test_skipped_without_a_key(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    server_settings.ANALYTICS_IDS = {"HUBSPOT_API_ID": "1234567"}
    with caplog.at_level(logging.DEBUG, "analytix_frontend.server"):
        record_kissmetrics_event("ada", "Paid")
    assert sent(vendor) == []
    assert skipped(caplog) == [
        "Kissmetrics event skipped: ANALYTICS_IDS['KISSMETRICS_KEY'] is not set or not valid."
    ]


def test_skipped_outside_an_analytics_environment(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    server_settings.SERVER_ENVIRONMENT = "staging"
    with caplog.at_level(logging.DEBUG, "analytix_frontend.server"):
        set_kissmetrics_properties("ada", {"a": 1})
    assert sent(vendor) == []
    [line] = skipped(caplog)
    assert "SERVER_ENVIRONMENT 'staging'" in line


def test_debug_mode_sends_from_any_environment(server_settings: Any, vendor: FakeVendor) -> None:
    server_settings.SERVER_ENVIRONMENT = "staging"
    server_settings.ANALYTICS_CONFIG = {**server_settings.ANALYTICS_CONFIG, "DEBUG": True}
    record_kissmetrics_event("ada", "Paid")
    assert len(sent(vendor)) == 1


def test_opt_out_callable_is_asked_with_the_person(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    set_server(server_settings, OPT_OUT="tests.server.helpers.opt_out_listed")
    with caplog.at_level(logging.DEBUG, "analytix_frontend.server"):
        record_kissmetrics_event("opted-out@example.com", "Paid")
        record_kissmetrics_event("stays@example.com", "Paid")
    [request] = sent(vendor)
    assert request.query["_p"] == "stays@example.com"
    assert skipped(caplog) == [
        "Kissmetrics event skipped: the user opted out (ANALYTICS_CONFIG['SERVER']['OPT_OUT'])."
    ]


def test_a_failing_opt_out_callable_sends_nothing(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    set_server(server_settings, OPT_OUT="tests.server.helpers.opt_out_broken")
    record_kissmetrics_event("ada", "Paid")
    assert sent(vendor) == []
    assert "failed with RuntimeError; nothing is sent" in caplog.text


@pytest.mark.parametrize(("cookie", "expected"), [("", 0), ("marketing", 0), ("analytics", 1)])
def test_consent_for_analytics_is_needed_when_required_and_a_request_is_given(
    server_settings: Any, vendor: FakeVendor, cookie: str, expected: int
) -> None:
    server_settings.ANALYTICS_CONFIG = {**server_settings.ANALYTICS_CONFIG, "CONSENT": True}
    request = RequestFactory().get("/")
    request.COOKIES["analytix_consent"] = cookie
    record_kissmetrics_event("ada", "Paid", request=request)
    assert len(sent(vendor)) == expected


@pytest.mark.parametrize("person", ["", "   ", None])
def test_no_person_sends_nothing_and_never_raises(
    server_settings: Any, vendor: FakeVendor, person: Any
) -> None:
    record_kissmetrics_event(person, "Paid")
    set_kissmetrics_properties(person, {"a": 1})
    assert sent(vendor) == []


def gpc_request() -> Any:
    return RequestFactory().get("/", HTTP_SEC_GPC="1")


def test_a_gpc_visitors_events_and_properties_are_not_recorded(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, "analytix_frontend.server"):
        record_kissmetrics_event("ada", "Paid", request=gpc_request())
        set_kissmetrics_properties("ada", {"Plan": "pro"}, request=gpc_request())
    assert sent(vendor) == []
    assert skipped(caplog) == [
        f"Kissmetrics {what} skipped: the visitor sent Global Privacy Control (Sec-GPC: 1), "
        "which turns off 'analytics'."
        for what in ("event", "properties")
    ]


@pytest.mark.parametrize(("gpc", "expected"), [(["marketing"], 1), (False, 1), (True, 0)])
def test_the_gpc_setting_decides_as_on_the_page(
    server_settings: Any, vendor: FakeVendor, gpc: Any, expected: int
) -> None:
    server_settings.ANALYTICS_CONFIG = {**server_settings.ANALYTICS_CONFIG, "GPC": gpc}
    record_kissmetrics_event("ada", "Paid", request=gpc_request())
    record_kissmetrics_event("ada", "Paid", request=RequestFactory().get("/", HTTP_SEC_GPC="0"))
    assert len(sent(vendor)) == expected + 1
