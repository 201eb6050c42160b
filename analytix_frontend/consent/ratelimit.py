"""A small fixed-window rate limit on Django's default cache, for the record endpoint (and the
tracking plan's report endpoint, plan/reports.py, under its own `kind`).

Each key counts requests for `WINDOW` seconds from its first one. A cache that fails never
refuses a record (it is logged once per failure instead): losing proof is worse than a burst.
"""

from __future__ import annotations

import ipaddress
import logging

from django.core.cache import cache

logger = logging.getLogger("analytix_frontend.consent")

WINDOW = 60  # seconds
PER_CONSENT_ID = 20  # decisions a minute for one visitor: far beyond any human's clicks
PER_ADDRESS = 120  # a minute from one client address (an office behind one NAT stays under it)
PREFIX = "analytix:consent-rate:"
# Requests whose client address cannot be read (REMOTE_ADDR not an IP, as on some unix-socket
# set-ups, or INTERNAL's IP_HEADER shorter than its PROXY_COUNT) share one count, this many
# times an address's limit: a forger must not go unlimited, nor a real site's visitors be
# refused for one misread header.
UNKNOWN = "unknown"
UNKNOWN_FACTOR = 20
_unknown_said = False


def address_key(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """The client a rate limit counts for `address`: an IPv6 address by its /64 (one client
    holds a whole /64 and can send from any of its 2**64 addresses), an IPv4-mapped one as
    its IPv4 self, an IPv4 address as it is."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def allow_client(
    kind: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, limit: int
) -> bool:
    """Counts one request for the client at `address` (None: unknown, see UNKNOWN)."""
    if address is not None:
        return allow(kind, address_key(address), limit)
    global _unknown_said
    if not _unknown_said:
        _unknown_said = True
        logger.warning(
            "analytix: a request to the %s endpoint has no client address this site can read "
            "(REMOTE_ADDR is not an IP address, or ANALYTICS_CONFIG['INTERNAL']['IP_HEADER'] "
            "has fewer entries than PROXY_COUNT): such requests share one rate limit of %s a "
            "minute. Set INTERNAL's IP_HEADER and PROXY_COUNT to your proxies' (docs/privacy.md).",
            _endpoint(kind),
            limit * UNKNOWN_FACTOR,
        )
    return allow(kind, UNKNOWN, limit * UNKNOWN_FACTOR)


def _endpoint(kind: str) -> str:
    return "plan report" if kind.startswith("plan") else "consent"


def allow(kind: str, key: str, limit: int) -> bool:
    """Counts one request for `key`; False once more than `limit` came in this window."""
    name = f"{PREFIX}{kind}:{key}"
    try:
        if cache.add(name, 1, timeout=WINDOW):
            return True
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr: a new window
            cache.add(name, 1, timeout=WINDOW)
            return True
    except Exception:
        logger.warning(
            "analytix: the %s endpoint's rate limit could not use the cache; the request "
            "is accepted without it. Check CACHES['default'].",
            _endpoint(kind),
            exc_info=True,
        )
        return True
    return bool(count <= limit)
