"""Finds the request's CSP nonce, from whichever CSP tool the project uses."""

from __future__ import annotations

from typing import Any, Protocol

try:  # Django 6+ ships CSP support with its own nonce
    from django.middleware.csp import get_nonce as _django_get_nonce  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on the Django version
    _django_get_nonce = None  # type: ignore[assignment,unused-ignore]


class TemplateContext(Protocol):
    """A Django template Context, a Jinja2 context's variables or any mapping."""

    def get(self, key: str, default: Any = None, /) -> Any: ...


def find_csp_nonce(request: Any = None, context: TemplateContext | None = None) -> str | None:
    """A `csp_nonce` context variable, else django-csp's `request.csp_nonce`, else Django's."""
    if context is not None:
        value = context.get("csp_nonce")
        if value:
            return str(value)
    if request is None:
        return None
    value = getattr(request, "csp_nonce", None)  # django-csp: lazy, created on first use
    if value:
        return str(value)
    if _django_get_nonce is not None:
        value = _django_get_nonce(request)
        if value:
            return str(value)
    return None
