"""Request rules, one module each: CMS previews, internal traffic, Global Privacy Control,
per-service conditions and identity (consent reading lives in `consent.py`).

Each rule is a plain function of (its settings, the request) that answers `None` ("no
objection") or an `Off`: the reason code and a sentence for humans. `privacy.py` reads the
settings and composes the rules. Rules import only from below them (Django, `consent`,
`services`), never from `privacy` or `rendering`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Off:
    """A rule turns services off for this request."""

    reason: str  # a reason code, printed as "not loaded: <reason>"
    detail: str  # one sentence for a human: what matched, what setting decides it
    categories: frozenset[str] | None = None  # only services of these categories; None: all


def request_meta(request: Any) -> Mapping[str, Any]:
    meta = getattr(request, "META", None)
    # `type(...) is dict` first: Django's own, and far cheaper than the ABC check (hot path).
    return meta if type(meta) is dict or isinstance(meta, Mapping) else {}


def request_cookies(request: Any) -> Mapping[str, Any]:
    cookies = getattr(request, "COOKIES", None)
    return cookies if type(cookies) is dict or isinstance(cookies, Mapping) else {}
