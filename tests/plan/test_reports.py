"""The page's plan reports (plan/reports.py), with Django's test client: each accepted
violation is a log line in the server's own words, marked as the browser's claim, and counted
by the panel; every refusal has its status and a log line; no property value and no forged
line break can reach the log; a report the plan contradicts is refused. Never a 500."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.test.utils import override_settings
from django.urls import reverse

from analytix_frontend.consent import ratelimit
from analytix_frontend.plan import repeats, reports
from analytix_frontend.plan.browser import compiled_plan
from analytix_frontend.server import record
from tests.plan.project import PLAN

URL = "/analytix/plan/report/"
SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}
UNPLANNED = {"event": "Signed Up", "problems": ["unplanned"], "blocked": False}
BAD_ENUM = {"event": "clicked_deploy", "problems": ["enum:plan"], "blocked": True}
SOURCE = ""  # the plan's file, as the server's own lines name it
REPORT = {"area": "signup", "path": "/signup/", "violations": [UNPLANNED, BAD_ENUM], "more": 0}
NOW = [0.0]  # the repeats' clock, in seconds


@pytest.fixture(autouse=True)
def planned(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    path = tmp_path / "analytics_plan.yaml"
    path.write_text(PLAN)
    monkeypatch.setattr(sys.modules[__name__], "SOURCE", str(path))
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "PLAN": path}
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pr"}
    }
    from django.core.cache import cache

    cache.clear()
    # Each test starts with no violation seen, on a clock of its own (seconds in NOW[0]).
    NOW[0] = 0.0
    monkeypatch.setattr(repeats, "reported", repeats.Repeats(clock=lambda: NOW[0]))
    return settings


def post(body: Any = REPORT, content_type: str = "text/plain;charset=UTF-8", **meta: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return Client().post(URL, data=data, content_type=content_type, **(meta or SAME_ORIGIN))


def logged(caplog: pytest.LogCaptureFixture, body: Any = REPORT, **kwargs: Any) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="analytix_frontend.plan"):
        response = post(body, **kwargs)
    assert response.status_code == 204, response.content
    lines = [r.getMessage() for r in caplog.records if r.name == "analytix_frontend.plan"]
    return [line.replace(SOURCE, "analytics_plan.yaml") for line in lines]


def refused(caplog: pytest.LogCaptureFixture, body: Any = REPORT, **kwargs: Any) -> Any:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="analytix_frontend.plan"):
        response = post(body, **kwargs)
    [line] = [r.getMessage() for r in caplog.records if r.name == "analytix_frontend.plan"]
    assert line.startswith(
        f"analytix plan: a browser's plan report refused ({response.status_code}"
    )
    assert "\n" not in line
    return response


def test_the_url_has_its_name_and_the_compiled_plan_names_it() -> None:
    assert reverse("analytix:plan-report") == URL
    compiled = compiled_plan()
    assert compiled is not None and json.loads(compiled[0])["report"] == URL


def test_each_violation_is_a_log_line_in_the_servers_words(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lines = logged(caplog)
    assert lines == [
        "analytix plan: browser event 'Signed Up' sent (PLAN_POLICY 'flag') on /signup/ "
        "(area signup): the event is not in the plan; see analytics_plan.yaml. "
        "(Reported by the visitor's browser; its repeats in the next 600 s are counted into "
        "one line.)",
        "analytix plan: browser event 'clicked_deploy' dropped (PLAN_POLICY 'block') on "
        "/signup/ (area signup): plan: fails enum; see analytics_plan.yaml. "
        "(Reported by the visitor's browser; its repeats in the next 600 s are counted into "
        "one line.)",
    ]
    assert all(r.levelno == logging.WARNING for r in caplog.records)


def test_the_violations_left_out_are_said_too(caplog: pytest.LogCaptureFixture) -> None:
    lines = logged(caplog, {**REPORT, "violations": [UNPLANNED], "more": 7})
    assert len(lines) == 2
    assert lines[1].startswith(
        "analytix plan: 7 more violations on /signup/ (area signup) were left out"
    )


def test_json_is_taken_too_and_the_panel_counts_each_violation(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded: list[dict[str, Any]] = []
    monkeypatch.setattr(record, "record_plan_violation", recorded.append)
    logged(caplog, content_type="application/json")
    assert recorded == [
        {
            "what": "browser event 'Signed Up' on /signup/ (area signup)",
            "problems": ["the event is not in the plan"],
            "blocked": False,
        },
        {
            "what": "browser event 'clicked_deploy' on /signup/ (area signup)",
            "problems": ["plan: fails enum"],
            "blocked": True,
        },
    ]


def test_the_panel_gets_them_on_the_reports_own_request() -> None:
    request = RequestFactory().post(URL)
    token = record.collect_server_calls(request)
    try:
        reports.log_report(reports.read_report(json.dumps(REPORT).encode()), "plan.yaml")
    finally:
        record.stop_collecting(token)
    found = record.request_record(request)
    assert found is not None and [v["blocked"] for v in found.plan_violations] == [False, True]


def test_a_forged_line_break_cannot_split_the_log_line(caplog: pytest.LogCaptureFixture) -> None:
    fake = "x\nanalytix plan: server event 'sign_up' sent"
    for forged in (
        {**REPORT, "violations": [{**UNPLANNED, "event": fake}]},
        {**REPORT, "violations": [{**UNPLANNED, "event": "x\u2028y"}]},
        {**REPORT, "area": "signup\r\nanalytix plan: forged"},
        {**REPORT, "path": "/signup/\nforged"},
        {**REPORT, "violations": [{**UNPLANNED, "problems": ["unknown:a\nb"]}]},
    ):
        assert refused(caplog, forged).status_code == 400
        assert "forged" not in caplog.text
    # what passes shows odd text with repr(), so nothing can pass for another line's words
    lines = logged(
        caplog,
        {
            **REPORT,
            "area": "a (b)",
            "violations": [
                {"event": "sign_up", "problems": ["unknown:x; see y"], "blocked": False}
            ],
        },
    )
    assert lines == [
        "analytix plan: browser event 'sign_up' sent (PLAN_POLICY 'flag') on /signup/ "
        "(area 'a (b)'): 'x; see y': not a property of this event in the plan; see "
        "analytics_plan.yaml. (Reported by the visitor's browser; its repeats in the next "
        "600 s are counted into one line.)"
    ]


def test_the_format_has_no_place_for_a_value_or_a_visitor(caplog: pytest.LogCaptureFixture) -> None:
    for forged in (
        {**REPORT, "values": {"email": "someone@example.com"}},
        {**REPORT, "visitor": "abc"},
        {**REPORT, "violations": [{**UNPLANNED, "properties": {"email": "a@b.example"}}]},
        {**REPORT, "violations": [{**BAD_ENUM, "problems": ["enum:plan=enterprise@x"]}]},
        {**REPORT, "violations": [{**BAD_ENUM, "problems": ["enum"]}]},
        {**REPORT, "violations": [{**BAD_ENUM, "problems": [{"enum": "plan"}]}]},
        {**REPORT, "path": "/signup/?email=someone@example.com"},
    ):
        assert refused(caplog, forged).status_code == 400
        assert "@" not in caplog.text
    # a path segment naming a person is left out of the line, as the panel leaves it out
    lines = logged(caplog, {**REPORT, "path": "/users/someone%40example.com/"})
    assert "someone" not in "".join(lines) and "/users/[personal data]/" in lines[0]


@pytest.mark.parametrize(
    ("violation", "why"),
    [
        ({**UNPLANNED, "event": "sign_up"}, "'sign_up' is in the plan"),
        ({**UNPLANNED, "problems": ["enum:plan"]}, "its only problem is 'unplanned'"),
        (
            {**BAD_ENUM, "problems": ["enum:colour"]},
            "enum: names a property that 'clicked_deploy' has not",
        ),
        ({**BAD_ENUM, "problems": ["unknown:plan"]}, "has the property 'plan' in the plan"),
        ({**BAD_ENUM, "problems": ["required:plan"]}, "does not require 'plan'"),
        ({**BAD_ENUM, "problems": ["minimum:plan"]}, "sets no minimum for 'plan'"),
        ({**BAD_ENUM, "problems": ["enum:plan", "unplanned"]}, "'clicked_deploy' is in the plan"),
    ],
)
def test_a_report_the_plan_contradicts_is_refused(
    caplog: pytest.LogCaptureFixture, violation: dict[str, Any], why: str
) -> None:
    response = refused(caplog, {**REPORT, "violations": [UNPLANNED, violation]})
    assert response.status_code == 400
    assert "the plan contradicts it" in response.json()["error"] and why in caplog.text
    assert "browser event" not in caplog.text  # not even the valid one: the report is refused


def test_what_the_plan_allows_is_taken(caplog: pytest.LogCaptureFixture) -> None:
    sign_up = {
        "event": "sign_up",
        "problems": ["enum:method", "minimum:seats", "required:method", "unknown:colour"],
        "blocked": False,
    }
    [line] = logged(caplog, {**REPORT, "violations": [sign_up]})
    assert (
        ": method: fails enum; seats: fails minimum; method: required, missing; colour: not a "
        "property of this event in the plan; see" in line
    )


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        b"\xff\xfe",
        "[]",
        json.dumps({**REPORT, "violations": []}),
        json.dumps({**REPORT, "violations": [UNPLANNED] * 21}),
        json.dumps({**REPORT, "violations": [{**UNPLANNED, "event": "e" * 256}]}),
        json.dumps({**REPORT, "violations": [{**UNPLANNED, "event": ""}]}),
        json.dumps({**REPORT, "violations": [{**UNPLANNED, "blocked": "no"}]}),
        json.dumps({**REPORT, "violations": [{**UNPLANNED, "problems": []}]}),
        json.dumps({**REPORT, "area": "a" * 101}),
        json.dumps({**REPORT, "area": 3}),
        json.dumps({**REPORT, "path": "signup"}),
        json.dumps({**REPORT, "path": "/a b"}),
        json.dumps({**REPORT, "more": -1}),
        json.dumps({**REPORT, "more": True}),
        json.dumps({**REPORT, "more": 1.5}),
        '{"area": "signup", "path": "/", "violations": [], "more": NaN}',
    ],
)
def test_malformed_reports_are_400(caplog: pytest.LogCaptureFixture, body: Any) -> None:
    assert refused(caplog, body).status_code == 400


def test_the_statuses(caplog: pytest.LogCaptureFixture, planned: Any) -> None:
    assert post(REPORT).status_code == 204
    response = Client().get(URL, **SAME_ORIGIN)
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert refused(caplog, content_type="application/x-www-form-urlencoded").status_code == 400
    assert refused(caplog, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    assert refused(caplog, HTTP_ORIGIN="https://evil.example").status_code == 403
    assert post(HTTP_ORIGIN="http://testserver").status_code == 204
    big = {**REPORT, "area": "a" * 100, "violations": [{**UNPLANNED, "event": "e" * 255}] * 20}
    assert refused(caplog, big).status_code == 413


def test_404_when_the_page_checks_nothing_or_reports_are_off(
    caplog: pytest.LogCaptureFixture, planned: Any
) -> None:
    config = planned.ANALYTICS_CONFIG
    planned.ANALYTICS_CONFIG = {**config, "PLAN_REPORTS": False}
    assert refused(caplog).status_code == 404
    compiled = compiled_plan()
    assert compiled is not None and "report" not in json.loads(compiled[0])
    planned.ANALYTICS_CONFIG = {**config, "PLAN_POLICY": "pass"}
    assert refused(caplog).status_code == 404
    planned.ANALYTICS_CONFIG = {k: v for k, v in config.items() if k != "PLAN"}
    assert refused(caplog).status_code == 404


def test_the_rate_limit_per_address(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reports, "PER_ADDRESS", 3)
    assert [post().status_code for _ in range(3)] == [204, 204, 204]
    assert refused(caplog).status_code == 429
    assert post(REMOTE_ADDR="10.0.0.9", **SAME_ORIGIN).status_code == 204
    # the consent endpoint's own count is another
    assert ratelimit.allow("ip", "127.0.0.1", ratelimit.PER_ADDRESS)


def test_never_a_500(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(reports, "log_report", broken)
    with caplog.at_level(logging.ERROR, logger="analytix_frontend.plan"):
        assert post().status_code == 503
    assert "the plan report endpoint failed; the report is lost" in caplog.text


@override_settings(ROOT_URLCONF="tests.plan.urls_without_analytix")
def test_not_routed_no_report_url() -> None:
    compiled = compiled_plan()
    assert compiled is not None and "report" not in json.loads(compiled[0])


def test_repeats_are_counted_into_one_line_not_logged_each_time(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A busy page's visitors all report the same violation: one line, then a count."""
    recorded: list[dict[str, Any]] = []
    monkeypatch.setattr(record, "record_plan_violation", recorded.append)
    assert len(logged(caplog)) == 2
    for second in (1, 2, 599):  # the same two violations, on another page of the area
        NOW[0] = second
        assert logged(caplog, {**REPORT, "path": "/signup/team/"}) == []
    assert len(recorded) == 8  # the panel still counts each, on its request
    NOW[0] = 600.0  # the window is over: the next report, of anything, brings the counts
    lines = logged(caplog, {**REPORT, "violations": [UNPLANNED]})
    assert lines == [
        "analytix plan: browser event 'Signed Up' sent (PLAN_POLICY 'flag') (area signup): "
        "the event is not in the plan: reported 3 more times in the 600 s after it was "
        "logged. (Reported by visitors' browsers.)",
        "analytix plan: browser event 'clicked_deploy' dropped (PLAN_POLICY 'block') (area "
        "signup): plan: fails enum: reported 3 more times in the 600 s after it was logged. "
        "(Reported by visitors' browsers.)",
        "analytix plan: browser event 'Signed Up' sent (PLAN_POLICY 'flag') on /signup/ "
        "(area signup): the event is not in the plan; see analytics_plan.yaml. "
        "(Reported by the visitor's browser; its repeats in the next 600 s are counted into "
        "one line.)",
    ]


