"""System checks for cache set-ups that would still hand one visitor's page to another
(analytix.W3xx). Registered from apps.py; the rule itself lives in caching.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

OUR_MIDDLEWARE = "analytix_frontend.middleware.AnalytixCacheMiddleware"
# Django's site-wide cache: the middleware that stores responses.
CACHE_STORING = (
    "django.middleware.cache.UpdateCacheMiddleware",
    "django.middleware.cache.CacheMiddleware",
)
CSP_MIDDLEWARE = (
    "csp.middleware.CSPMiddleware",  # django-csp
    "django.middleware.csp.ContentSecurityPolicyMiddleware",  # Django 6
)
PLACE = (
    f"Put {OUR_MIDDLEWARE!r} in MIDDLEWARE right after Django's UpdateCacheMiddleware (or "
    "CacheMiddleware) and before your CSP middleware (docs/privacy.md, 'Caches')."
)


def _middleware() -> list[str]:
    value = getattr(settings, "MIDDLEWARE", None)
    return [m for m in value if isinstance(m, str)] if isinstance(value, Sequence) else []


def _first(middleware: list[str], names: Sequence[str]) -> int | None:
    found = [i for i, name in enumerate(middleware) if name in names]
    return found[0] if found else None


def _internal_ips() -> bool:
    config = getattr(settings, "ANALYTICS_CONFIG", None)
    internal = config.get("INTERNAL") if isinstance(config, Mapping) else None
    return isinstance(internal, Mapping) and bool(internal.get("IPS"))


@register(Tags.caches)
def check_cache_setup(**kwargs: Any) -> list[CheckMessage]:
    middleware = _middleware()
    cache = _first(middleware, CACHE_STORING)
    ours = _first(middleware, (OUR_MIDDLEWARE,))
    csp = _first(middleware, CSP_MIDDLEWARE)
    messages: list[CheckMessage] = []
    if cache is not None and ours is None:
        messages.append(
            Warning(
                "Django's site-wide cache is in MIDDLEWARE without analytix's "
                "AnalytixCacheMiddleware: pages whose CSP policy uses the page's nonce are "
                "stored and replayed to every visitor (defeating the nonce), and the cached "
                "page carries no Vary for the consent cookie or Sec-GPC.",
                hint=PLACE,
                id="analytix.W301",
            )
        )
    if cache is not None and ours is not None and ours < cache:
        messages.append(
            Warning(
                "AnalytixCacheMiddleware comes before Django's cache middleware in MIDDLEWARE, "
                "so the cache stores each page before analytix adds Vary and "
                "Cache-Control: private to it.",
                hint=PLACE,
                id="analytix.W302",
            )
        )
    if csp is not None and ours is not None and ours > csp:
        messages.append(
            Warning(
                "AnalytixCacheMiddleware comes after the CSP middleware in MIDDLEWARE, so it "
                "cannot see the Content-Security-Policy header: a page whose policy uses the "
                "page's nonce is not marked private and a shared cache can replay the nonce.",
                hint=PLACE,
                id="analytix.W303",
            )
        )
    if cache is not None and _internal_ips():
        messages.append(
            Warning(
                "ANALYTICS_CONFIG['INTERNAL']['IPS'] is set and Django's site-wide cache is on: "
                "a page cached for an outside visitor is served to internal addresses too, "
                "with its analytics (an address cannot be a Vary).",
                hint="Mark staff browsers with the QA cookie (analytix_qa=exclude), which "
                "caches do vary on with AnalytixCacheMiddleware, or add analytix.W304 to "
                "SILENCED_SYSTEM_CHECKS if internal visits on cached pages are acceptable.",
                id="analytix.W304",
            )
        )
    return messages
