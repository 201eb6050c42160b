"""Turns the decisions for one page area into HTML: one escaped JSON block and static scripts.

This is the one function behind the Django template tag and the Jinja2 global. It writes no
inline JavaScript: the browser reads the JSON block and the first-party scripts do the rest.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from analytix_frontend.conf import AnalytixSettings, get_settings
from analytix_frontend.decisions import UNKNOWN_AREA, ServiceDecision, decide_services
from analytix_frontend.services import SERVICES

logger = logging.getLogger("analytix_frontend")

# First-party scripts, in the order they must run; vendor loaders go between core and boot.
CORE_SCRIPTS: tuple[str, ...] = (
    "analytix/js/logger.js",
    "analytix/js/config.js",
    "analytix/js/loader.js",
)
BOOT_SCRIPT = "analytix/js/boot.js"
# All of the above in one minified file (scripts/build-js.mjs), served when DEBUG is off and
# compressor is not: one request, cached across every area, instead of up to ten.
MINIFIED_SCRIPT = "analytix/js/analytix.min.js"
# Log levels at which the browser prints a service's `detail` (boot.js: debug lines only).
DETAIL_LEVELS = frozenset({"debug", "verbose"})
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


def _service_config(decision: ServiceDecision, with_detail: bool) -> dict[str, Any]:
    """One service as the browser needs it: empty reason/detail are left out (config.js
    restores them as ""), and `detail` only goes where the log level prints it."""
    service: dict[str, Any] = {
        "name": decision.service.name,
        "label": decision.service.label,
        "category": decision.service.category,
        "on": decision.enabled,
        "id": decision.service_id,
    }
    if decision.reason:
        service["reason"] = decision.reason
    if decision.detail and with_detail:
        service["detail"] = decision.detail
    return service


def build_page_config(area: str, decisions: Iterable[ServiceDecision]) -> dict[str, Any]:
    config = get_settings()
    with_detail = config.log_level in DETAIL_LEVELS
    return {
        "area": area,
        "logLevel": config.log_level,
        "services": [_service_config(d, with_detail) for d in decisions],
    }


def _compression_enabled() -> bool:
    return "compressor" in settings.INSTALLED_APPS and bool(
        getattr(settings, "COMPRESS_ENABLED", not settings.DEBUG)
    )


@functools.cache
def _bundle_url() -> str:
    """The URL of the compressed bundle of every first-party file (one per deployment).

    The bundle comes from a package template whose `{% compress js %}` block is constant, so
    `manage.py compress` finds it for offline mode and no per-request value ever enters it.
    """
    from django.template.loader import render_to_string

    html = render_to_string(BUNDLE_TEMPLATE)
    match = re.search(r'src="([^"]+)"', html)
    if not match:
        raise RuntimeError(f"{BUNDLE_TEMPLATE} rendered no script: {html!r}")
    return match.group(1)


def bundle_url() -> str:
    if settings.DEBUG:
        _bundle_url.cache_clear()  # files may change while developing
    return _bundle_url()


def clear_caches() -> None:
    _bundle_url.cache_clear()
    _area_decisions.clear()
    _area_outputs.clear()


def _script_files(decisions: Sequence[ServiceDecision]) -> list[str]:
    """The first-party script URLs for these decisions, before per-request dedupe."""
    if _compression_enabled():
        return [bundle_url()]
    if not settings.DEBUG:
        return [static(MINIFIED_SCRIPT)]
    # DEBUG: the readable sources, and only the loaders this page runs.
    loaders = [d.service.script_file for d in decisions if d.enabled]
    return [static(path) for path in (*CORE_SCRIPTS, *loaders, BOOT_SCRIPT)]


def _unwritten(files: Sequence[str], request: Any) -> list[str]:
    """The URLs not yet written for this request (rendering twice writes each script once)."""
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


def _noscript_pixel(decisions: Sequence[ServiceDecision]) -> str:
    for decision in decisions:
        if decision.enabled and decision.service.name == "facebook_pixel":
            src = f"https://www.facebook.com/tr?id={decision.service_id}&ev=PageView&noscript=1"
            return f'<noscript><img height="1" width="1" hidden alt="" src="{escape(src)}"></noscript>'
    return ""


# Per-area caches. The tag runs on every page, and for a known area its output depends only on
# the settings: build it once. Each entry remembers the settings object it was built from and
# is used only while get_settings() still returns that object, so an entry built during a
# settings change can never outlive it (no lock needed: dict reads and writes are atomic).
# Unknown areas (from template variables) are never cached, so the caches stay bounded.


@dataclass(frozen=True)
class _AreaOutput:
    """One area's HTML, the same for every request except for the nonce and dedupe."""

    config: AnalytixSettings
    decisions: Sequence[ServiceDecision]
    json_text: str  # the config block's JSON
    files: tuple[str, ...]  # first-party script URLs, HTML-escaped
    noscript: str
    empty: bool  # log level off and nothing on: render nothing


_area_decisions: dict[str, tuple[AnalytixSettings, tuple[ServiceDecision, ...]]] = {}
_area_outputs: dict[str, _AreaOutput] = {}


def _decisions_for(area: str, config: AnalytixSettings) -> tuple[ServiceDecision, ...]:
    """decide_services(area), once per area and settings (a tuple: shared, never mutated)."""
    cached = _area_decisions.get(area)
    if cached is not None and cached[0] is config:
        return cached[1]
    decisions = tuple(decide_services(area, config))
    if area in config.areas:
        _area_decisions[area] = (config, decisions)
    return decisions


def _build_output(
    area: str, decisions: Sequence[ServiceDecision], config: AnalytixSettings
) -> _AreaOutput:
    return _AreaOutput(
        config=config,
        decisions=decisions,
        json_text=to_json_text(build_page_config(area, decisions)),
        files=tuple(escape(url) for url in _script_files(decisions)),
        noscript=_noscript_pixel(decisions),
        empty=config.log_level == "off" and not any(d.enabled for d in decisions),
    )


def _output_for(
    area: str, decisions: Sequence[ServiceDecision], config: AnalytixSettings
) -> _AreaOutput:
    if settings.DEBUG or area not in config.areas:
        return _build_output(area, decisions, config)  # DEBUG: script files may change
    cached = _area_outputs.get(area)
    if (
        cached is not None
        and cached.config is config
        # The same object for a cached area; equal decisions (e.g. rebuilt per request) too.
        and (cached.decisions is decisions or list(cached.decisions) == list(decisions))
    ):
        return cached
    output = _build_output(area, decisions, config)
    _area_outputs[area] = output
    return output


def render_analytics_scripts(
    area: str, *, request: Any = None, nonce: str | None = None
) -> SafeString:
    """The HTML for one page area. `nonce` goes on every <script> written."""
    config = get_settings()
    decisions = _decisions_for(area, config)
    if decisions and decisions[0].reason == UNKNOWN_AREA:
        logger.warning(
            "analytix: unknown page area %r; no vendor scripts rendered. Known areas: %s",
            area,
            ", ".join(sorted(config.areas)),
        )
    output = _output_for(area, decisions, config)
    if output.empty:
        return mark_safe("")
    # The stdlib's escape: the same text as Django's, without its lazy-string wrapper (hot path).
    nonce_attr = f' nonce="{html.escape(nonce)}"' if nonce else ""
    parts = [
        f'<script type="application/json" data-analytix-config{nonce_attr}>'
        f"{output.json_text}</script>"
    ]
    parts += [
        f'<script src="{url}" defer{nonce_attr}></script>'
        for url in _unwritten(output.files, request)
    ]
    parts.append(output.noscript)
    return SafeString("".join(parts))
