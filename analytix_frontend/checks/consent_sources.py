"""System checks for consent's CMP settings: `CONSENT["TCF"]` (IAB TCF v2.2) and
`CONSENT["GOOGLE"]` (Google Consent Mode v2). Ids analytix.E217-E220, W207."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.utils.module_loading import import_string

from analytix_frontend.checks.consent import consent_setting
from analytix_frontend.decide.consent import CATEGORIES, TCF_PURPOSE_IDS
from analytix_frontend.decide.consent_mode import (
    ALWAYS_DENIED,
    DEFAULT_REGION,
    DENIED,
    GRANTED,
    HEADER_NAME,
    MAX_WAIT_FOR_UPDATE,
    MODES,
    SIGNALS,
    region_key,
)
from analytix_frontend.decide.services import SERVICES_BY_NAME

TCF_KEYS = frozenset({"PURPOSES", "VENDORS"})
GOOGLE_KEYS = frozenset(
    {
        "MODE",
        "REGION_HEADER",
        "REGION",
        "REGIONS",
        "WAIT_FOR_UPDATE",
        "URL_PASSTHROUGH",
        "ADS_DATA_REDACTION",
    }
)


def _unknown(name: str, value: Mapping[str, Any], known: frozenset[str]) -> list[CheckMessage]:
    unknown = sorted(str(k) for k in value if k not in known)
    if not unknown:
        return []
    return [
        Warning(
            f"ANALYTICS_CONFIG['CONSENT'][{name!r}] has unknown keys: {', '.join(unknown)}.",
            hint=f"Known keys: {', '.join(sorted(known))}. Check the spelling.",
            id="analytix.W201",
        )
    ]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@register(Tags.compatibility)
def check_tcf(**kwargs: Any) -> list[CheckMessage]:
    setting = consent_setting()
    tcf = setting.get("TCF") if setting is not None else None
    if tcf is None:
        return []
    error = Error(
        "ANALYTICS_CONFIG['CONSENT']['TCF'] must be a dict: PURPOSES maps a consent category "
        f"({', '.join(CATEGORIES)}) to the TCF purpose ids (1-11) it needs, VENDORS a service "
        "name to its IAB Global Vendor List id.",
        hint='For example {"PURPOSES": {"analytics": [1, 7, 8, 9, 10]}, "VENDORS": '
        '{"google": 755}}.',
        id="analytix.E217",
    )
    if not isinstance(tcf, Mapping):
        return [error]
    purposes = tcf.get("PURPOSES", {})
    vendors = tcf.get("VENDORS", {})
    good_purposes = isinstance(purposes, Mapping) and all(
        category in CATEGORIES
        and isinstance(ids, (list, tuple))
        and all(_is_int(p) and p in TCF_PURPOSE_IDS for p in ids)
        for category, ids in purposes.items()
    )
    good_vendors = isinstance(vendors, Mapping) and all(
        name in SERVICES_BY_NAME and _is_int(vendor) and vendor > 0
        for name, vendor in vendors.items()
    )
    return _unknown("TCF", tcf, TCF_KEYS) + ([] if good_purposes and good_vendors else [error])


@register(Tags.compatibility)
def check_google(**kwargs: Any) -> list[CheckMessage]:
    setting = consent_setting()
    google = setting.get("GOOGLE") if setting is not None else None
    if google is None:
        return []
    if not isinstance(google, Mapping):
        return [
            Error(
                "ANALYTICS_CONFIG['CONSENT']['GOOGLE'] must be a dict.",
                hint='For example {"MODE": "basic", "REGION_HEADER": "CF-IPCountry"}.',
                id="analytix.E218",
            )
        ]
    messages = _unknown("GOOGLE", google, GOOGLE_KEYS)
    messages += _check_google_values(google)
    messages += _check_region_source(google)
    messages += _check_regions(google.get("REGIONS"))
    return messages


def _check_google_values(google: Mapping[str, Any]) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    mode = google.get("MODE", "basic")
    if mode not in MODES:
        messages.append(
            Error(
                f"ANALYTICS_CONFIG['CONSENT']['GOOGLE']['MODE'] = {mode!r} is not a mode.",
                hint="'basic' (Google loads after consent) or 'advanced' (it loads before, "
                "with every signal denied).",
                id="analytix.E218",
            )
        )
    wait = google.get("WAIT_FOR_UPDATE", 0)
    if not _is_int(wait) or not 0 <= wait <= MAX_WAIT_FOR_UPDATE:
        messages.append(
            Error(
                f"ANALYTICS_CONFIG['CONSENT']['GOOGLE']['WAIT_FOR_UPDATE'] = {wait!r} must be "
                f"milliseconds, 0 to {MAX_WAIT_FOR_UPDATE}.",
                hint="For example 500 (the default).",
                id="analytix.E218",
            )
        )
    for key in ("URL_PASSTHROUGH", "ADS_DATA_REDACTION"):
        if not isinstance(google.get(key, False), bool):
            messages.append(
                Error(
                    f"ANALYTICS_CONFIG['CONSENT']['GOOGLE'][{key!r}] must be True or False.",
                    id="analytix.E218",
                )
            )
    return messages


def _check_region_source(google: Mapping[str, Any]) -> list[CheckMessage]:
    header = google.get("REGION_HEADER")
    path = google.get("REGION")
    problem = None
    if header is not None and path is not None:
        problem = "sets both REGION_HEADER and REGION; use one"
    elif header is not None and not (isinstance(header, str) and HEADER_NAME.fullmatch(header)):
        problem = f"['REGION_HEADER'] = {header!r} is not a header name"
    elif path is not None:
        try:
            found = import_string(path) if isinstance(path, str) else None
        except ImportError:
            found = None
        if not callable(found):
            problem = f"['REGION'] = {path!r} is not the dotted path of a callable"
    if problem is None:
        return []
    return [
        Error(
            f"ANALYTICS_CONFIG['CONSENT']['GOOGLE']{problem}.",
            hint="Name the request header your CDN sets with the visitor's country (e.g. "
            "'CF-IPCountry', 'CloudFront-Viewer-Country'), or a function (request) -> 'DE' or "
            "None, e.g. 'myproject.consent.region'.",
            id="analytix.E219",
        )
    ]


def _check_regions(regions: Any) -> list[CheckMessage]:
    if regions is None:
        return []
    bad = not isinstance(regions, Mapping) or any(
        not (name == DEFAULT_REGION or region_key(name) == name)
        or not isinstance(row, Mapping)
        or any(k not in SIGNALS or v not in (GRANTED, DENIED) for k, v in row.items())
        for name, row in regions.items()
    )
    if bad:
        return [
            Error(
                "ANALYTICS_CONFIG['CONSENT']['GOOGLE']['REGIONS'] must map 'default' or an "
                "ISO code in capitals ('US', 'US-CA') to Consent Mode signals "
                f"({', '.join(SIGNALS)}), each 'granted' or 'denied'.",
                hint='For example {"default": {"analytics_storage": "granted", "ad_storage": '
                '"denied", "ad_user_data": "denied", "ad_personalization": "denied"}}.',
                id="analytix.E220",
            )
        ]
    ignored = sorted(
        name
        for name, row in regions.items()
        if name.split("-")[0] in ALWAYS_DENIED and GRANTED in row.values()
    )
    if not ignored:
        return []
    return [
        Warning(
            "ANALYTICS_CONFIG['CONSENT']['GOOGLE']['REGIONS'] grants signals for "
            f"{', '.join(ignored)}, where every signal is always denied before consent (the "
            "EEA, the UK and Switzerland); those rows are ignored.",
            hint="Remove them: visitors there are asked first.",
            id="analytix.W207",
        )
    ]
