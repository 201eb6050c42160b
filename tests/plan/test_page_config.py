"""What the page gets of the plan: one URL in its config block (content-hashed, cached for a
year), the compiled plan at that URL, nothing at all with "pass"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.template import engines
from django.test import Client
from django.test.utils import override_settings

from analytix_frontend.checks.plan import check_plan
from analytix_frontend.testing import page_configs
from tests.plan.project import PLAN


@pytest.fixture
def planned(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "analytics_plan.yaml"
    path.write_text(PLAN)
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "PLAN": path}
    return path


def page_config() -> dict[str, Any]:
    html = engines["django"].from_string('{% load analytix %}{% analytics_scripts "signup" %}')
    [config] = page_configs(html.render({}))
    return config


def test_the_page_names_a_hashed_url_that_serves_the_compiled_plan(planned: Path) -> None:
    url = page_config()["plan"]
    assert url.startswith("/analytix/plan/") and url.endswith(".json")
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    compiled = json.loads(response.content)
    assert compiled["policy"] == "flag" and compiled["source"] == "analytics_plan.yaml"
    assert compiled["events"]["sign_up"] == {
        "properties": {
            "method": {"type": "string", "enum": ["email", "google"]},
            "seats": {"type": "integer", "minimum": 1},
        },
        "required": ["method"],
        "vendors": {"google": "sign_up", "facebook_pixel": "CompleteRegistration"},
    }
    assert str(planned) not in response.content.decode()  # the file's name, never its path


def test_a_changed_plan_or_policy_gets_a_new_url(planned: Path, settings: Any) -> None:
    first = page_config()["plan"]
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "PLAN_POLICY": "block"}
    second = page_config()["plan"]
    assert second != first
    old = Client().get(first)  # a page cached from before: the current plan, not cached
    assert old["Cache-Control"] == "no-cache"
    assert json.loads(old.content)["policy"] == "block"


def test_pass_or_no_plan_writes_nothing_and_serves_nothing(planned: Path, settings: Any) -> None:
    url = page_config()["plan"]
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "PLAN_POLICY": "pass"}
    assert "plan" not in page_config()
    assert Client().get(url).status_code == 404
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "warning"}
    assert "plan" not in page_config()


@override_settings(ROOT_URLCONF="tests.plan.urls_without_analytix")
def test_an_unrouted_plan_is_a_check_warning_and_an_empty_url(
    planned: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert page_config()["plan"] == ""
    assert 'add path("analytix/", include("analytix_frontend.urls"))' in caplog.text
    assert "analytix.W606" in [m.id for m in check_plan()]


@override_settings(ROOT_URLCONF="tests.plan.urls_without_analytix")
def test_an_unrouted_plan_is_logged_once_not_on_every_page(
    planned: Path, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """One warning per process, not one per page view (with DEBUG on, or for an unknown
    area, the page's config is built at every render)."""
    settings.DEBUG = True
    for _ in range(5):
        assert page_config()["plan"] == ""
    assert caplog.text.count("the tracking plan cannot reach the page") == 1
