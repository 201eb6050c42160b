"""Consent, as the server sees it: which service categories the visitor has agreed to.

Off by default (`ANALYTICS_CONFIG["CONSENT"]` unset or False): every category is allowed.
When on, a category is allowed only when the visitor's consent says so:

- the first-party consent cookie (default `analytix_consent`) lists it, as written by
  `window.analytix.consent.grant([...])`: comma-separated categories, "none" after withdrawal;
- or, when django-cookie-consent is installed and `CONSENT["COOKIE_GROUPS"]` maps a category
  to one of its cookie-group varnames, that group's accepted/declined answer, which wins over
  our cookie whenever the visitor has answered it.

The settings are read once (`read_settings`, part of `decide.settings`); the answer once per
request (`read_answer`, kept by `decide.request`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings

from analytix_frontend.decide.rules import request_cookies

CATEGORIES: tuple[str, ...] = ("analytics", "marketing", "functional")
DEFAULT_COOKIE_NAME = "analytix_consent"
COOKIE_CONSENT_APP = "cookie_consent"  # django-cookie-consent's app label
COOKIE_CONSENT_COOKIE = "cookie_consent"  # its cookie's name unless COOKIE_CONSENT_NAME says
COOKIE_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # an RFC 6265 token

logger = logging.getLogger("analytix_frontend")


@dataclass(frozen=True)
class ConsentSettings:
    required: bool
    cookie: str  # our consent cookie's name (an RFC 6265 token: consent.js writes it)
    groups: Mapping[str, str] = field(default_factory=dict)  # category -> cookie-group varname
    # django-cookie-consent's cookie, when its groups decide categories (it is installed)
    groups_cookie: str | None = None


def read_settings(value: Any) -> ConsentSettings:
    """`ANALYTICS_CONFIG["CONSENT"]`: True, False, or a dict (`REQUIRED`, `COOKIE_NAME`,
    `COOKIE_GROUPS`). Malformed parts fall back to their defaults (checks/privacy.py says so)."""
    if not isinstance(value, Mapping):
        return ConsentSettings(required=value is True, cookie=DEFAULT_COOKIE_NAME)
    name = value.get("COOKIE_NAME")
    groups = value.get("COOKIE_GROUPS")
    groups = {
        category: varname
        for category, varname in (groups.items() if isinstance(groups, Mapping) else ())
        if category in CATEGORIES and isinstance(varname, str) and varname
    }
    groups_cookie = None
    if groups and apps.is_installed(COOKIE_CONSENT_APP):
        configured = getattr(settings, "COOKIE_CONSENT_NAME", COOKIE_CONSENT_COOKIE)
        groups_cookie = configured if isinstance(configured, str) and configured else None
        groups_cookie = groups_cookie or COOKIE_CONSENT_COOKIE
    if not (isinstance(name, str) and COOKIE_NAME.fullmatch(name)):
        name = DEFAULT_COOKIE_NAME
    return ConsentSettings(
        required=value.get("REQUIRED", True) is not False,
        cookie=name,
        groups=groups,
        groups_cookie=groups_cookie,
    )


@dataclass(frozen=True)
class ConsentAnswer:
    """What one request's cookies say."""

    granted: frozenset[str]  # the categories consented to
    decided: bool  # our cookie is there (the visitor has answered, maybe "none")
    # The cookies the answer was made from, each with the raw value read (None: absent).
    # consent.js trusts `granted` only when the browser has exactly these (a cached page).
    basis: Mapping[str, str | None]


def _cookie_consent_answer(request: Any, varname: str) -> bool | None:
    """django-cookie-consent's answer for one cookie group: True, False or None (unanswered)."""
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


def read_answer(config: ConsentSettings, request: Any) -> ConsentAnswer:
    """The visitor's consent (unknown words in our cookie are ignored)."""
    cookies = request_cookies(request)
    raw = cookies.get(config.cookie)
    granted = set()
    if isinstance(raw, str):
        granted = {word for word in raw.replace(" ", "").split(",") if word in CATEGORIES}
    basis: dict[str, str | None] = {config.cookie: raw if isinstance(raw, str) else None}
    if config.groups_cookie is not None:
        theirs = cookies.get(config.groups_cookie)
        basis[config.groups_cookie] = theirs if isinstance(theirs, str) else None
        for category, varname in config.groups.items():
            answer = _cookie_consent_answer(request, varname)
            if answer is True:
                granted.add(category)
            elif answer is False:
                granted.discard(category)
    return ConsentAnswer(frozenset(granted), config.cookie in cookies, basis)
