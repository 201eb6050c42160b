"""System checks for the privacy settings: each mistake gets its id, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks

from tests.test_privacy import make_request, render


def ids(settings: Any, config: dict[str, Any]) -> list[str]:
    settings.ANALYTICS_CONFIG = config
    return sorted(m.id for m in run_checks() if m.id and m.id.startswith("analytix."))


GOOD = {
    "CONSENT": {"COOKIE_NAME": "consent_v2"},
    "GPC": ["marketing"],
    "INTERNAL": {
        "IPS": ["10.0.0.0/8", "203.0.113.7", "2001:db8::/32"],
        "IP_HEADER": "X-Forwarded-For",
        "PROXY_COUNT": 2,
        "QA_COOKIE": "qa",
    },
    "CONDITIONS": {"drift": "tests.conditions.anonymous_only"},
    "IDENTITY": {"ID_ATTRIBUTE": "pk", "TRAITS": ["date_joined"]},
}


def test_valid_privacy_settings_pass(settings: Any) -> None:
    assert ids(settings, GOOD) == []
    assert ids(settings, {"CONSENT": True, "GPC": False, "IDENTITY": True}) == []


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"CONSENT": "yes"}, ["analytix.E201"]),
        ({"CONSENT": {"REQUIRED": "no"}}, ["analytix.E201"]),
        ({"CONSENT": {"COOKIE_NAME": "bad name;"}}, ["analytix.E202"]),
        ({"CONSENT": {"COOKIE_GROUPS": {"ads": "x"}}}, ["analytix.E203"]),
        ({"CONSENT": {"COOKIE_GROUPS": {"marketing": "ads"}}}, ["analytix.W202"]),
        ({"CONSENT": {"COOKY_NAME": "x"}}, ["analytix.W201"]),
        ({"GPC": "yes"}, ["analytix.E204"]),
        ({"GPC": ["ads"]}, ["analytix.E204"]),
        ({"INTERNAL": ["10.0.0.0/8"]}, ["analytix.E205"]),
        ({"INTERNAL": {"IPS": "10.0.0.0/8"}}, ["analytix.E206"]),
        ({"INTERNAL": {"IPS": ["10.0.0.0/33", "office"]}}, ["analytix.E206", "analytix.E206"]),
        ({"INTERNAL": {"IP_HEADER": "X Forwarded"}}, ["analytix.E207"]),
        ({"INTERNAL": {"IP_HEADER": "X-Real-IP", "PROXY_COUNT": 0}}, ["analytix.E207"]),
        ({"INTERNAL": {"PROXY_COUNT": 2}}, ["analytix.W203"]),
        ({"INTERNAL": {"QA_COOKIE": ""}}, ["analytix.E207"]),
        ({"INTERNAL": {"IP": []}}, ["analytix.W201"]),
        ({"CONDITIONS": ["drift"]}, ["analytix.E208"]),
        ({"CONDITIONS": {"chat": "tests.conditions.anonymous_only"}}, ["analytix.E208"]),
        ({"CONDITIONS": {"drift": "tests.conditions.NOT_CALLABLE"}}, ["analytix.E209"]),
        ({"CONDITIONS": {"drift": "tests.conditions.missing"}}, ["analytix.E209"]),
        ({"CONDITIONS": {"drift": 3}}, ["analytix.E209"]),
        ({"IDENTITY": "email"}, ["analytix.E210"]),
        ({"IDENTITY": {"TRAITS": "email"}}, ["analytix.E210"]),
        ({"IDENTITY": {"ID_ATTRIBUTE": "user.pk"}}, ["analytix.E210"]),
        ({"IDENTITY": {"TRAITS": ["password"]}}, ["analytix.E210"]),
        ({"IDENTITY": {"ID_ATTRIBUTE": "password"}}, ["analytix.E210"]),
        ({"IDENTITY": {"ID_ATTRIBUTE": "_state"}}, ["analytix.E210"]),
        ({"IDENTITY": {"TRAITS": ["_state"]}}, ["analytix.E210"]),
    ],
)
def test_each_mistake_has_its_check(
    settings: Any, config: dict[str, Any], expected: list[str]
) -> None:
    assert ids(settings, config) == expected


@pytest.mark.parametrize(
    "config",
    [
        {"CONSENT": "yes", "GPC": "yes", "INTERNAL": ["x"], "CONDITIONS": ["x"], "IDENTITY": "x"},
        {"INTERNAL": {"IPS": ["office"], "IP_HEADER": 5, "PROXY_COUNT": "two", "QA_COOKIE": 1}},
        {"CONSENT": {"COOKIE_NAME": 5, "COOKIE_GROUPS": "x"}, "IDENTITY": {"TRAITS": [5]}},
    ],
)
def test_bad_settings_never_break_the_page(settings: Any, config: dict[str, Any]) -> None:
    settings.ANALYTICS_CONFIG = config
    request = make_request(HTTP_X_FORWARDED_FOR="10.0.0.1", HTTP_SEC_GPC="1")
    assert "data-analytix-config" in render(request)
