"""One decision per request (issue 19, point 12): the request rules run once, and the tag
(however many times it renders), the debug-toolbar panel's stats, the report and the
server-side calls all read that one answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from analytix_frontend.decide import consent
from analytix_frontend.decide.request import decide_request, recorded_decision
from analytix_frontend.page.state import record_renders, stop_recording
from analytix_frontend.qa.panel import panel_stats
from analytix_frontend.qa.report import decide_table
from analytix_frontend.server.gate import why_skip

ASKED: list[Any] = []


def counting_condition(request: Any) -> bool:
    """A project condition (ANALYTICS_CONFIG["CONDITIONS"]) that counts its calls."""
    ASKED.append(request)
    return True


def render_twice(request: Any) -> str:
    """Two tags on one page, rendered as the debug-toolbar panel watches (it keeps each
    render's details)."""
    template = Template(
        '{% load analytix %}{% analytics_scripts "signup" %}{% analytics_scripts "prelogin" %}'
    )
    token = record_renders()
    try:
        return template.render(Context({"request": request}))
    finally:
        stop_recording(token)


@pytest.fixture
def counted(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Conditions on two services, consent required; counts the consent answers read."""
    ASKED.clear()
    settings.ANALYTICS_CONFIG = {
        "CONSENT": True,
        "CONDITIONS": {
            "drift": f"{__name__}.counting_condition",
            "google": f"{__name__}.counting_condition",
        },
    }
    reads: list[str] = []
    original = consent.read_answer

    def read_answer(config: Any, request: Any) -> Any:
        reads.append("read")
        return original(config, request)

    monkeypatch.setattr(consent, "read_answer", read_answer)
    return reads


def test_the_rules_run_once_whatever_reads_them(counted: list[str]) -> None:
    request = RequestFactory().get("/", HTTP_SEC_GPC="1")
    request.COOKIES["analytix_consent"] = "analytics,functional"
    render_twice(request)
    decision = recorded_decision(request)
    assert decision is not None and decide_request(request) is decision
    # The server side asks about the same visitor: no rule runs again.
    assert "Global Privacy Control" in why_skip("kissmetrics", request=request)
    assert why_skip("drift", request=request) == ""
    stats = panel_stats(request)
    assert [r["area"] for r in stats["renders"]] == ["signup", "prelogin"]
    assert stats["rules"]["gpc"]["sent"] is True
    assert stats["rules"]["consent"]["granted"] == ["analytics", "functional"]
    assert counted == ["read"]  # one consent answer for the request
    assert len(ASKED) == 1  # drift's condition (google is off by GPC before it is asked)


def test_the_panel_and_the_tag_agree_on_every_service(counted: list[str]) -> None:
    request = RequestFactory().get("/")
    request.COOKIES["analytix_consent"] = "marketing"
    render_twice(request)
    page = {
        s["name"]: (s["on"], s["waiting"], s["reason"])
        for s in panel_stats(request)["renders"][0]["services"]
    }
    decided = {
        d.service.name: (d.enabled, d.waiting, d.reason)
        for d in decide_request(request).services("signup")
    }
    assert page == decided
    assert decided["hubspot"] == (True, False, "")
    assert decided["google"] == (False, True, "consent")


def test_the_report_reads_one_decision_for_every_area(counted: list[str]) -> None:
    request = RequestFactory().get("/")
    table = decide_table(["signup", "prelogin", "default"], request)
    assert set(table) == {"signup", "prelogin", "default"}
    assert counted == ["read"] and len(ASKED) == 2  # drift and google, once each


def test_a_settings_change_makes_a_new_decision(settings: Any) -> None:
    request = RequestFactory().get("/")
    first = decide_request(request)
    assert decide_request(request) is first
    settings.ANALYTICS_CONFIG = {"GPC": False}
    assert decide_request(request) is not first


def test_renders_are_kept_only_while_the_panel_records_them() -> None:
    """Without the panel, the tag keeps no render's details (its hot path pays nothing for
    them), yet each script still goes once on the page."""
    from analytix_frontend.page.state import page_state

    request = RequestFactory().get("/")
    template = Template(
        '{% load analytix %}{% analytics_scripts "signup" %}{% analytics_scripts "prelogin" %}'
    )
    html = template.render(Context({"request": request}))
    state = page_state(request)
    assert state is not None and state.written  # the page's scripts, for the dedupe
    assert state.renders == []
    assert html.count("analytix.min.js") + html.count("start.js") == 1
    assert panel_stats(request)["renders"] == []

    watched = RequestFactory().get("/")
    render_twice(watched)
    recorded = page_state(watched)
    assert recorded is not None and [r.area for r in recorded.renders] == ["signup", "prelogin"]
