"""System checks for the consent settings (checks/consent.py, checks/consent_sources.py): a
good value is silent, each mistake names its key with its own id."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks

from analytix_frontend.decide.settings import get_settings

GOOD = {
    "VERSION": "2026-12",
    "RECORDS": False,
    "RECORD_IP": False,
    "RETENTION_DAYS": 730,
    "SOURCE": "tcf",
    "TCF": {"PURPOSES": {"analytics": [1, 7]}, "VENDORS": {"google": 755}},
    "GOOGLE": {
        "MODE": "advanced",
        "REGION_HEADER": "CloudFront-Viewer-Country",
        "REGIONS": {"default": {"analytics_storage": "granted"}, "US-CA": {"ad_storage": "denied"}},
        "WAIT_FOR_UPDATE": 0,
        "URL_PASSTHROUGH": True,
        "ADS_DATA_REDACTION": False,
    },
}


def region(request: Any) -> str:
    return "DE"


def consent_ids(settings: Any, consent: Any) -> list[str]:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": consent}
    return sorted(
        m.id
        for m in run_checks()
        if (m.id and m.id.startswith("analytix.E2")) or (m.id and m.id.startswith("analytix.W2"))
    )


def test_good_values_are_silent(settings: Any) -> None:
    assert consent_ids(settings, GOOD) == []
    assert consent_ids(settings, {**GOOD, "GOOGLE": {"REGION": f"{__name__}.region"}}) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"VERSION": ""}, "analytix.E213"),
        ({"VERSION": "x" * 101}, "analytix.E213"),
        ({"VERSION": 2026}, "analytix.E213"),
        ({"RECORDS": "yes"}, "analytix.E214"),
        ({"RECORD_IP": 1}, "analytix.E214"),
        ({"RETENTION_DAYS": 0}, "analytix.E215"),
        ({"RETENTION_DAYS": True}, "analytix.E215"),
        ({"RETENTION_DAYS": 30.5}, "analytix.E215"),
        ({"SOURCE": "onetrust"}, "analytix.E216"),
        ({"TCF": [1, 2]}, "analytix.E217"),
        ({"TCF": {"PURPOSES": {"analytics": [0]}}}, "analytix.E217"),
        ({"TCF": {"PURPOSES": {"ads": [1]}}}, "analytix.E217"),
        ({"TCF": {"VENDORS": {"google": "755"}}}, "analytix.E217"),
        ({"TCF": {"VENDORS": {"segment": 1}}}, "analytix.E217"),
        ({"TCF": {"PURPOSE": {}}}, "analytix.W201"),
        ({"GOOGLE": "advanced"}, "analytix.E218"),
        ({"GOOGLE": {"MODE": "full"}}, "analytix.E218"),
        ({"GOOGLE": {"WAIT_FOR_UPDATE": -1}}, "analytix.E218"),
        ({"GOOGLE": {"WAIT_FOR_UPDATE": 10_001}}, "analytix.E218"),
        ({"GOOGLE": {"URL_PASSTHROUGH": "no"}}, "analytix.E218"),
        ({"GOOGLE": {"ADS_DATA_REDACTION": None}}, "analytix.E218"),
        ({"GOOGLE": {"REGION_HEADER": "CF IPCountry"}}, "analytix.E219"),
        ({"GOOGLE": {"REGION": "no.such.module.region"}}, "analytix.E219"),
        ({"GOOGLE": {"REGION": f"{__name__}.GOOD"}}, "analytix.E219"),  # not callable
        (
            {"GOOGLE": {"REGION": f"{__name__}.region", "REGION_HEADER": "X-Country"}},
            "analytix.E219",
        ),
        ({"GOOGLE": {"REGIONS": {"us": {"ad_storage": "denied"}}}}, "analytix.E220"),
        ({"GOOGLE": {"REGIONS": {"US": {"ad_storage": "yes"}}}}, "analytix.E220"),
        ({"GOOGLE": {"REGIONS": {"US": {"storage": "denied"}}}}, "analytix.E220"),
        ({"GOOGLE": {"REGIONS": {"DE": {"ad_storage": "granted"}}}}, "analytix.W207"),
        ({"GOOGLE": {"REGIONS": {"GB": {"analytics_storage": "granted"}}}}, "analytix.W207"),
        ({"GOOGLE": {"MODES": "basic"}}, "analytix.W201"),
        ({"SOURCE": "cookie_consent"}, "analytix.W205"),
        ({"RECORD_IP": True}, "analytix.W206"),
        ({"RECORD": True}, "analytix.W201"),
    ],
)
def test_each_mistake_has_its_id(settings: Any, change: dict[str, Any], expected: str) -> None:
    # (a TCF or GOOGLE change replaces the whole sub-dict, so only this mistake is in it)
    consent = {**GOOD, "SOURCE": "analytix", **change}
    assert consent_ids(settings, consent) == [expected]


@pytest.mark.parametrize(
    "consent",
    [
        {"VERSION": "", "RETENTION_DAYS": -3, "SOURCE": "x", "TCF": "x", "GOOGLE": {"MODE": 1}},
        {"GOOGLE": {"REGIONS": "x", "REGION_HEADER": 3, "WAIT_FOR_UPDATE": "500"}},
        {"GOOGLE": {"REGIONS": {"default": "granted", "X": None}}, "TCF": {"VENDORS": [1]}},
    ],
)
def test_malformed_values_fall_back_to_safe_defaults(settings: Any, consent: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": consent}
    parsed = get_settings().privacy.consent
    assert parsed.required and not parsed.records and parsed.version == ""
    assert parsed.retention_days == 1095 and parsed.source == "analytix"
    assert parsed.google.mode == "basic" and parsed.google.wait_for_update == 500
    assert parsed.google.region_header is None
    assert set(parsed.google.regions["default"].values()) == {"denied"}
