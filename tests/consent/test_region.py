"""Google Consent Mode's defaults per region (decide/consent_mode.py, decided once per request
in decide/request.py, written by page/config.py): never an address lookup of ours; the EEA,
the UK and Switzerland always all denied; caches keep one copy per region."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.http import HttpResponse

from analytix_frontend.decide.consent_mode import ALWAYS_DENIED
from analytix_frontend.page.caching import REGION, cache_mark, protect_response
from tests.consent.helpers import consent_part, make_request

SIGNALS = ("ad_storage", "analytics_storage", "ad_user_data", "ad_personalization")
DENIED = dict.fromkeys(SIGNALS, "denied")
GRANTED = {k: "granted" for k in DENIED}
US_ROW = {"analytics_storage": "granted", "ad_storage": "granted"}
EEA_UK_CH = {
    *"AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split(),
    "IS", "LI", "NO", "GB", "CH",
}  # fmt: skip


def region_of_request(request: Any) -> str | None:
    return request.GET.get("country")


def failing_region(request: Any) -> str | None:
    raise RuntimeError("the geo service is down")


def configure(settings: Any, consent: Any = None, **google: Any) -> None:
    base = {"REQUIRED": True} if consent is None else consent
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": {**base, "GOOGLE": google}}


def google_part(request: Any, area: str = "signup") -> dict[str, Any]:
    part = consent_part(request, area)
    assert part is not None and "google" in part, part
    return dict(part["google"])


def test_every_eea_uk_and_swiss_country_is_in_the_always_denied_set() -> None:
    assert EEA_UK_CH <= ALWAYS_DENIED


def test_the_defaults_follow_the_region_header(settings: Any) -> None:
    configure(
        settings,
        REGION_HEADER="CF-IPCountry",
        REGIONS={"default": {"analytics_storage": "granted"}, "US": US_ROW},
        WAIT_FOR_UPDATE=800,
        URL_PASSTHROUGH=True,
        ADS_DATA_REDACTION=False,
        MODE="advanced",
    )
    us = google_part(make_request(HTTP_CF_IPCOUNTRY="us"))
    assert us == {
        "mode": "advanced",
        "region": "US",
        "defaults": {**DENIED, **US_ROW},
        "waitForUpdate": 800,
        "urlPassthrough": True,
        "adsDataRedaction": False,
    }
    # a subdivision falls back to its country, an unknown country to "default"
    assert google_part(make_request(HTTP_CF_IPCOUNTRY="US-CA"))["defaults"] == {**DENIED, **US_ROW}
    brazil = google_part(make_request(HTTP_CF_IPCOUNTRY="BR"))
    assert brazil["defaults"] == {**DENIED, "analytics_storage": "granted"}
    # no header, Cloudflare's unknown and Tor answers, garbage: no region
    for header in (None, "XX", "T1", "<b>", "DEU"):
        meta = {"HTTP_CF_IPCOUNTRY": header} if header else {}
        assert google_part(make_request(**meta))["region"] is None


@pytest.mark.parametrize("country", sorted(EEA_UK_CH))
def test_the_eea_uk_and_switzerland_are_all_denied_whatever_regions_says(
    settings: Any, country: str
) -> None:
    configure(
        settings,
        REGION_HEADER="CF-IPCountry",
        REGIONS={"default": GRANTED, country: GRANTED},
    )
    part = google_part(make_request(HTTP_CF_IPCOUNTRY=country))
    assert (part["region"], part["defaults"]) == (country, DENIED)


def test_without_regions_everything_is_denied_while_consent_is_required(settings: Any) -> None:
    configure(settings, REGION_HEADER="CF-IPCountry")
    assert google_part(make_request(HTTP_CF_IPCOUNTRY="US"))["defaults"] == DENIED
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True}
    part = google_part(make_request())
    assert (part["mode"], part["region"], part["defaults"]) == ("basic", None, DENIED)


def test_without_required_consent_the_google_part_comes_only_with_google_settings(
    settings: Any,
) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": False}
    assert consent_part(make_request()) is None
    configure(settings, {"REQUIRED": False}, REGION_HEADER="CF-IPCountry")
    assert consent_part(make_request(HTTP_CF_IPCOUNTRY="US")) == {
        "required": False,
        "google": {
            "mode": "basic",
            "region": "US",
            "defaults": GRANTED,
            "waitForUpdate": 500,
            "urlPassthrough": False,
            "adsDataRedaction": True,
        },
    }
    assert google_part(make_request(HTTP_CF_IPCOUNTRY="FR"))["defaults"] == DENIED


def test_no_google_part_where_google_cannot_run(settings: Any) -> None:
    configure(settings, REGION_HEADER="CF-IPCountry")
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "AREAS": {"chat": ["drift"]}}
    part = consent_part(make_request(HTTP_CF_IPCOUNTRY="US"), area="chat")
    assert part is not None and "google" not in part


def test_a_region_callable_decides_and_a_failing_one_never_breaks_the_page(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    configure(settings, REGION=f"{__name__}.region_of_request", REGIONS={"US": GRANTED})
    request = make_request()
    request.GET = request.GET.copy()
    request.GET["country"] = "us"
    assert google_part(request)["defaults"] == GRANTED
    configure(settings, REGION=f"{__name__}.failing_region", REGIONS={"default": GRANTED})
    with caplog.at_level(logging.WARNING, logger="analytix_frontend"):
        part = google_part(make_request())
    assert (part["region"], part["defaults"]) == (None, GRANTED)
    assert "CONSENT['GOOGLE']['REGION']" in caplog.text and "geo service is down" in caplog.text


def test_the_region_header_is_in_vary(settings: Any) -> None:
    configure(settings, REGION_HEADER="CF-IPCountry")
    request = make_request(HTTP_CF_IPCOUNTRY="US")
    consent_part(request)
    response = protect_response(request, HttpResponse())
    assert "CF-IPCountry" in response["Vary"]
    mark = cache_mark(request)
    assert mark is not None and REGION not in mark.private  # Vary is enough: still shareable


def test_a_region_callable_makes_the_page_per_visitor(settings: Any) -> None:
    configure(settings, REGION=f"{__name__}.region_of_request")
    request = make_request()
    consent_part(request)
    mark = cache_mark(request)
    assert mark is not None and REGION in mark.private
    assert "private" in protect_response(request, HttpResponse())["Cache-Control"]
