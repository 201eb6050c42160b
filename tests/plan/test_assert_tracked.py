"""analytix_frontend.testing.assert_tracked: users' tests assert that a page or a view tracked
a planned event with properties the plan allows (the recording fakes' side is in
test_browser_plan.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytix_frontend.server import record_kissmetrics_event
from analytix_frontend.testing import assert_tracked, tracked_on_server
from tests.plan.project import PLAN, TEMPLATE

KEPT: list[dict[str, Any]] = []


def keep(call: dict[str, Any]) -> None:
    """A SERVER["DISPATCH"] that keeps the calls instead of sending them."""
    KEPT.append(call)


@pytest.fixture
def plan(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "analytics_plan.yaml"
    path.write_text(PLAN)
    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "PLAN": path,
        "SERVER": {"DISPATCH": f"{__name__}.keep"},
    }
    return path


def test_a_page_that_tracks_a_planned_event(plan: Path) -> None:
    assert_tracked(TEMPLATE, "sign_up")
    assert_tracked(TEMPLATE.encode(), "clicked_deploy", {"plan": "pro"})


@pytest.mark.parametrize(
    ("html", "event", "properties", "message"),
    [
        (TEMPLATE, "Sign Up", None, "'Sign Up' is not in the tracking plan"),
        (
            TEMPLATE,
            "report_exported",
            None,
            "'report_exported' was not tracked; tracked: "
            "clicked_deploy, sign_up, {{ dynamic_name }}",
        ),
        (TEMPLATE, "clicked_deploy", {"plan": "free"}, "was tracked, but never with"),
        (
            TEMPLATE.replace('"email"', '"phone"'),
            "sign_up",
            None,
            "'sign_up' was tracked with properties the plan refuses: method: 'phone' fails enum",
        ),
    ],
)
def test_each_failure_says_what_was_tracked(
    plan: Path, html: str, event: str, properties: Any, message: str
) -> None:
    with pytest.raises(AssertionError, match=message.replace("(", r"\(").replace("{", r"\{")):
        assert_tracked(html, event, properties)


def test_a_view_that_tracks_on_the_server(plan: Path) -> None:
    with tracked_on_server() as server:
        record_kissmetrics_event("ada@example.com", "report_exported", {"format": "pdf"})
    assert_tracked(server, "report_exported", {"format": "pdf"})
    with pytest.raises(AssertionError, match="'sign_up' was not tracked"):
        assert_tracked(server, "sign_up")
    record_kissmetrics_event("ada@example.com", "sign_up", {"method": "email"})
    with pytest.raises(AssertionError, match="'sign_up' was not tracked"):
        assert_tracked(server, "sign_up")  # outside the block: not recorded


def test_without_a_plan_it_says_so(settings: Any) -> None:
    with pytest.raises(AssertionError, match="no tracking plan to check against"):
        assert_tracked(TEMPLATE, "sign_up")
