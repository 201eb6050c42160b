"""Each vendor's first-party cookies, and the `Set-Cookie` deletions that remove them.

`VENDOR_COOKIES` is the same table as `static/analytix/js/vendor-cookies.js` (a test keeps
them equal): service -> cookie names, a trailing "*" matching every name that starts with
the rest. The page deletes them itself when the visitor declines (every path and domain it
can reach); `ConsentCookieMiddleware` does it again on the next response, for the cookies the
request carried, which also reaches those the page cannot (HttpOnly, a deeper path's).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from http.cookies import Morsel

from analytix_frontend.decide.services import SERVICES_BY_NAME

VENDOR_COOKIES: Mapping[str, tuple[str, ...]] = {
    "google": ("_ga", "_ga_*", "_gac_*", "_gid", "_gat*", "_gcl_*"),
    "hubspot": ("hubspotutk", "__hs*", "messagesUtk"),
    "fullstory": ("fs_uid", "fs_lua", "fs_cid", "fs_trusted"),
    "facebook_pixel": ("_fbp", "_fbc"),
    "kissmetrics": ("km_*", "_km*", "kvcd"),
    "drift": (
        "drift_aid",
        "driftt_aid",
        "drift_eid",
        "driftt_eid",
        "driftt_sid",
        "drift_campaign_refresh",
        "DFTT_END_USER_PREV_BOOTSTRAPPED",
    ),
}
EXPIRED = "Thu, 01 Jan 1970 00:00:00 GMT"
MAX_DOMAINS = 4  # a deletion per name on at most this many Domain attributes
MAX_PATH_SEGMENTS = 10  # as the page (vendor-cookies.js): deeper paths, the first ten's prefixes


def matches(pattern: str, name: str) -> bool:
    return name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern


def services_of(categories: Iterable[str]) -> list[str]:
    wanted = set(categories)
    return [name for name in VENDOR_COOKIES if SERVICES_BY_NAME[name].category in wanted]


def vendor_cookie_names(services: Iterable[str], names: Iterable[str]) -> list[str]:
    """The names among `names` (the request's cookies) that these services write."""
    patterns = [p for service in services for p in VENDOR_COOKIES.get(service, ())]
    return sorted(name for name in names if any(matches(p, name) for p in patterns))


def deletion_domains(host: str) -> list[str | None]:
    """The Domain attributes to delete on: None (a host-only cookie), the host, and each
    parent domain with two labels or more (a browser ignores one on a public suffix such as
    "co.uk"). An IP address or a one-label host: None only."""
    host = host.lower().rstrip(".")
    if not host:
        return [None]
    try:
        ipaddress.ip_address(host.strip("[]"))
        return [None]
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) < 2:
        return [None]
    parents = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    return [None, *parents[:MAX_DOMAINS]]


def deletion_paths(path: str) -> list[str]:
    """The Path attributes to delete on for a request to `path`, as the page does: "/", and
    each prefix of the path with and without its trailing "/" (the first MAX_PATH_SEGMENTS
    segments). A cookie written without a Path sits on its page's directory ("/shop/cart/"
    -> "/shop/cart"), so a deletion on "/" alone leaves it; the request carries it only on
    those paths, which is where this runs."""
    result = ["/"]
    prefix = ""
    for segment in [part for part in path.split("/") if part][:MAX_PATH_SEGMENTS]:
        if not all(32 < ord(c) < 127 and c != ";" for c in segment):
            break  # a Path attribute cannot carry it: the deeper prefixes are left out
        prefix += "/" + segment
        result += [prefix, prefix + "/"]
    return result


def deletion(name: str, domain: str | None, secure: bool, path: str = "/") -> Morsel[str]:
    """A `Set-Cookie` that expires `name` on `path` (and `domain`)."""
    morsel: Morsel[str] = Morsel()
    morsel.set(name, "", "")
    morsel["expires"] = EXPIRED
    morsel["max-age"] = 0
    morsel["path"] = path
    morsel["samesite"] = "Lax"
    if domain is not None:
        morsel["domain"] = domain
    if secure:
        morsel["secure"] = True
    return morsel
