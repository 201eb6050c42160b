"""Consent, as the server sees it: which service categories the visitor has agreed to.

Off by default (`ANALYTICS_CONFIG["CONSENT"]` unset or False): every category is allowed.
When on, a category is allowed only when the first-party consent cookie lists it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings

CATEGORIES: tuple[str, ...] = ("analytics", "marketing", "functional")
DEFAULT_COOKIE_NAME = "analytix_consent"


def _consent_setting() -> Any:
    config = getattr(settings, "ANALYTICS_CONFIG", None)
    return config.get("CONSENT", False) if isinstance(config, Mapping) else False


def consent_required() -> bool:
    return bool(_consent_setting())


def cookie_name() -> str:
    setting = _consent_setting()
    if isinstance(setting, Mapping):
        name = setting.get("COOKIE_NAME")
        if isinstance(name, str) and name:
            return name
    return DEFAULT_COOKIE_NAME


def consented_categories(request: Any) -> frozenset[str]:
    """The categories the visitor's consent cookie grants (unknown words are ignored)."""
    cookies = getattr(request, "COOKIES", None) or {}
    raw = cookies.get(cookie_name(), "")
    if not isinstance(raw, str):
        return frozenset()
    return frozenset(word for word in raw.replace(" ", "").split(",") if word in CATEGORIES)


def category_allowed(request: Any, category: str) -> bool:
    """True when consent is not required, or the request carries consent for `category`."""
    if not consent_required():
        return True
    return request is not None and category in consented_categories(request)
