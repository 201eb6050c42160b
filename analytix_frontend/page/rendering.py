"""Turns the decisions for one page area into HTML: one escaped JSON block and static scripts.

This is the one function behind the Django template tag and the Jinja2 global. It writes no
inline JavaScript: the browser reads the JSON block and the first-party scripts do the rest.
"""

from __future__ import annotations

import difflib
import functools
import html
import json
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString

from analytix_frontend.decide.decisions import ServiceDecision, decide_services
from analytix_frontend.decide.privacy import (
    decide_for_request,
    page_privacy_config,
    privacy_config_varies_by_request,
)
from analytix_frontend.decide.services import SERVICES
from analytix_frontend.decide.settings import AnalytixSettings, get_settings
from analytix_frontend.decide.triggers import DEFAULT_TRIGGERS, FACADE, READY
from analytix_frontend.page.caching import note_output
from analytix_frontend.page.nonce import nonce_missing
from analytix_frontend.qa.record import record_render

logger = logging.getLogger("analytix_frontend")

# The one first-party script every page runs as it loads (the critical path): it queues the
# page's calls and loads the main script when the page first needs it (start.js says when).
START_SCRIPT = "analytix/js/start.js"
# The main script's files, in the order they must run; vendor loaders go between core and boot.
CORE_SCRIPTS: tuple[str, ...] = (
    "analytix/js/logger.js",
    "analytix/js/config.js",
    "analytix/js/loader.js",
    "analytix/js/triggers.js",
    "analytix/js/consent.js",
    "analytix/js/events.js",
)
# First-party stand-ins for a vendor until the visitor reaches for it (the "facade" trigger).
FACADE_SCRIPTS: tuple[str, ...] = ("analytix/js/vendors/drift-facade.js",)
FACADE_STYLE = "analytix/css/launcher.css"
BOOT_SCRIPT = "analytix/js/boot.js"
# Each of the two minified (scripts/build-js.mjs), served when DEBUG is off and no offline
# compressor bundle is: one cached URL each, the same for every area.
MINIFIED_SCRIPT = "analytix/js/analytix.min.js"  # start.js
MAIN_MINIFIED_SCRIPT = "analytix/js/main.min.js"  # the main script's files
# Log levels at which the browser prints a service's `detail` (boot.js: debug lines only).
# At other levels it stays on the server: it names settings a visitor has no need to see.
DETAIL_LEVELS = frozenset({"debug", "verbose"})
# The compressor bundles (offline only): start.js, and the main script's files.
BUNDLE_TEMPLATE = "analytics/bundle.html"
MAIN_BUNDLE_TEMPLATE = "analytics/bundle_main.html"
REQUEST_MARK = "_analytix_written"  # request attribute: what this page already has
NOSCRIPT_MARK = "noscript:facebook_pixel"

# A lone surrogate (from a template variable, a request value, a user attribute) cannot be
# encoded as UTF-8: the response would fail to encode (a 500). It becomes U+FFFD.
_SURROGATES = dict.fromkeys(range(0xD800, 0xE000), "\ufffd")
_JSON_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
    **_SURROGATES,
}


def main_script_files() -> tuple[str, ...]:
    """The main script's files, in load order (what its compressed bundle holds)."""
    return (*CORE_SCRIPTS, *(s.script_file for s in SERVICES), *FACADE_SCRIPTS, BOOT_SCRIPT)


def all_script_files() -> tuple[str, ...]:
    """Every first-party source file: start.js, then the main script's."""
    return (START_SCRIPT, *main_script_files())


