"""Consent, as the server sees it: which service categories the visitor has agreed to.

Off by default (`ANALYTICS_CONFIG["CONSENT"]` unset or False): every category is allowed.
When on, a category is allowed only when the visitor's consent says so:

- the first-party consent cookie (default `analytix_consent`), written by consent.js:
  `<categories>:<consent id>:<version tag>:<services tag>`, the categories comma-separated
  or "none". The two tags say which policy `VERSION` and which set of services the visitor
  answered; when either differs from the current one the visitor is undecided again (nothing
  granted) until asked again. A cookie of the old format (the categories alone) counts as
  before while no `VERSION` is set, and as undecided once one is;
- or, when django-cookie-consent is installed and `CONSENT["COOKIE_GROUPS"]` maps a category
  to one of its cookie-group varnames, that group's accepted/declined answer, which wins over
  our cookie whenever the visitor has answered it.

The settings are read once (`read_settings`, part of `decide.settings`); the answer once per
request (`read_answer`, kept by `decide.request`).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings

from analytix_frontend.decide.consent_mode import GoogleSettings, read_google
from analytix_frontend.decide.rules import request_cookies
from analytix_frontend.decide.services import SERVICES_BY_NAME

CATEGORIES: tuple[str, ...] = ("analytics", "marketing", "functional")
DEFAULT_COOKIE_NAME = "analytix_consent"
COOKIE_CONSENT_APP = "cookie_consent"  # django-cookie-consent's app label
COOKIE_CONSENT_COOKIE = "cookie_consent"  # its cookie's name unless COOKIE_CONSENT_NAME says
COOKIE_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # an RFC 6265 token
CONSENT_ID = re.compile(r"[A-Za-z0-9_-]{22}", re.ASCII)  # 16 random bytes, base64url
TAG = re.compile(r"[0-9a-f]{8}", re.ASCII)  # the first 8 hex digits of a SHA-256
MAX_VERSION_LENGTH = 100

SOURCES: tuple[str, ...] = ("analytix", "cookie_consent", "tcf", "gcm")
DEFAULT_RETENTION_DAYS = 1095  # 3 years
# IAB TCF v2.2 purposes each category needs (all of them), and the Global Vendor List ids of
# the services that are on it (a service not listed is decided by the purposes alone). Of
# ours only Google is on the list (755); Meta is not an IAB vendor, so no id can carry its
# consent: its category's purposes decide.
DEFAULT_TCF_PURPOSES: Mapping[str, tuple[int, ...]] = {
    "analytics": (1, 7, 8, 9, 10),
    "marketing": (1, 2, 3, 4),
    "functional": (1,),
}
DEFAULT_TCF_VENDORS: Mapping[str, int] = {"google": 755}
TCF_PURPOSE_IDS = range(1, 12)  # TCF v2.2 purposes 1 to 11

logger = logging.getLogger("analytix_frontend")


def tag(text: str) -> str:
    """The first 8 hex digits of SHA-256 of `text` (the version and services tags)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def services_tag(service_names: Collection[str]) -> str:
    """The tag of the site-wide service set: sorted `name:category` pairs, joined by ","."""
    pairs = sorted(
        f"{name}:{SERVICES_BY_NAME[name].category}"
        for name in service_names
        if name in SERVICES_BY_NAME
    )
    return tag(",".join(pairs))


@dataclass(frozen=True)
class TcfSettings:
    purposes: Mapping[str, tuple[int, ...]] = field(
        default_factory=lambda: dict(DEFAULT_TCF_PURPOSES)
    )
    vendors: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_TCF_VENDORS))


@dataclass(frozen=True)
class ConsentSettings:
    required: bool
    cookie: str  # our consent cookie's name (an RFC 6265 token: consent.js writes it)
    groups: Mapping[str, str] = field(default_factory=dict)  # category -> cookie-group varname
    # django-cookie-consent's cookie, when its groups decide categories (it is installed)
    groups_cookie: str | None = None
    version: str = ""  # the policy's VERSION ("" when unset)
    version_tag: str = ""  # tag(version), "" when no VERSION
    services_tag: str = ""  # services_tag() of the services with a valid id
    records: bool = False  # RECORDS: keep a proof record per decision
    record_ip: bool = False  # RECORD_IP: with the client address
    retention_days: int = DEFAULT_RETENTION_DAYS
    source: str = "analytix"
    tcf: TcfSettings = field(default_factory=TcfSettings)
    google: GoogleSettings = field(default_factory=GoogleSettings)
    google_set: bool = False  # CONSENT["GOOGLE"] is given (its part is sent without REQUIRED)


