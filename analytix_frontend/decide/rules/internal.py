"""Internal traffic: your own office, staff and testers get no vendor at all.

A request is internal when the QA cookie says "exclude", its client address is in
`INTERNAL["IPS"]`, or (with `INTERNAL["STAFF"]`) its user is staff; the QA cookie "include"
wins over the other two, so a tester can check the tags from the office.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analytix_frontend.decide.rules import Off, request_cookies, request_meta

INTERNAL = "internal"  # reason code
DEFAULT_QA_COOKIE = "analytix_qa"
QA_INCLUDE = "include"  # QA cookie value: load analytics even from an internal address
QA_EXCLUDE = "exclude"  # QA cookie value: treat this browser as internal traffic
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
MAPPED_IPV4 = ipaddress.IPv6Network("::ffff:0:0/96")  # IPv4-mapped IPv6 (RFC 4291 2.5.5.2)


@dataclass(frozen=True)
class InternalSettings:
    networks: tuple[Network, ...]  # INTERNAL["IPS"], with ::ffff: ranges also as IPv4
    ip_meta_key: str  # request.META key of the client address ("REMOTE_ADDR" unless configured)
    proxy_count: int  # trusted proxies in front of Django, when ip_meta_key is a forwarding header
    qa_cookie: str
    staff: bool  # INTERNAL["STAFF"]: request.user.is_staff counts as internal


def parse_network(value: Any) -> Network | None:
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def with_ipv4_form(network: Network) -> tuple[Network, ...]:
    """The network, and its IPv4 form when it is a range of IPv4-mapped addresses
    (`::ffff:10.0.0.0/104` is also `10.0.0.0/8`)."""
    if isinstance(network, ipaddress.IPv6Network) and network.subnet_of(MAPPED_IPV4):
        mapped = network.network_address.ipv4_mapped
        if mapped is not None:
            return network, ipaddress.IPv4Network((mapped, network.prefixlen - 96))
    return (network,)


def header_meta_key(header: Any) -> str:
    """The request.META key of a header name: "X-Forwarded-For" -> "HTTP_X_FORWARDED_FOR"."""
    if not isinstance(header, str) or not header.strip():
        return "REMOTE_ADDR"
    key = header.strip().upper().replace("-", "_")
    if key == "REMOTE_ADDR" or key.startswith("HTTP_"):
        return key
    return "HTTP_" + key


def read_settings(value: Any) -> InternalSettings:
    internal = value if isinstance(value, Mapping) else {}
    ips = internal.get("IPS", ())
    networks = (parse_network(v) for v in (ips if isinstance(ips, (list, tuple)) else ()))
    proxy_count = internal.get("PROXY_COUNT", 1)
    qa_cookie = internal.get("QA_COOKIE", DEFAULT_QA_COOKIE)
    return InternalSettings(
        networks=tuple(form for n in networks if n for form in with_ipv4_form(n)),
        ip_meta_key=header_meta_key(internal.get("IP_HEADER")),
        proxy_count=proxy_count if isinstance(proxy_count, int) and proxy_count >= 1 else 1,
        qa_cookie=qa_cookie if isinstance(qa_cookie, str) and qa_cookie else DEFAULT_QA_COOKIE,
        staff=internal.get("STAFF", False) is True,
    )


def client_address(settings: InternalSettings, request: Any) -> Address | None:
    """The visitor's address. A forwarding header is read only when configured, and then the
    entry `PROXY_COUNT` places from the right: the one our own outermost proxy appended. The
    entries left of it are whatever the client sent, so they are never trusted."""
    meta = request_meta(request)
    raw = meta.get(settings.ip_meta_key)
    if settings.ip_meta_key != "REMOTE_ADDR":
        if not isinstance(raw, str) or not raw.strip():
            raw = meta.get("REMOTE_ADDR")  # not through the proxy (e.g. a health check)
        else:
            entries = [entry.strip() for entry in raw.split(",")]
            raw = entries[-settings.proxy_count] if len(entries) >= settings.proxy_count else None
    if not isinstance(raw, str):
        return None
    try:
        return ipaddress.ip_address(raw.strip())
    except ValueError:
        return None


def address_is_listed(settings: InternalSettings, address: Address) -> bool:
    """The address is in one of the networks; an IPv4-mapped IPv6 address (`::ffff:10.1.2.3`,
    as dual-stack listeners report IPv4 clients) also as its IPv4 self."""
    forms: tuple[Address, ...] = (address,)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        forms = (address, address.ipv4_mapped)
    return any(a.version == n.version and a in n for a in forms for n in settings.networks)


def is_staff(request: Any) -> bool:
    return getattr(getattr(request, "user", None), "is_staff", False) is True


def decide(settings: InternalSettings, request: Any) -> Off | None:
    cookie = settings.qa_cookie
    qa = request_cookies(request).get(cookie)
    if qa == QA_INCLUDE:
        return None
    if qa == QA_EXCLUDE:
        return Off(INTERNAL, f"internal traffic: the QA cookie {cookie!r} says {QA_EXCLUDE!r}")
    if settings.networks:  # else skip parsing the address (the tag's hot path)
        address = client_address(settings, request)
        if address is not None and address_is_listed(settings, address):
            return Off(
                INTERNAL,
                "internal traffic: the client address is in ANALYTICS_CONFIG['INTERNAL']['IPS']",
            )
    if settings.staff and is_staff(request):
        return Off(
            INTERNAL,
            "internal traffic: a staff user (ANALYTICS_CONFIG['INTERNAL']['STAFF']); the QA "
            f"cookie {cookie}={QA_INCLUDE} loads analytics for this browser",
        )
    return None