def to_json_text(data: Any) -> str:
    """JSON that is safe as the text of a <script type="application/json"> element."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).translate(_JSON_ESCAPES)


def _service_config(decision: ServiceDecision, with_detail: bool, trigger: str) -> dict[str, Any]:
    """One service as the browser needs it: what config.js knows already is left out (its label
    and category; empty or false fields), `detail` only goes where the log level prints it,
    and `load` (its load trigger, triggers.js) only when it may start, at another trigger than
    its default."""
    name = decision.service.name
    service: dict[str, Any] = {"name": name, "on": decision.enabled, "id": decision.service_id}
    if decision.reason:
        service["reason"] = decision.reason
    if decision.detail and with_detail:
        service["detail"] = decision.detail
    if decision.waiting:
        service["waiting"] = True
    if (decision.enabled or decision.waiting) and trigger != DEFAULT_TRIGGERS.get(name, READY):
        service["load"] = trigger
    return service


def _facade_style_url() -> str | None:
    try:
        return static(FACADE_STYLE)
    except ValueError as error:  # a manifest storage without the file: no collectstatic
        logger.error("analytix: %s; run `manage.py collectstatic`. The facade has no style.", error)
        return None


def build_page_config(
    area: str, decisions: Iterable[ServiceDecision], request: Any = None
) -> dict[str, Any]:
    """The page's JSON config: the area, the log level, each service's decision, and what the
    browser needs for consent, Global Privacy Control and (opted-in) identity."""
    config = get_settings()
    decisions = list(decisions)
    with_detail = config.log_level in DETAIL_LEVELS
    triggers = [config.trigger(area, d.service.name) for d in decisions]
    services = [
        _service_config(d, with_detail, t) for d, t in zip(decisions, triggers, strict=True)
    ]
    page: dict[str, Any] = {
        "area": area,
        "logLevel": config.log_level,
        "services": services,
        **page_privacy_config(request, decisions),
    }
    facades = [
        service
        for service, d, trigger in zip(services, decisions, triggers, strict=True)
        if (d.enabled or d.waiting) and trigger == FACADE
    ]
    style = _facade_style_url() if facades else None
    for service in facades:
        if style is not None:
            service["facadeStyle"] = style  # the launcher's stylesheet: a static file, CSP 'self'
    if area not in config.areas:  # whatever each service's own reason (no id, environment...)
        page["unknownArea"] = True
        # For the one console warning: what the settings know, and the nearest (a typo?).
        page["knownAreas"] = sorted(config.areas)
        nearest = nearest_area(area, config.areas)
        if nearest:
            page["suggestion"] = nearest
    return page


def nearest_area(area: str, known: Iterable[str]) -> str | None:
    """The known area an unknown one most likely meant (a typo), if any is close."""
    nearest = difflib.get_close_matches(area, list(known), n=1)
    return nearest[0] if nearest else None


def offline_bundle_enabled() -> bool:
    """The tag links compressor's bundle: compressor is installed and on (its own default: on
    unless DEBUG) and offline (COMPRESS_OFFLINE).

    Only then is the bundle certain to be served: `manage.py compress` wrote it before the
    process started, so a server that indexes its files at start-up (whitenoise) has it.
    Online, compressor would write it at run time, which whitenoise never serves; the
    prebuilt minified file is already one request, so nothing is lost without it.
    """
    return (
        apps.is_installed("compressor")
        and bool(getattr(settings, "COMPRESS_ENABLED", not settings.DEBUG))
        and bool(getattr(settings, "COMPRESS_OFFLINE", False))
    )


@functools.cache
def _bundle_url(template: str) -> str:
    """The URL of one compressed bundle (one per deployment).

    Each comes from a package template whose `{% compress js %}` block is constant, so
    `manage.py compress` finds it for offline mode and no per-request value ever enters it.
    """
    rendered = render_to_string(template)
    sources = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", rendered)
    if len(sources) != 1:
        raise RuntimeError(f"{template} should render one compressed script: {rendered!r}")
    return html.unescape(sources[0])


def bundle_url(template: str = BUNDLE_TEMPLATE) -> str | None:
    """An offline bundle's URL, or None when it cannot be had (logged).

    A missing offline manifest or a compressor misconfiguration must not turn every page into
    a 500 because of analytics: the page falls back to the plain static files, and the log
    (and `manage.py check`, analytix.W010-W012) says what to fix.
    """
    from compressor.exceptions import OfflineGenerationError  # type: ignore[import-untyped]

    if settings.DEBUG:
        _bundle_url.cache_clear()  # files may change while developing
    try:
        return _bundle_url(template)
    except OfflineGenerationError:
        logger.error(
            "analytix: COMPRESS_OFFLINE is on but %s is missing from the offline manifest; run "
            "`manage.py compress` (after `collectstatic`) when deploying. Serving plain files.",
            template,
        )
    # OSError: the offline manifest under COMPRESS_ROOT cannot be read.
    except (ImproperlyConfigured, TemplateDoesNotExist, OSError) as error:
        logger.error("analytix: compressed bundle unavailable, serving plain files: %s", error)
    return None


def clear_caches() -> None:
    _bundle_url.cache_clear()
    _area_decisions.clear()
    _area_outputs.clear()


def _script_urls(template: str, sources: Sequence[str], minified: str) -> list[str]:
    """One script's URLs: its offline bundle; else, with DEBUG, its readable sources in
    order; else its prebuilt minified file. [] when a manifest storage lacks a file (logged)."""
    bundle = bundle_url(template) if offline_bundle_enabled() else None
    if bundle is not None:
        return [bundle]
    try:
        return [static(path) for path in (sources if settings.DEBUG else [minified])]
    except ValueError as error:  # a manifest storage without the file: no collectstatic
        logger.error(
            "analytix: %s; run `manage.py collectstatic` when deploying. No first-party "
            "script written: this page has no analytics.",
            error,
        )
        return []


def first_party_script_urls() -> list[str]:
    """The URL of the script every page gets (start.js), before per-request dedupe.

    The same whatever the area, so that two tags with different areas on one page load it
    once, and the main script with it (main_script_urls) has every vendor loader.
    """
    return _script_urls(BUNDLE_TEMPLATE, [START_SCRIPT], MINIFIED_SCRIPT)


def main_script_urls() -> list[str]:
    """The main script's URLs, which start.js inserts (in order) when the page needs them."""
    return _script_urls(MAIN_BUNDLE_TEMPLATE, main_script_files(), MAIN_MINIFIED_SCRIPT)


