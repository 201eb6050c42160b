"""The page's JSON config: what the browser needs of the decision, and nothing it knows already.

config.js and start.js carry each service's label, category and default load trigger, and
the default GPC categories (tests keep those tables equal to the server's), so the block
leaves them out: the HTML goal is under 1 KB for a six-service page.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.urls import NoReverseMatch, reverse

from analytix_frontend.decide.consent import ConsentSettings
from analytix_frontend.decide.decisions import ServiceDecision
from analytix_frontend.decide.request import RequestDecision
from analytix_frontend.decide.rules import gpc
from analytix_frontend.decide.triggers import DEFAULT_TRIGGERS, FACADE, READY
from analytix_frontend.page.scripts import absolute, facade_style_url
from analytix_frontend.plan.browser import plan_page_config

# Log levels at which the browser prints a service's `detail` (boot.js: debug lines only).
# At other levels it stays on the server: it names settings a visitor has no need to see.
DETAIL_LEVELS = frozenset({"debug", "verbose"})

# A lone surrogate (from a template variable, a request value, a user attribute) cannot be
# encoded as UTF-8: the response would fail to encode (a 500). It becomes U+FFFD.
SURROGATES = dict.fromkeys(range(0xD800, 0xE000), "\ufffd")
_JSON_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
    **SURROGATES,
}


def to_json_text(data: Any) -> str:
    """JSON that is safe as the text of a <script type="application/json"> element."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).translate(_JSON_ESCAPES)


def nearest_area(area: str, known: Iterable[str]) -> str | None:
    """The known area an unknown one most likely meant (a typo), if any is close."""
    nearest = difflib.get_close_matches(area, list(known), n=1)
    return nearest[0] if nearest else None


def _service_config(decision: ServiceDecision, with_detail: bool) -> dict[str, Any]:
    """One service as the browser needs it: `detail` only where the log level prints it, and
    `load` (its trigger) only when it may start, at another trigger than its default."""
    name = decision.service.name
    service: dict[str, Any] = {"name": name, "on": decision.enabled, "id": decision.service_id}
    if decision.reason:
        service["reason"] = decision.reason
    if decision.detail and with_detail:
        service["detail"] = decision.detail
    if decision.waiting:
        service["waiting"] = True
    may_start = decision.enabled or decision.waiting
    if may_start and decision.trigger != DEFAULT_TRIGGERS.get(name, READY):
        service["load"] = decision.trigger
    return service


def area_config(
    area: str, decisions: Sequence[ServiceDecision], decision: RequestDecision, origin: str
) -> dict[str, Any]:
    """The config's part that is the same for every request with these decisions: the area,
    the log level, each service, an unknown area's hints. `origin`: see page/scripts.py."""
    config = decision.settings
    page: dict[str, Any] = {
        "area": area,
        "logLevel": config.log_level,
        "services": [_service_config(d, config.log_level in DETAIL_LEVELS) for d in decisions],
        **plan_page_config(),  # the compiled tracking plan's URL, when the page checks events
    }
    if any((d.enabled or d.waiting) and d.trigger == FACADE for d in decisions):
        style = facade_style_url()  # the launcher's stylesheet: a static file, CSP 'self'
        if style is not None:
            for service, d in zip(page["services"], decisions, strict=True):
                if (d.enabled or d.waiting) and d.trigger == FACADE:
                    service["facadeStyle"] = absolute(style, origin)
    if area not in config.areas:  # whatever each service's own reason (no id, environment...)
        page["unknownArea"] = True
        # For the one console warning: what the settings know, and the nearest (a typo?).
        page["knownAreas"] = sorted(config.areas)
        nearest = nearest_area(area, config.areas)
        if nearest:
            page["suggestion"] = nearest
    return page


def privacy_config(
    decisions: Sequence[ServiceDecision], decision: RequestDecision
) -> dict[str, Any]:
    """The privacy part: what the browser needs to honour consent and GPC itself, and the
    opted-in identity when some service may run. Per request when `varies_by_request`."""
    privacy = decision.privacy
    data: dict[str, Any] = {}
    if privacy.gpc_categories != frozenset(gpc.DEFAULT_CATEGORIES):  # else config.js's default
        data["gpc"] = sorted(privacy.gpc_categories)
    consent = consent_config(decisions, decision)
    if consent is not None:  # else consent.js treats consent as not required
        data["consent"] = consent
    if any(d.enabled or d.waiting for d in decisions):
        user_identity = decision.identity()
        if user_identity is not None:
            data["identity"] = user_identity
    return data


RECORD_URL_NAME = "analytix:consent-record"


def record_path() -> str | None:
    """The record endpoint's path, or None when the site's URLconf does not include ours
    (analytix.W204 says so)."""
    try:
        return reverse(RECORD_URL_NAME)
    except NoReverseMatch:
        return None


def _google_config(decision: RequestDecision) -> dict[str, Any]:
    google = decision.privacy.consent.google
    return {
        "mode": google.mode,
        "region": decision.region(),
        "defaults": decision.google_defaults(),
        "waitForUpdate": google.wait_for_update,
        "urlPassthrough": google.url_passthrough,
        "adsDataRedaction": google.ads_data_redaction,
    }


def _tcf_config(settings: ConsentSettings) -> dict[str, Any]:
    return {
        "purposes": {c: list(ids) for c, ids in settings.tcf.purposes.items()},
        "vendors": dict(settings.tcf.vendors),
    }


def consent_config(
    decisions: Sequence[ServiceDecision], decision: RequestDecision
) -> dict[str, Any] | None:
    """The consent part: the visitor's answer and what consent.js writes into the cookie and
    the records, and Google Consent Mode's defaults for this visitor's region when Google may
    run on the page (also where consent is not required, once CONSENT["GOOGLE"] is set)."""
    settings = decision.privacy.consent
    answer = decision.consent
    google = any(d.service.name == "google" and (d.enabled or d.waiting) for d in decisions)
    google = google and (answer is not None or settings.google_set)
    if answer is None:
        return {"required": False, "google": _google_config(decision)} if google else None
    data: dict[str, Any] = {
        "required": True,
        "cookie": settings.cookie,
        "granted": sorted(answer.granted),
        "decided": answer.decided,
        "basis": dict(answer.basis),
        "version": settings.version_tag,
        "services": settings.services_tag,
        "source": settings.source,
    }
    if answer.consent_id is not None:
        data["id"] = answer.consent_id
    if settings.records:
        path = record_path()
        if path is not None:
            data["record"] = path
    if settings.source == "tcf":
        data["tcf"] = _tcf_config(settings)
    if google:
        data["google"] = _google_config(decision)
    return data


def build_page_config(area: str, decision: RequestDecision, origin: str = "") -> dict[str, Any]:
    """The whole config for one area and request (what the tag's block holds, less the
    `nonceMissing` hint): for tests and the report; the tag assembles the same from cached
    parts."""
    decisions = decision.services(area)
    return {
        **area_config(area, decisions, decision, origin),
        **privacy_config(decisions, decision),
    }
