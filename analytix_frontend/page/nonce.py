"""Finds the request's CSP nonce, from whichever CSP tool the project uses, and says so (once
per process) when a CSP middleware is on but the tag finds no nonce."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger("analytix_frontend")

CSP_MIDDLEWARE = frozenset(
    {
        "csp.middleware.CSPMiddleware",  # django-csp 3 and 4
        "django.middleware.csp.ContentSecurityPolicyMiddleware",  # Django 6
    }
)


@functools.cache
def django_nonce_getter() -> Callable[[Any], Any] | None:
    """Django 6's `django.middleware.csp.get_nonce`, or None on a Django without it."""
    try:
        from django.middleware.csp import get_nonce  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return get_nonce  # type: ignore[no-any-return,unused-ignore]


def find_csp_nonce(request: Any = None, context: Any = None) -> str | None:
    """A `csp_nonce` context variable, else django-csp's `request.csp_nonce`, else Django's.

    `context`: a Django template `Context` or any mapping (both have `.get`).
    """
    # django-csp's request.csp_nonce and Django 6's nonce (also its `csp_nonce` context
    # variable) are lazy objects created on first use; their truth value only says whether
    # that has happened yet (False before), so they are read with str(), never tested with `if`.
    text = _as_text(context.get("csp_nonce")) if context is not None else None
    if text:
        return text
    if request is None:
        return None
    text = _as_text(getattr(request, "csp_nonce", None))
    if text:
        return text
    get_nonce = django_nonce_getter()
    return _as_text(get_nonce(request)) if get_nonce is not None else None


def _as_text(value: Any) -> str | None:
    return (str(value) or None) if value is not None else None


@functools.cache
def csp_middleware_on() -> bool:
    """django-csp's or Django 6's CSP middleware is in MIDDLEWARE (a policy may be set per
    view, so the middleware is what counts)."""
    middleware = getattr(settings, "MIDDLEWARE", None) or ()
    return any(isinstance(path, str) and path in CSP_MIDDLEWARE for path in middleware)


def nonce_missing(nonce: str | None) -> bool:
    """True when a CSP middleware is on but the tag found no nonce: the browser then blocks
    every script the tag writes. The server log says so once per process, never per page."""
    if nonce or not csp_middleware_on():
        return False
    _warn_missing_nonce()
    return True


@functools.cache
def _warn_missing_nonce() -> None:
    logger.warning(
        "analytix: a Content-Security-Policy middleware is on, but {% analytics_scripts %} "
        "found no CSP nonce, so a nonce-based policy blocks its scripts and every vendor. Give "
        "the template the request: add 'django.template.context_processors.request' to "
        "TEMPLATES' context_processors (django-csp's request.csp_nonce), or on Django 6 "
        "'django.template.context_processors.csp' (csp_nonce), or pass csp_nonce in the "
        "context yourself. (Logged once per process.)"
    )


@receiver(setting_changed)
def _drop_cached_middleware(*, setting: str, **kwargs: Any) -> None:
    if setting == "MIDDLEWARE":
        csp_middleware_on.cache_clear()
