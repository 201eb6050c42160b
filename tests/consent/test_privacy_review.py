"""Gaps the privacy review found (docs/privacy.md against the code), each a test."""

from __future__ import annotations

from typing import Any

import pytest

from tests.consent.helpers import consent_part, make_request

SIGNALS = ("ad_storage", "analytics_storage", "ad_user_data", "ad_personalization")
DENIED = dict.fromkeys(SIGNALS, "denied")
GRANTED = dict.fromkeys(SIGNALS, "granted")
ADS_DENIED = {**DENIED, "analytics_storage": "granted"}


def google_defaults(request: Any) -> dict[str, str]:
    part = consent_part(request)
    assert part is not None and "google" in part, part
    return dict(part["google"]["defaults"])


@pytest.mark.parametrize("required", [False, True])
def test_gpc_on_marketing_denies_the_ad_signals_in_the_region_defaults(
    settings: Any, required: bool
) -> None:
    # CPRA: GPC is an opt-out of sale and sharing (cross-context behavioural advertising);
    # Google's ad_* signals must not be granted by default to a visitor who sends it.
    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "GPC": ["marketing"],
        "CONSENT": {
            "REQUIRED": required,
            "GOOGLE": {"REGION_HEADER": "CF-IPCountry", "REGIONS": {"US": GRANTED}},
        },
    }
    assert google_defaults(make_request(HTTP_CF_IPCOUNTRY="US")) == GRANTED
    assert google_defaults(make_request(HTTP_CF_IPCOUNTRY="US", HTTP_SEC_GPC="1")) == ADS_DENIED


# Parts of the EU with their own ISO 3166-1 code, which a CDN reports as the country:
# Åland (Finland), French Guiana, Guadeloupe, Martinique, Réunion, Mayotte, Saint-Martin.
@pytest.mark.parametrize("country", ["AX", "GF", "GP", "MQ", "RE", "YT", "MF"])
def test_eu_territories_with_their_own_code_are_always_denied(settings: Any, country: str) -> None:
    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "CONSENT": {
            "REQUIRED": True,
            "GOOGLE": {"REGION_HEADER": "CF-IPCountry", "REGIONS": {"default": GRANTED}},
        },
    }
    assert google_defaults(make_request(HTTP_CF_IPCOUNTRY=country)) == DENIED


def test_the_next_response_deletes_a_cookie_set_on_a_deeper_path() -> None:
    # docs/privacy.md: the server's deletion "reaches what the page cannot (an HttpOnly
    # cookie, one set on a deeper path)". A cookie written at /shop/cart/ without a Path
    # attribute sits on "/shop/cart"; only a deletion with that Path removes it.
    from django.http import HttpResponse
    from django.test import RequestFactory, override_settings

    from analytix_frontend.consent.middleware import ConsentCookieMiddleware
    from tests.consent.helpers import cookie

    with override_settings(ALLOWED_HOSTS=["*"], ANALYTICS_CONFIG={**_config(), "CONSENT": True}):
        request = RequestFactory().get("/shop/cart/", HTTP_HOST="www.example.com")
        request.COOKIES.update({"_ga": "GA1.1.1", "analytix_consent": cookie("none")})
        response = ConsentCookieMiddleware(lambda r: HttpResponse("page"))(request)
    pairs = {(m.key, m["path"], m["domain"]) for m in response.cookies.values()}
    for path in ("/", "/shop", "/shop/", "/shop/cart", "/shop/cart/"):
        for domain in ("", "www.example.com", "example.com"):
            assert ("_ga", path, domain) in pairs, (path, domain, sorted(pairs))


def _config() -> dict[str, Any]:
    from django.conf import settings

    return dict(settings.ANALYTICS_CONFIG)


def test_the_tcf_default_gives_no_vendor_id_to_a_service_that_is_not_an_iab_vendor(
    settings: Any,
) -> None:
    # Of our services only Google is on IAB Europe's Global Vendor List (755). Meta is a
    # non-IAB vendor: any id given to it is another company's, whose consent would then
    # decide Meta's. Its category's purposes decide it instead.
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": {"SOURCE": "tcf"}}
    part = consent_part(make_request())
    assert part is not None and part["tcf"]["vendors"] == {"google": 755}
