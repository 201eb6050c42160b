"""Turns the decisions for one page area into HTML: one escaped JSON block and static scripts.

This is the one function behind the Django template tag and the Jinja2 global. It writes no
inline JavaScript: the browser reads the JSON block and the first-party scripts do the rest.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterable
from html import unescape
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from analytix_frontend.conf import get_settings
from analytix_frontend.decisions import UNKNOWN_AREA, ServiceDecision
from analytix_frontend.privacy import decide_for_request, page_privacy_config
from analytix_frontend.services import SERVICES

logger = logging.getLogger("analytix_frontend")

# First-party scripts, in the order they must run; vendor loaders go between core and boot.
CORE_SCRIPTS: tuple[str, ...] = (
    "analytix/js/logger.js",
    "analytix/js/config.js",
    "analytix/js/loader.js",
    "analytix/js/consent.js",
    "analytix/js/events.js",
)
BOOT_SCRIPT = "analytix/js/boot.js"
BUNDLE_TEMPLATE = "analytics/bundle.html"
REQUEST_MARK = "_analytix_scripts_written"  # request attribute: scripts already on this page

_JSON_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def all_script_files() -> tuple[str, ...]:
    """Every first-party file, in load order (what the compressed bundle holds)."""
    return (*CORE_SCRIPTS, *(s.script_file for s in SERVICES), BOOT_SCRIPT)


def to_json_text(data: Any) -> str:
    """JSON that is safe as the text of a <script type="application/json"> element."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).translate(_JSON_ESCAPES)


def build_page_config(
    area: str, decisions: Iterable[ServiceDecision], request: Any = None
) -> dict[str, Any]:
    config = get_settings()
    decisions = list(decisions)
    return {
        "area": area,
        "logLevel": config.log_level,
        "services": [
            {
                "name": d.service.name,
                "label": d.service.label,
                "category": d.service.category,
                "on": d.enabled,
                "id": d.service_id,
                "reason": d.reason,
                "detail": d.detail,
                "waiting": d.waiting,
            }
            for d in decisions
        ],
        **page_privacy_config(request, decisions),
    }


def compression_enabled() -> bool:
    """django-compressor is installed and on (its own default: on unless DEBUG)."""
    return apps.is_installed("compressor") and bool(
        getattr(settings, "COMPRESS_ENABLED", not settings.DEBUG)
    )


@functools.cache
def _bundle_url() -> str:
    """The URL of the compressed bundle of every first-party file (one per deployment).

    The bundle comes from a package template whose `{% compress js %}` block is constant, so
    `manage.py compress` finds it for offline mode and no per-request value ever enters it.
    """
    html = render_to_string(BUNDLE_TEMPLATE)
    sources = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html)
    if len(sources) != 1:
        raise RuntimeError(f"{BUNDLE_TEMPLATE} should render one compressed script: {html!r}")
    return unescape(sources[0])


def bundle_url() -> str | None:
    """The bundle's URL (compressor is installed), or None when it cannot be had (logged).

    A missing offline manifest or a compressor misconfiguration must not turn every page into
    a 500 because of analytics: the page falls back to the plain static files, and the log
    (and `manage.py check`, analytix.W010-W011) says what to fix.
    """
    from compressor.exceptions import OfflineGenerationError  # type: ignore[import-untyped]

    if settings.DEBUG:
        _bundle_url.cache_clear()  # files may change while developing
    try:
        return _bundle_url()
    except OfflineGenerationError:
        logger.error(
            "analytix: COMPRESS_OFFLINE is on but %s is missing from the offline manifest; run "
            "`manage.py compress` (after `collectstatic`) when deploying. Serving plain files.",
            BUNDLE_TEMPLATE,
        )
    except (ImproperlyConfigured, TemplateDoesNotExist) as error:
        logger.error("analytix: compressed bundle unavailable, serving plain files: %s", error)
    return None


def clear_caches() -> None:
    _bundle_url.cache_clear()


def _script_urls(decisions: list[ServiceDecision], request: Any) -> list[str]:
    bundle = bundle_url() if compression_enabled() else None
    if bundle is not None:
        files = [bundle]
    else:
        # A service waiting for consent needs its loader on the page, to start without a reload.
        loaders = [d.service.script_file for d in decisions if d.enabled or d.waiting]
        files = [static(path) for path in (*CORE_SCRIPTS, *loaders, BOOT_SCRIPT)]
    written: set[str] | None = getattr(request, REQUEST_MARK, None) if request else None
    if written is None:
        written = set()
        if request is not None:
            try:
                setattr(request, REQUEST_MARK, written)
            except AttributeError:  # an object that takes no attributes: just no dedupe
                pass
    urls = [url for url in files if url not in written]
    written.update(urls)
    return urls


def _noscript_pixel(decisions: list[ServiceDecision]) -> str:
    for decision in decisions:
        if decision.enabled and decision.service.name == "facebook_pixel":
            src = f"https://www.facebook.com/tr?id={decision.service_id}&ev=PageView&noscript=1"
            return (
                f'<noscript><img height="1" width="1" hidden alt="" src="{escape(src)}"></noscript>'
            )
    return ""


def render_analytics_scripts(
    area: str, *, request: Any = None, nonce: str | None = None
) -> SafeString:
    """The HTML for one page area. `nonce` goes on every <script> written."""
    config = get_settings()
    decisions = decide_for_request(area, request)
    if decisions and decisions[0].reason == UNKNOWN_AREA:
        logger.warning(
            "analytix: unknown page area %r; no vendor scripts rendered. Known areas: %s",
            area,
            ", ".join(sorted(config.areas)),
        )
    anything_on = any(d.enabled or d.waiting for d in decisions)
    if config.log_level == "off" and not anything_on:
        return mark_safe("")
    nonce_attr = f' nonce="{escape(nonce)}"' if nonce else ""
    parts = [
        f'<script type="application/json" data-analytix-config{nonce_attr}>'
        f"{to_json_text(build_page_config(area, decisions, request))}</script>"
    ]
    parts += [
        f'<script src="{escape(url)}" defer{nonce_attr}></script>'
        for url in _script_urls(decisions, request)
    ]
    parts.append(_noscript_pixel(decisions))
    return mark_safe("".join(parts))
