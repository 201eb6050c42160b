"""Turns the request's decision for one page area into HTML: one escaped JSON block and the
first-party script.

This is the one function behind the Django template tag and the Jinja2 global. It writes no
inline JavaScript: the browser reads the JSON block and the first-party scripts do the rest.
It decides nothing: `decide.request` does, once per request.
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.safestring import SafeString

from analytix_frontend.decide.decisions import ServiceDecision
from analytix_frontend.decide.request import RequestDecision, decide_request
from analytix_frontend.decide.settings import AnalytixSettings
from analytix_frontend.page import scripts
from analytix_frontend.page.caching import Dependence, decisions_dependence, note_output
from analytix_frontend.page.config import (
    SURROGATES,
    area_config,
    nearest_area,
    privacy_config,
    to_json_text,
)
from analytix_frontend.page.nonce import nonce_missing
from analytix_frontend.page.scripts import (
    absolute,
    first_party_script_urls,
    main_script_urls,
    origin_for,
)
from analytix_frontend.page.state import RECORDING, TagRender, new_page_state

logger = logging.getLogger("analytix_frontend")

NOSCRIPT_MARK = "noscript:facebook_pixel"


def _noscript_pixel(decisions: Sequence[ServiceDecision]) -> str:
    for decision in decisions:
        if decision.enabled and decision.service.name == "facebook_pixel":
            src = f"https://www.facebook.com/tr?id={decision.service_id}&ev=PageView&noscript=1"
            return (
                f'<noscript><img height="1" width="1" hidden alt="" src="{html.escape(src)}">'
                "</noscript>"
            )
    return ""


# The per-area output cache. The tag runs on every page, and for a known area its output
# depends only on the settings, the host (absolute URLs) and the decisions, which are the same
# for most requests: build it once. Each entry remembers the settings object it was built from
# and is used only while get_settings() still returns that object, so an entry built during a
# settings change can never outlive it (no lock needed: dict reads and writes are atomic).
# Unknown areas (from template variables) are never cached; the host count is bounded.


@dataclass(frozen=True)
class _AreaOutput:
    """One area's HTML parts, the same for every request with these decisions."""

    config: AnalytixSettings
    decisions: Sequence[ServiceDecision]
    json_text: str  # the config block's JSON, less any per-request privacy part
    marks: tuple[str, ...]  # what the page gets once: script URLs (HTML-escaped), the noscript
    main: str  # the main script's URLs, space-separated and HTML-escaped (data-analytix-main)
    noscript: str
    depends: Dependence  # what caches must know of these decisions (page/caching.py)


MAX_OUTPUTS = 512
_outputs: dict[tuple[str, str], _AreaOutput] = {}


def _build_output(
    area: str, decisions: Sequence[ServiceDecision], decision: RequestDecision, origin: str
) -> _AreaOutput:
    page = area_config(area, decisions, decision, origin)
    if not decision.privacy.varies_by_request:  # else added per render
        page.update(privacy_config(decisions, decision))
    files = tuple(html.escape(absolute(url, origin)) for url in first_party_script_urls())
    noscript = _noscript_pixel(decisions)
    return _AreaOutput(
        config=decision.settings,
        decisions=decisions,
        json_text=to_json_text(page),
        marks=(*files, NOSCRIPT_MARK) if noscript else files,
        main=html.escape(" ".join(absolute(url, origin) for url in main_script_urls())),
        noscript=noscript,
        depends=decisions_dependence(decisions, decision.privacy),
    )


def _output_for(
    area: str, decisions: Sequence[ServiceDecision], decision: RequestDecision, origin: str
) -> _AreaOutput:
    config = decision.settings
    if config.django_debug or area not in config.areas:
        return _build_output(area, decisions, decision, origin)  # DEBUG: script files may change
    key = (area, origin)
    cached = _outputs.get(key)
    if (
        cached is not None
        and cached.config is config
        # The cached tuple itself when no request rule changed anything; else equal decisions.
        and (cached.decisions is decisions or cached.decisions == decisions)
    ):
        return cached
    output = _build_output(area, decisions, decision, origin)
    if len(_outputs) >= MAX_OUTPUTS:
        _outputs.clear()
    _outputs[key] = output
    return output


