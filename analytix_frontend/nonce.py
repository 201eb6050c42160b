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
    if context is not None:
        value = context.get("csp_nonce")
        if value:
            return str(value)
    if request is None:
        return None
    # django-csp: a lazy object, created on first use. Its truth value only says whether it
    # has been used yet (False before), so it is read with str(), never tested with `if`.
    value = getattr(request, "csp_nonce", None)
    if value is not None:
        text = str(value)
        if text:
            return text
    get_nonce = django_nonce_getter()
    if get_nonce is not None:
        value = get_nonce(request)
        if value:
            return str(value)
    return None
