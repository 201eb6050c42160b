from __future__ import annotations

from typing import Any

from analytix_frontend.decide.decisions import decide_services
from analytix_frontend.decide.services import DEFAULT_AREAS, SERVICES


def reasons(area: str) -> dict[str, str]:
    return {d.service.name: d.reason for d in decide_services(area)}


def test_one_decision_per_service_in_table_order() -> None:
    assert [d.service.name for d in decide_services("signup")] == [s.name for s in SERVICES]


def test_every_service_on_when_everything_allows_it() -> None:
    assert set(reasons("signup").values()) == {""}


def test_reasons_follow_the_documented_order(settings: Any) -> None:
    # The first "no" wins: id, then validity, then environment, then area.
    settings.SERVER_ENVIRONMENT = "staging"
    settings.ANALYTICS_IDS = {"GOOGLE_ANALYTICS_API_ID": "UA-1-1", "HUBSPOT_API_ID": "42"}
    got = reasons("default")
    assert got["google"] == "invalid id"
    assert got["hubspot"] == "environment"
    assert got["drift"] == "no id"


def test_area_reason_names_the_area() -> None:
    drift = next(d for d in decide_services("default") if d.service.name == "drift")
    assert (drift.enabled, drift.reason) == (False, "area")
    assert "'default'" in drift.detail


def test_custom_areas_replace_the_table(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"AREAS": {"checkout": ["facebook_pixel"]}}
    assert [d.service.name for d in decide_services("checkout") if d.enabled] == ["facebook_pixel"]
    assert set(reasons("signup").values()) == {"unknown area"}


def test_environments_and_debug(settings: Any) -> None:
    settings.SERVER_ENVIRONMENT = "staging"
    settings.ANALYTICS_CONFIG = {"ENVIRONMENTS": ["production", "staging"]}
    assert set(reasons("signup").values()) == {""}
    settings.SERVER_ENVIRONMENT = None
    settings.ANALYTICS_CONFIG = {"DEBUG": True}
    assert set(reasons("signup").values()) == {""}


def test_enabled_decisions_expose_the_validated_id_only() -> None:
    by_name = {d.service.name: d for d in decide_services("default")}
    assert by_name["google"].service_id == "G-ABC123DEF4"
    assert by_name["drift"].service_id is None


def test_surrounding_whitespace_in_an_id_is_ignored(settings: Any) -> None:
    settings.ANALYTICS_IDS = {"HUBSPOT_API_ID": " 1234567\n"}
    hubspot = next(d for d in decide_services("default") if d.service.name == "hubspot")
    assert hubspot.service_id == "1234567"


def test_default_table_matches_the_contract() -> None:
    assert DEFAULT_AREAS == {
        "default": ("google", "hubspot", "kissmetrics"),
        "prelogin": ("google", "hubspot", "kissmetrics", "drift", "fullstory"),
        "signup": ("google", "hubspot", "kissmetrics", "drift", "fullstory", "facebook_pixel"),
        "app_builder": ("google", "hubspot", "kissmetrics", "fullstory"),
        "report_builder": ("google", "hubspot", "kissmetrics", "fullstory"),
    }