def clear_caches() -> None:
    """Forget every built output and script URL (tests, benchmarks; settings changes need
    no call: entries remember the settings object they were built from)."""
    _outputs.clear()
    scripts.clear_caches()


# Settings that change what the page links without changing `get_settings()`: which files,
# through which storage or compressor, on which host.
SCRIPT_SETTINGS = ("STATIC", "COMPRESS", "STORAGES", "TEMPLATES", "INSTALLED_APPS", "DEBUG")
HOST_SETTINGS = (
    "ALLOWED_HOSTS",
    "USE_X_FORWARDED_HOST",
    "USE_X_FORWARDED_PORT",
    "SECURE_PROXY_SSL_HEADER",
)


@receiver(setting_changed)
def _drop_cached_output(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith(SCRIPT_SETTINGS) or setting in HOST_SETTINGS:
        clear_caches()


def render_analytics_scripts(
    area: str, *, request: Any = None, nonce: str | None = None
) -> SafeString:
    """The HTML for one page area. `nonce` goes on every <script> written.

    Always writes the config block and the first-party script, even when every service is
    off, so that `window.analytix` exists for page code on every page that has the tag.
    """
    recording = RECORDING.get()  # the debug-toolbar panel wants each render's details
    started = time.perf_counter() if recording else 0.0
    decision = decide_request(request)
    config = decision.settings
    decisions = decision.services(area)
    if area not in config.areas:
        nearest = nearest_area(area, config.areas)
        logger.warning(
            "analytix: unknown page area %r; no vendor scripts rendered.%s Known areas: %s",
            area,
            f" Did you mean {nearest!r}?" if nearest else "",
            ", ".join(sorted(config.areas)),
        )
    output = _output_for(area, decisions, decision, origin_for(request) if request else "")
    json_text = output.json_text
    privacy: dict[str, Any] | None = None  # the per-request part, when there is one
    if config.privacy.varies_by_request:
        privacy = privacy_config(decisions, decision)
        if privacy:  # may be empty: every part of it at the browser's default
            json_text = json_text[:-1] + "," + to_json_text(privacy)[1:]
    state = new_page_state(request)
    if request is not None:  # caching.py: what caches may share
        note_output(state, request, output.depends, privacy, nonce, config.privacy)
    if not nonce and nonce_missing(
        nonce
    ):  # a CSP is on: a hint for the browser (logged once on the server)
        json_text = json_text[:-1] + ',"nonceMissing":true}'
    if nonce:
        if not nonce.isascii():
            nonce = nonce.translate(SURROGATES)
        # Every CSP tool makes base64 or hex nonces: nothing to escape, and checking is
        # cheaper than escaping (hot path). Anything else gets the stdlib's escape.
        if '"' in nonce or "&" in nonce or "<" in nonce or "'" in nonce or ">" in nonce:
            nonce = html.escape(nonce)
    nonce_attr = f' nonce="{nonce}"' if nonce else ""
    parts = [
        f'<script type="application/json" data-analytix-config{nonce_attr}>{json_text}</script>'
    ]
    written = state.written
    for item in output.marks:
        if item in written:
            continue  # the tag rendered already on this page: each script once
        written.add(item)
        if item == NOSCRIPT_MARK:
            parts.append(output.noscript)
        else:
            parts.append(
                f'<script src="{item}" data-analytix-main="{output.main}" defer{nonce_attr}>'
                "</script>"
            )
    if recording:
        state.renders.append(
            TagRender(area, decisions, nonce, parts, time.perf_counter() - started)
        )
    return SafeString("".join(parts))