def test_another_violation_or_area_is_a_line_of_its_own(caplog: pytest.LogCaptureFixture) -> None:
    assert len(logged(caplog, {**REPORT, "violations": [UNPLANNED]})) == 1
    assert len(logged(caplog, {**REPORT, "area": "prelogin", "violations": [UNPLANNED]})) == 1
    blocked = {**UNPLANNED, "blocked": True}
    assert len(logged(caplog, {**REPORT, "violations": [blocked]})) == 1
    assert logged(caplog, {**REPORT, "violations": [UNPLANNED]}) == []


def test_a_full_table_logs_each_report_rather_than_count_it(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repeats, "reported", repeats.Repeats(keys=1, clock=lambda: NOW[0]))
    assert len(logged(caplog, {**REPORT, "violations": [BAD_ENUM]})) == 1
    for _ in range(2):  # no room to count it: each is logged
        assert len(logged(caplog, {**REPORT, "violations": [UNPLANNED]})) == 1


def test_the_counts_held_are_logged_as_the_process_ends(caplog: pytest.LogCaptureFixture) -> None:
    logged(caplog, {**REPORT, "violations": [UNPLANNED]})
    NOW[0] = 5.0
    assert logged(caplog, {**REPORT, "violations": [UNPLANNED]}) == []
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="analytix_frontend.plan"):
        reports._log_repeats_at_exit()  # what atexit calls
    assert [r.getMessage() for r in caplog.records] == [
        "analytix plan: browser event 'Signed Up' sent (PLAN_POLICY 'flag') (area signup): "
        "the event is not in the plan: reported 1 more time in the 600 s after it was logged. "
        "(Reported by visitors' browsers.)"
    ]
