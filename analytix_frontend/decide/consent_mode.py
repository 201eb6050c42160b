"""Google Consent Mode v2: its settings (`CONSENT["GOOGLE"]`) and the defaults for a region.

The visitor's region comes only from what the site already knows: a request header its CDN
sets (`REGION_HEADER`, e.g. Cloudflare's `CF-IPCountry`) or its own callable (`REGION`); this
package never looks an address up itself. `REGIONS` gives the four v2 signals per ISO code
(a country, or a subdivision such as "US-CA", which falls back to its country) and
"default"; visitors from the EEA, the UK and Switzerland always get all four denied,
whatever `REGIONS` says. Malformed values fall back to safe defaults (checks/consent.py
reports them).
"""

from __future__ import annotations

import functools
import importlib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("analytix_frontend")

SIGNALS: tuple[str, ...] = ("ad_storage", "analytics_storage", "ad_user_data", "ad_personalization")
AD_SIGNALS: tuple[str, ...] = ("ad_storage", "ad_user_data", "ad_personalization")
GRANTED, DENIED = "granted", "denied"
MODES = ("basic", "advanced")
DEFAULT_REGION = "default"
DEFAULT_WAIT_FOR_UPDATE = 500  # ms: how long Google's tag waits for the CMP's update
MAX_WAIT_FOR_UPDATE = 10_000
# An ISO 3166-1 alpha-2 country, optionally with an ISO 3166-2 subdivision ("US-CA").
REGION_CODE = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?", re.ASCII)
HEADER_NAME = re.compile(r"[A-Za-z0-9-]+", re.ASCII)
# Where consent is required before any of the four: the EU, the other EEA states (Iceland,
# Liechtenstein, Norway), the United Kingdom and Switzerland. ("EL" is the EU's own code for
# Greece and "UK" a common spelling of GB: both count too. Parts of the EU that have their
# own ISO 3166-1 code, which a CDN reports as the country, count as well: Åland, French
# Guiana, Guadeloupe, Martinique, Réunion, Mayotte and Saint-Martin.)
ALWAYS_DENIED = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR EL HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "AX GF GP MQ RE YT MF "
    "IS LI NO GB UK CH".split()
)
# Cloudflare's answers for "unknown" and "Tor": no region.
NO_REGION = frozenset({"XX", "T1"})

Signals = Mapping[str, str]


@dataclass(frozen=True)
class GoogleSettings:
    mode: str = "basic"  # "advanced": Google's tag loads before consent, everything denied
    region_header: str | None = None  # request.META key, e.g. "HTTP_CF_IPCOUNTRY"
    region_header_name: str | None = None  # as configured, for Vary ("CF-IPCountry")
    region_callable: str | None = None  # dotted path to (request) -> "DE" | None
    # ISO code or "default" -> the four signals (complete: missing ones filled in)
    regions: Mapping[str, Signals] = field(default_factory=dict)
    wait_for_update: int = DEFAULT_WAIT_FOR_UPDATE
    url_passthrough: bool = False
    ads_data_redaction: bool = True

    @property
    def reads_region(self) -> bool:
        return self.region_header is not None or self.region_callable is not None


def _bool(value: Any, default: bool) -> bool:
    return value if isinstance(value, bool) else default


def _signals(value: Any) -> dict[str, str]:
    """The valid signals of one REGIONS row (unknown or malformed ones left out)."""
    if not isinstance(value, Mapping):
        return {}
    return {k: v for k, v in value.items() if k in SIGNALS and v in (GRANTED, DENIED)}


def region_key(value: Any) -> str | None:
    """A region as written in REGIONS or answered by a header or callable, normalised
    ("de" -> "DE"), or None when it is not one."""
    if not isinstance(value, str):
        return None
    code = value.strip().upper()
    return code if REGION_CODE.fullmatch(code) and code not in NO_REGION else None


def read_google(value: Any, required: bool) -> GoogleSettings:
    """`CONSENT["GOOGLE"]`. `required`: whether consent is required, which decides the
    signals a REGIONS row leaves out (denied when it is, granted when it is not)."""
    google = value if isinstance(value, Mapping) else {}
    base = DENIED if required else GRANTED
    rows = google.get("REGIONS")
    given = {
        key: _signals(row)
        for name, row in (rows.items() if isinstance(rows, Mapping) else ())
        if (key := DEFAULT_REGION if name == DEFAULT_REGION else region_key(name))
    }
    fallback = {signal: base for signal in SIGNALS} | given.get(DEFAULT_REGION, {})
    regions = {key: fallback | row for key, row in given.items()}
    regions[DEFAULT_REGION] = fallback
    header = google.get("REGION_HEADER")
    header = header.strip() if isinstance(header, str) and HEADER_NAME.fullmatch(header) else None
    region_callable = google.get("REGION")
    mode = google.get("MODE")
    wait = google.get("WAIT_FOR_UPDATE", DEFAULT_WAIT_FOR_UPDATE)
    if isinstance(wait, bool) or not isinstance(wait, int) or not 0 <= wait <= MAX_WAIT_FOR_UPDATE:
        wait = DEFAULT_WAIT_FOR_UPDATE
    return GoogleSettings(
        mode=mode if isinstance(mode, str) and mode in MODES else "basic",
        region_header=f"HTTP_{header.upper().replace('-', '_')}" if header else None,
        region_header_name=header,
        region_callable=region_callable if isinstance(region_callable, str) else None,
        regions=regions,
        wait_for_update=wait,
        url_passthrough=_bool(google.get("URL_PASSTHROUGH"), False),
        ads_data_redaction=_bool(google.get("ADS_DATA_REDACTION"), True),
    )


@functools.cache
def load_region_callable(path: str) -> Callable[[Any], Any]:
    """The `REGION` callable (imported once; ImportError and AttributeError propagate)."""
    module, _, name = path.rpartition(".")
    found = getattr(importlib.import_module(module), name)
    if not callable(found):
        raise TypeError(f"{path} is not callable")
    return found  # type: ignore[no-any-return]


def request_region(google: GoogleSettings, request: Any, meta: Mapping[str, Any]) -> str | None:
    """The visitor's region, from the configured header or callable; None when neither is
    set or gives a region. A failing callable never breaks the page (logged)."""
    if google.region_header is not None:
        return region_key(meta.get(google.region_header))
    if google.region_callable is None or request is None:
        return None
    try:
        return region_key(load_region_callable(google.region_callable)(request))
    except Exception:
        logger.warning(
            "analytix: CONSENT['GOOGLE']['REGION'] %r failed; the visitor's region counts as "
            "unknown (the 'default' row of REGIONS applies)",
            google.region_callable,
            exc_info=True,
        )
        return None


def region_defaults(google: GoogleSettings, region: str | None) -> dict[str, str]:
    """The four signals before the visitor's choice, for this region."""
    country = region.split("-", 1)[0] if region else None
    if country in ALWAYS_DENIED:
        return {signal: DENIED for signal in SIGNALS}
    for key in (region, country):
        if key is not None and key in google.regions:
            return dict(google.regions[key])
    return dict(google.regions.get(DEFAULT_REGION) or {signal: DENIED for signal in SIGNALS})
