"""Global Privacy Control: a browser that sends `Sec-GPC: 1` gets no service of the
categories `ANALYTICS_CONFIG["GPC"]` names (analytics and marketing by default)."""

from __future__ import annotations

from typing import Any

from analytix_frontend.decide import consent
from analytix_frontend.decide.rules import Off, request_meta

PRIVACY = "privacy"  # reason code
DEFAULT_CATEGORIES: tuple[str, ...] = ("analytics", "marketing")


def read_settings(value: Any) -> frozenset[str]:
    """The categories GPC turns off: False none, a list those (known ones only), else the
    default."""
    if value is False:
        return frozenset()
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(c for c in value if c in consent.CATEGORIES)
    return frozenset(DEFAULT_CATEGORIES)


def sends_gpc(request: Any) -> bool:
    """The browser asks not to be tracked: `Sec-GPC: 1` (the only valid value)."""
    value = request_meta(request).get("HTTP_SEC_GPC")
    return isinstance(value, str) and value.strip() == "1"


def decide(categories: frozenset[str], request: Any) -> Off | None:
    if not categories or not sends_gpc(request):
        return None
    names = " and ".join(sorted(categories))
    return Off(
        PRIVACY,
        "the browser sent Global Privacy Control (Sec-GPC: 1), which turns off "
        f"{names} services (ANALYTICS_CONFIG['GPC'])",
        categories,
    )