def _unwritten(items: Sequence[str], request: Any) -> list[str]:
    """The items (script URLs, the noscript mark) this request's page does not have yet:
    rendering the tag twice writes each once."""
    written: set[str] | None = getattr(request, REQUEST_MARK, None) if request else None
    if written is None:
        written = set()
        if request is not None:
            try:
                setattr(request, REQUEST_MARK, written)
            except AttributeError:  # an object that takes no attributes: just no dedupe
                pass
    new = [item for item in items if item not in written]
    written.update(new)
    return new


def _noscript_pixel(decisions: Sequence[ServiceDecision]) -> str:
    for decision in decisions:
        if decision.enabled and decision.service.name == "facebook_pixel":
            src = f"https://www.facebook.com/tr?id={decision.service_id}&ev=PageView&noscript=1"
            return (
                f'<noscript><img height="1" width="1" hidden alt="" src="{escape(src)}"></noscript>'
            )
    return ""


# Per-area caches. The tag runs on every page, and for a known area its output depends only on
# the settings (and, for request-level rules, on decisions equal across most requests): build
# it once. Each entry remembers the settings object it was built from and is used only while
# get_settings() still returns that object, so an entry built during a settings change can
# never outlive it (no lock needed: dict reads and writes are atomic). Unknown areas (from
# template variables) are never cached, so the caches stay bounded.


@dataclass(frozen=True)
class _AreaOutput:
    """One area's HTML parts, the same for every request with these decisions."""

    config: AnalytixSettings
    decisions: Sequence[ServiceDecision]
    json_text: str  # the config block's JSON, less any per-request privacy part
    files: tuple[str, ...]  # first-party script URLs, HTML-escaped
    main: str  # the main script's URLs, space-separated and HTML-escaped (data-analytix-main)
    noscript: str


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
    page_config = build_page_config(area, decisions)
    if privacy_config_varies_by_request():
        for key in page_privacy_config(None, decisions):
            del page_config[key]  # added per render
    return _AreaOutput(
        config=config,
        decisions=decisions,
        json_text=to_json_text(page_config),
        files=tuple(escape(url) for url in first_party_script_urls()),
        main=escape(" ".join(main_script_urls())),
        noscript=_noscript_pixel(decisions),
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
        # The cached tuple itself when no request rule changed anything; else equal decisions.
        and (cached.decisions is decisions or list(cached.decisions) == list(decisions))
    ):
        return cached
    output = _build_output(area, decisions, config)
    _area_outputs[area] = output
    return output


def render_analytics_scripts(
    area: str, *, request: Any = None, nonce: str | None = None
) -> SafeString:
    """The HTML for one page area. `nonce` goes on every <script> written.

    Always writes the config block and the first-party script, even when every service is
    off, so that `window.analytix` exists for page code on every page that has the tag.
    """
    started = time.perf_counter()
    config = get_settings()
    decisions = decide_for_request(area, request, _decisions_for(area, config))
    if area not in config.areas:
        nearest = nearest_area(area, config.areas)
        logger.warning(
            "analytix: unknown page area %r; no vendor scripts rendered.%s Known areas: %s",
            area,
            f" Did you mean {nearest!r}?" if nearest else "",
            ", ".join(sorted(config.areas)),
        )
    output = _output_for(area, decisions, config)
    json_text = output.json_text
    privacy: dict[str, Any] | None = None  # the per-request part, when there is one
    if privacy_config_varies_by_request():
        privacy = page_privacy_config(request, decisions)
        if privacy:  # may be empty: every part of it at the browser's default
            json_text = json_text[:-1] + "," + to_json_text(privacy)[1:]
    note_output(request, decisions, privacy, nonce)  # caching.py: what caches may share
    if nonce_missing(nonce):  # a CSP is on: a hint for the browser (logged once on the server)
        json_text = json_text[:-1] + ',"nonceMissing":true}'
    # The stdlib's escape: the same text as Django's, without its lazy-string wrapper (hot path).
    if nonce and not nonce.isascii():
        nonce = nonce.translate(_SURROGATES)
    nonce_attr = f' nonce="{html.escape(nonce)}"' if nonce else ""
    parts = [
        f'<script type="application/json" data-analytix-config{nonce_attr}>{json_text}</script>'
    ]
    marks = (*output.files, NOSCRIPT_MARK) if output.noscript else output.files
    for item in _unwritten(marks, request):
        if item == NOSCRIPT_MARK:
            parts.append(output.noscript)
        else:
            parts.append(
                f'<script src="{item}" data-analytix-main="{output.main}" defer{nonce_attr}>'
                "</script>"
            )
    record_render(request, area, decisions, nonce, parts, started)
    return SafeString("".join(parts))
