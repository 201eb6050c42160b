"""Consent, as the server sees it: which service categories the visitor has agreed to.

Off by default (`ANALYTICS_CONFIG["CONSENT"]` unset or False): every category is allowed.
When on, a category is allowed only when the visitor's consent says so:

- the first-party consent cookie (default `analytix_consent`) lists it, as written by
  `window.analytix.consent.grant([...])`: comma-separated categories, "none" after withdrawal;
- or, when django-cookie-consent is installed and `CONSENT["COOKIE_GROUPS"]` maps a category
  to one of its cookie-group varnames, that group's accepted/declined answer, which wins over
  our cookie whenever the visitor has answered it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.conf import settings

CATEGORIES: tuple[str, ...] = ("analytics", "marketing", "functional")
DEFAULT_COOKIE_NAME = "analytix_consent"
COOKIE_CONSENT_APP = "cookie_consent"  # django-cookie-consent's app label
COOKIE_CONSENT_COOKIE = "cookie_consent"  # its cookie's name unless COOKIE_CONSENT_NAME says
COOKIE_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # an RFC 6265 token

logger = logging.getLogger("analytix_frontend")


def _consent_setting() -> Any:
    config = getattr(settings, "ANALYTICS_CONFIG", None)
    return config.get("CONSENT", False) if isinstance(config, Mapping) else False


def consent_required() -> bool:
    setting = _consent_setting()
    if isinstance(setting, Mapping):
        return setting.get("REQUIRED", True) is not False
    return setting is True


def cookie_name() -> str:
    setting = _consent_setting()
    if isinstance(setting, Mapping):
        name = setting.get("COOKIE_NAME")
        # consent.js writes document.cookie with it: "x; domain=..." would add attributes.
        if isinstance(name, str) and COOKIE_NAME.fullmatch(name):
            return name
    return DEFAULT_COOKIE_NAME


def cookie_groups() -> dict[str, str]:
    """Category -> django-cookie-consent cookie-group varname, from `CONSENT["COOKIE_GROUPS"]`."""
    setting = _consent_setting()
    groups = setting.get("COOKIE_GROUPS") if isinstance(setting, Mapping) else None
    if not isinstance(groups, Mapping):
        return {}
    return {
        category: varname
        for category, varname in groups.items()
        if category in CATEGORIES and isinstance(varname, str) and varname
    }


def _cookie_consent_answer(request: Any, varname: str) -> bool | None:
    """django-cookie-consent's answer for one cookie group: True, False or None (unanswered)."""
    if not apps.is_installed(COOKIE_CONSENT_APP):
        return None
    try:
        from cookie_consent.util import (  # type: ignore[import-not-found,unused-ignore]
            get_cookie_value_from_request,
        )
    except ImportError:
        return None
    try:
        answer = get_cookie_value_from_request(request, varname)
    except Exception:  # its database or cache failing must not break the page
        logger.warning(
            "analytix: django-cookie-consent failed to answer for %r", varname, exc_info=True
        )
        return None
    return answer if isinstance(answer, bool) else None


def consented_categories(request: Any) -> frozenset[str]:
    """The categories the visitor has consented to (unknown words are ignored)."""
    cookies = getattr(request, "COOKIES", None) or {}
    raw = cookies.get(cookie_name(), "")
    granted = set()
    if isinstance(raw, str):
        granted = {word for word in raw.replace(" ", "").split(",") if word in CATEGORIES}
    for category, varname in cookie_groups().items():
        answer = _cookie_consent_answer(request, varname)
        if answer is True:
            granted.add(category)
        elif answer is False:
            granted.discard(category)
    return frozenset(granted)


def category_allowed(request: Any, category: str) -> bool:
    """True when consent is not required, or the request carries consent for `category`."""
    if not consent_required():
        return True
    return request is not None and category in consented_categories(request)


def _cookie_consent_cookie_name() -> str:
    name = getattr(settings, "COOKIE_CONSENT_NAME", COOKIE_CONSENT_COOKIE)
    return name if isinstance(name, str) and name else COOKIE_CONSENT_COOKIE


def page_consent_config(request: Any) -> dict[str, Any] | None:
    """The consent part of the page's JSON config, or None when consent is not required.

    `basis` lists the cookies the answer was made from (our cookie and, when its groups
    decide categories, django-cookie-consent's), each with the raw value read, or None when
    absent. consent.js uses `granted`/`decided` only when this browser has exactly those
    cookies; otherwise (a page from a shared cache, made for another visitor) it decides from
    the visitor's own consent cookie alone.
    """
    if not consent_required():
        return None
    cookies = getattr(request, "COOKIES", None)
    cookies = cookies if isinstance(cookies, Mapping) else {}
    name = cookie_name()
    basis_names = [name]
    if cookie_groups() and apps.is_installed(COOKIE_CONSENT_APP):
        basis_names.append(_cookie_consent_cookie_name())
    basis = {n: cookies[n] if isinstance(cookies.get(n), str) else None for n in basis_names}
    return {
        "required": True,
        "cookie": name,
        "granted": sorted(consented_categories(request)) if request is not None else [],
        "decided": name in cookies,
        "basis": basis,
    }