def _read_tcf(value: Any) -> TcfSettings:
    tcf = value if isinstance(value, Mapping) else {}
    purposes = tcf.get("PURPOSES")
    vendors = tcf.get("VENDORS")
    return TcfSettings(
        purposes={
            category: tuple(p for p in ids if isinstance(p, int) and p in TCF_PURPOSE_IDS)
            for category, ids in (purposes.items() if isinstance(purposes, Mapping) else ())
            if category in CATEGORIES and isinstance(ids, (list, tuple))
        }
        if purposes is not None
        else dict(DEFAULT_TCF_PURPOSES),
        vendors={
            name: vendor
            for name, vendor in (vendors.items() if isinstance(vendors, Mapping) else ())
            if name in SERVICES_BY_NAME and isinstance(vendor, int) and vendor > 0
        }
        if vendors is not None
        else dict(DEFAULT_TCF_VENDORS),
    )


def read_settings(value: Any, service_names: Collection[str] = ()) -> ConsentSettings:
    """`ANALYTICS_CONFIG["CONSENT"]`: True, False, or a dict. `service_names`: the services
    with a valid id (their set is tagged). Malformed parts fall back to their defaults
    (checks/consent.py says so)."""
    services = services_tag(service_names)
    if not isinstance(value, Mapping):
        return ConsentSettings(
            required=value is True,
            cookie=DEFAULT_COOKIE_NAME,
            services_tag=services,
            google=read_google(None, value is True),
        )
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
    version = value.get("VERSION")
    version = version if isinstance(version, str) and 0 < len(version) <= MAX_VERSION_LENGTH else ""
    retention = value.get("RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    if isinstance(retention, bool) or not isinstance(retention, int) or retention < 1:
        retention = DEFAULT_RETENTION_DAYS
    required = value.get("REQUIRED", True) is not False
    records = value.get("RECORDS", False) is True
    source = value.get("SOURCE")
    return ConsentSettings(
        required=required,
        cookie=name,
        groups=groups,
        groups_cookie=groups_cookie,
        version=version,
        version_tag=tag(version) if version else "",
        services_tag=services,
        records=records,
        record_ip=records and value.get("RECORD_IP", False) is True,
        retention_days=retention,
        source=source if isinstance(source, str) and source in SOURCES else "analytix",
        tcf=_read_tcf(value.get("TCF")),
        google=read_google(value.get("GOOGLE"), required),
        google_set=isinstance(value.get("GOOGLE"), Mapping),
    )


@dataclass(frozen=True)
class CookieValue:
    """Our consent cookie, parsed (see the module's docstring for the format)."""

    categories: frozenset[str]
    consent_id: str | None = None  # None: the old format, or not a valid id
    version_tag: str | None = None  # None: the old format
    services_tag: str | None = None


def parse_cookie(raw: str) -> CookieValue | None:
    """Our cookie's value, or None when it is malformed (counts as no answer)."""
    parts = raw.split(":")
    categories = frozenset(w for w in parts[0].replace(" ", "").split(",") if w in CATEGORIES)
    if len(parts) == 1:
        return CookieValue(categories)
    if len(parts) != 4:
        return None
    _, consent_id, version_tag, tagged_services = parts
    if (version_tag and not TAG.fullmatch(version_tag)) or not TAG.fullmatch(tagged_services):
        return None
    return CookieValue(
        categories,
        consent_id if CONSENT_ID.fullmatch(consent_id) else None,
        version_tag,
        tagged_services,
    )


def outdated(config: ConsentSettings, value: CookieValue) -> str | None:
    """Why an answer no longer counts: "version" (the policy's VERSION changed, or an old
    cookie once one is set), "services" (the set of services changed), or None."""
    if value.version_tag is None:
        return "version" if config.version_tag else None
    if value.version_tag != config.version_tag:
        return "version"
    if value.services_tag != config.services_tag:
        return "services"
    return None


@dataclass(frozen=True)
class ConsentAnswer:
    """What one request's cookies say."""

    granted: frozenset[str]  # the categories consented to
    decided: bool  # the visitor has answered the current question (maybe "none")
    # The cookies the answer was made from, each with the raw value read (None: absent).
    # consent.js trusts `granted` only when the browser has exactly these (a cached page).
    basis: Mapping[str, str | None]
    consent_id: str | None = None  # the visitor's consent id, when the cookie has a valid one
    # Why an answer in our cookie no longer counts ("version", "services", "malformed")
    outdated: str | None = None


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
    raw = raw if isinstance(raw, str) else None
    granted: set[str] = set()
    decided = False
    consent_id = stale = None
    if raw is not None:
        value = parse_cookie(raw)
        stale = "malformed" if value is None else outdated(config, value)
        if value is not None:
            consent_id = value.consent_id
            if stale is None:
                granted, decided = set(value.categories), True
    basis: dict[str, str | None] = {config.cookie: raw}
    if config.groups_cookie is not None:
        theirs = cookies.get(config.groups_cookie)
        basis[config.groups_cookie] = theirs if isinstance(theirs, str) else None
        for category, varname in config.groups.items():
            answer = _cookie_consent_answer(request, varname)
            if answer is True:
                granted.add(category)
            elif answer is False:
                granted.discard(category)
    return ConsentAnswer(frozenset(granted), decided, basis, consent_id, stale)
