"""Finds the request's CSP nonce, from whichever CSP tool the project uses."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


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
