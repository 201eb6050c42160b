"""Which first-party files the page gets, and at which URLs.

Two scripts: `start.js` on the page (its critical path), and the main script it loads when
the page first needs it. Django's `settings.DEBUG` on: the readable files; off: the two
prebuilt minified files (or, with `COMPRESS_OFFLINE`, django-compressor's two bundles).

URLs are absolute. A relative script URL is resolved against the document's base URL, which
HTML injected before the tag can set (`<base href="https://attacker/">`): the browser would
then fetch our script, with the page's nonce, from the attacker. So a path-relative static URL
is written on the request's own host (Django's `request.get_host()`, validated against
ALLOWED_HOSTS): `https://example.com/static/…` when Django knows the request is secure
(`request.is_secure()`, SECURE_PROXY_SSL_HEADER behind a proxy), else scheme-relative
`//example.com/static/…`, which an injected base can only give another scheme (the fetch then
fails: mixed content or the wrong port), never another host. Without a request (or for a host
Django refuses) the URL stays as `static()` gave it, and the CSP's `base-uri` is the only
guard (docs/privacy.md).
"""

from __future__ import annotations

import functools
import html
import logging
import re
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.templatetags.static import static

from analytix_frontend.decide.services import SERVICES

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
    "analytix/js/consent-config.js",
    "analytix/js/consent-cookie.js",
    "analytix/js/vendor-cookies.js",
    "analytix/js/consent-record.js",
    "analytix/js/consent.js",
    "analytix/js/consent-events.js",
    "analytix/js/cmp-tcf.js",
    "analytix/js/cmp-gcm.js",
    "analytix/js/plan.js",  # the tracking plan's check (plan/browser.py serves the plan)
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
# The compressor bundles (offline only): start.js, and the main script's files.
BUNDLE_TEMPLATE = "analytics/bundle.html"
MAIN_BUNDLE_TEMPLATE = "analytics/bundle_main.html"


def main_script_files() -> tuple[str, ...]:
    """The main script's files, in load order (what its compressed bundle holds)."""
    return (*CORE_SCRIPTS, *(s.script_file for s in SERVICES), *FACADE_SCRIPTS, BOOT_SCRIPT)


def all_script_files() -> tuple[str, ...]:
    """Every first-party source file: start.js, then the main script's."""
    return (START_SCRIPT, *main_script_files())


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
    _proxy_ssl_header.cache_clear()
    _origins.clear()


def _script_urls(template: str, sources: Sequence[str], minified: str) -> list[str]:
    """One script's URLs: its offline bundle; else, with DEBUG, its readable sources in
    order; else its prebuilt minified file. [] when a manifest storage lacks a file (logged)."""
    bundle = bundle_url(template) if offline_bundle_enabled() else None
    if bundle is not None:
        return [bundle]
    try:
        return [static(path) for path in (sources if settings.DEBUG else [minified])]
    # ValueError: a manifest storage without the file (no collectstatic); ImproperlyConfigured:
    # a storage that needs STATIC_ROOT without it. Analytics never turn a page into a 500.
    except (ValueError, ImproperlyConfigured) as error:
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


def facade_style_url() -> str | None:
    try:
        return static(FACADE_STYLE)
    except (ValueError, ImproperlyConfigured) as error:  # as in _script_urls
        logger.error("analytix: %s; run `manage.py collectstatic`. The facade has no style.", error)
        return None


# --- Absolute URLs --------------------------------------------------------------------------

MAX_HOSTS = 64  # distinct hosts remembered; more (ALLOWED_HOSTS = ["*"]) starts afresh
_origins: dict[tuple[Any, ...], str] = {}  # what decides a request's origin -> the origin


@functools.cache
def _proxy_ssl_header() -> str | None:
    """The request.META key of SECURE_PROXY_SSL_HEADER, if set (read once: hot path)."""
    setting = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    return setting[0] if isinstance(setting, tuple) and setting else None


def _origin_key(request: Any, meta: dict[str, Any]) -> tuple[Any, ...]:
    """What Django's `get_host()` and `is_secure()` read: the host headers, and under WSGI the
    scheme and the proxy's SSL header; elsewhere (ASGI) `is_secure()` itself."""
    hosts = (meta.get("HTTP_HOST"), meta.get("HTTP_X_FORWARDED_HOST"))
    if "wsgi.url_scheme" in meta:
        header = _proxy_ssl_header()
        return (*hosts, meta["wsgi.url_scheme"], meta.get(header) if header else None)
    return (*hosts, request.is_secure() is True)


def origin_for(request: Any) -> str:
    """The request's origin as Django validates it (`https://host`, or `//host` when Django
    does not know the request is secure), or "" when it cannot be had (no request, a host
    ALLOWED_HOSTS refuses). Remembered per what decides it: `get_host()` is slow, and the
    tag's hot path calls this on every page."""
    meta = getattr(request, "META", None)
    if type(meta) is not dict:
        return ""
    try:
        key = _origin_key(request, meta)
        found = _origins.get(key)
        if found is not None:
            return found
        host, secure = request.get_host(), request.is_secure() is True
    except Exception:  # DisallowedHost, or a request-like object without these
        return ""
    if not isinstance(host, str) or not host:
        return ""
    if len(_origins) >= MAX_HOSTS:
        _origins.clear()
    origin = ("https://" if secure else "//") + host
    _origins[key] = origin
    return origin


def absolute(url: str, origin: str) -> str:
    """`url` on `origin` when it is a path from the site's root ("/static/…"); any URL
    that names its host already (a CDN's STATIC_URL) is left alone."""
    if origin and url.startswith("/") and not url.startswith("//"):
        return origin + url
    return url
