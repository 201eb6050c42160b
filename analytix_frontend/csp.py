"""The Content-Security-Policy sources each vendor needs, ready for django-csp 4.

    from csp.constants import NONCE, SELF
    from analytix_frontend.csp import csp_sources, merge_directives

    ANALYTICS_IDS = {...}
    CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": merge_directives(
            {"default-src": [SELF], "script-src": [SELF, NONCE]},
            csp_sources(ids=ANALYTICS_IDS),
        )
    }

Safe to import from settings.py: nothing here reads Django settings unless `ids` is omitted.
Hosts follow each vendor's published CSP guidance (Google tag platform "Use a Content Security
Policy" for GA4, FullStory's "Can I use CSP with Fullstory?", HubSpot's and Drift's lists of
domains their scripts use, Meta Pixel's and Kissmetrics' script and beacon hosts). With a
nonce and 'strict-dynamic' the script-src hosts are not needed (browsers ignore host lists
then), but connect-src, img-src and frame-src still are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from analytix_frontend.decide.services import SERVICES, SERVICES_BY_NAME
from analytix_frontend.decide.settings import raw_id  # reads no setting at import

NONE = "'none'"
SELF = "'self'"
DIRECTIVES: tuple[str, ...] = ("script-src", "connect-src", "img-src", "frame-src")
# Our own needs, whatever the services: `base-uri 'self'` keeps an injected <base href> from
# moving relative script URLs to another host ('none' would be stricter, but breaks every
# site whose pages use a same-origin <base>; 'self' is enough, since our URLs are absolute or
# root-relative, which only a <base> on another origin could move), and the name of the
# Trusted Types policy start.js and loader.js create (`trusted-types analytix`).
TRUSTED_TYPES_POLICY = "analytix"
OWN_SOURCES: dict[str, tuple[str, ...]] = {
    "base-uri": (SELF,),
    "trusted-types": (TRUSTED_TYPES_POLICY,),
}
# Directives that are not fetch directives: they never fall back to default-src.
_NO_DEFAULT = frozenset({"base-uri", "trusted-types", "require-trusted-types-for"})
# The site's own base-uri, when it has one, is kept as it is: ours only adds one where none is.
_SITE_WINS = frozenset({"base-uri"})
# Added to only when the site has it: without a trusted-types directive every policy name is
# allowed, and adding one would refuse the site's and the vendors' own policies.
_ONLY_IF_PRESENT = frozenset({"trusted-types"})

VENDOR_SOURCES: dict[str, dict[str, tuple[str, ...]]] = {
    "google": {
        "script-src": ("https://*.googletagmanager.com",),
        "connect-src": (
            "https://*.google-analytics.com",
            "https://*.analytics.google.com",
            "https://*.googletagmanager.com",
        ),
        "img-src": ("https://*.google-analytics.com", "https://*.googletagmanager.com"),
    },
    "hubspot": {
        "script-src": (
            "https://js.hs-scripts.com",
            "https://js.hs-analytics.net",
            "https://js.hs-banner.com",
            "https://js.hscollectedforms.net",
            "https://js.hsleadflows.net",
            "https://js.hsadspixel.net",
            "https://js.usemessages.com",
        ),
        "connect-src": (
            "https://*.hubspot.com",
            "https://*.hubapi.com",
            "https://*.hs-banner.com",
            "https://*.hscollectedforms.net",
            "https://*.hsforms.com",
        ),
        "img-src": ("https://track.hubspot.com", "https://*.hubspot.com", "https://*.hsforms.com"),
        "frame-src": ("https://app.hubspot.com", "https://*.hsforms.net", "https://*.hsforms.com"),
    },
    "kissmetrics": {
        "script-src": ("https://i.kissmetrics.io", "https://scripts.kissmetrics.io"),
        "connect-src": ("https://trk.kissmetrics.io",),
        "img-src": ("https://trk.kissmetrics.io",),
    },
    "drift": {
        "script-src": ("https://js.driftt.com",),
        "connect-src": ("https://*.drift.com", "https://*.driftt.com", "wss://*.drift.com"),
        "img-src": ("https://*.drift.com", "https://*.driftt.com"),
        "frame-src": ("https://js.driftt.com", "https://*.drift.com"),
    },
    "fullstory": {
        # Regional orgs ("o-XXXX-eu1") use edge.<region>.fullstory.com: see fullstory_sources().
        "script-src": ("https://edge.fullstory.com", "https://rs.fullstory.com"),
        "connect-src": ("https://edge.fullstory.com", "https://rs.fullstory.com"),
        "img-src": ("https://rs.fullstory.com",),
    },
    "facebook_pixel": {
        "script-src": ("https://connect.facebook.net",),
        "connect-src": ("https://www.facebook.com", "https://connect.facebook.net"),
        "img-src": ("https://www.facebook.com",),
    },
}

_FULLSTORY_REGION = re.compile(r"-([a-z]{2}[0-9])$")


def fullstory_sources(org_id: str) -> dict[str, tuple[str, ...]]:
    """FullStory's hosts for the org's data region (the id's suffix; "na1" is the default)."""
    match = _FULLSTORY_REGION.search(org_id or "")
    if not match or match.group(1) == "na1":
        return VENDOR_SOURCES["fullstory"]
    region = match.group(1)
    edge, rs = f"https://edge.{region}.fullstory.com", f"https://rs.{region}.fullstory.com"
    return {"script-src": (edge, rs), "connect-src": (edge, rs), "img-src": (rs,)}


def _enabled_from_ids(ids: Mapping[str, Any]) -> dict[str, str]:
    """Service name -> id, for each service whose id in `ids` is valid."""
    found = {}
    for service in SERVICES:
        value = raw_id(ids, service.id_setting)  # as the page reads it (an int id counts too)
        if service.id_pattern.fullmatch(value):
            found[service.name] = value
    return found


def csp_sources(
    services: Iterable[str] | None = None, *, ids: Mapping[str, Any] | None = None
) -> dict[str, list[str]]:
    """The sources per directive (script-src, connect-src, img-src, frame-src) for `services`,
    plus our own `base-uri 'self'` and `trusted-types analytix` (OWN_SOURCES).

    `services`: service names; by default every service with a valid id in `ids` (your
    ANALYTICS_IDS dict), or in `settings.ANALYTICS_IDS` when `ids` is not given either.
    Directives no service needs are left out; sources keep a stable order, without repeats.
    """
    if ids is None and services is None:
        from analytix_frontend.decide.settings import get_settings

        enabled: dict[str, str] = dict(get_settings().valid_ids)
    else:
        enabled = _enabled_from_ids(ids or {})
    names = list(enabled) if services is None else list(services)
    unknown = [name for name in names if name not in SERVICES_BY_NAME]
    if unknown:
        raise ValueError(f"unknown service names: {', '.join(unknown)}")
    result: dict[str, list[str]] = {}
    for name in names:
        sources = (
            fullstory_sources(enabled.get(name, ""))
            if name == "fullstory"
            else VENDOR_SOURCES[name]
        )
        for directive in DIRECTIVES:
            for source in sources.get(directive, ()):
                bucket = result.setdefault(directive, [])
                if source not in bucket:
                    bucket.append(source)
    for directive, own in OWN_SOURCES.items():
        result[directive] = list(own)
    return result


def merge_directives(
    base: Mapping[str, Any], *extra: Mapping[str, Iterable[Any]]
) -> dict[str, list[Any]]:
    """`base` (a django-csp DIRECTIVES dict) with each extra directive's sources appended.

    A fetch directive missing from `base` starts from base's "default-src" (what the browser
    would fall back to), so adding vendor hosts never loosens or drops what default-src
    allowed. Our own `base-uri 'self'` (csp_sources()) is added only where `base` has none
    (the site's own, 'none' say, is kept), and our policy name only where `base` has a
    `trusted-types` directive (without one every name is allowed); other sources for these
    directives are merged like any. Values may be strings or django-csp constants (NONCE, SELF);
    the result is a new dict.
    """
    merged: dict[str, list[Any]] = {
        key: [value] if isinstance(value, str) else list(value) for key, value in base.items()
    }
    default = merged.get("default-src")
    for directives in extra:
        for directive, sources in directives.items():
            present = directive in merged
            ours = all(source in OWN_SOURCES.get(directive, ()) for source in sources)
            if ours and (
                (directive in _SITE_WINS and present)
                or (directive in _ONLY_IF_PRESENT and not present)
            ):
                continue  # csp_sources()'s own base-uri and policy name: see above
            start = [] if default is None or directive in _NO_DEFAULT else list(default)
            bucket = merged.setdefault(directive, start)
            if NONE in bucket and sources:
                bucket.remove(NONE)  # 'none' must stand alone: it cannot be combined with hosts
            for source in sources:
                if source not in bucket:
                    bucket.append(source)
    return merged
