"""What the tag's output depended on, so that no cache hands one visitor's page to another.

The tag (`render_analytics_scripts`) calls `note_output` for each render: it records on the
request what the page it wrote depends on.

- **Per-visitor** (`CacheMark.private` not empty): the page holds something a visitor who sends
  nothing would not get: the signed-in user's identity, a consent cookie's answer, a decision
  that Global Privacy Control, internal traffic or a project condition changed (a condition
  reads anything, so any page where one ran counts), or a CSP nonce that the response's policy
  uses (`protect_response`). Django's own cache (`CacheMiddleware`, `@cache_page`) never
  stores such a response: the tag sets `request._cache_update_cache = False`, which both
  consult before storing, wherever they sit. `AnalytixCacheMiddleware` also marks it
  `Cache-Control: private` for caches further down (CDN, proxy).
- **The default page** (nothing per-visitor) may be shared: the browser checks the visitor's
  own consent cookie and `navigator.globalPrivacyControl` again before starting anything.
  `AnalytixCacheMiddleware` still adds `Vary` for the request headers the rules read
  (`CacheMark.vary`), so a cache keeps one copy per answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers

from analytix_frontend.decide.decisions import ServiceDecision
from analytix_frontend.decide.privacy import (
    CONDITION,
    INTERNAL,
    PREVIEW,
    PRIVACY,
    PrivacySettings,
    get_privacy_settings,
)

REQUEST_ATTRIBUTE = "_analytix_cache"  # the request's CacheMark
DJANGO_UPDATE_FLAG = "_cache_update_cache"  # Django's cache middleware stores only when true
CSP_HEADER = "Content-Security-Policy"

# CacheMark.private: why a page is per-visitor.
IDENTITY = "identity"  # the signed-in user's identity was written
CONSENT_STATE = "consent"  # the visitor's consent answer differs from "not decided yet"
NONCE = "nonce"  # the response's Content-Security-Policy uses the nonce written in the page
# and the decisions' reason codes a request rule gives:
REQUEST_REASONS = frozenset({PRIVACY, INTERNAL, CONDITION, PREVIEW})


@dataclass
class CacheMark:
    """What this request's page depends on (all renders of the tag on it, together)."""

    private: set[str] = field(default_factory=set)  # why it is per-visitor (empty: shareable)
    vary: set[str] = field(default_factory=set)  # request headers the rules read
    nonces: set[str] = field(default_factory=set)  # CSP nonces written in the page


def cache_mark(request: Any) -> CacheMark | None:
    """The request's mark, or None when the tag did not render for it."""
    mark = getattr(request, REQUEST_ATTRIBUTE, None)
    return mark if isinstance(mark, CacheMark) else None


def _mark_for(request: Any) -> CacheMark | None:
    mark = cache_mark(request)
    if mark is None:
        mark = CacheMark()
        try:
            setattr(request, REQUEST_ATTRIBUTE, mark)
        except AttributeError:  # an object that takes no attributes: nothing to protect
            return None
    return mark


@dataclass(frozen=True)
class _Rules:
    """What the request rules read, for one PrivacySettings object (the tag's hot path)."""

    privacy: PrivacySettings
    vary: frozenset[str]  # request headers the rules read whenever a service may run
    conditions: frozenset[str]  # services with a CONDITIONS function


_rules_cache: list[_Rules] = []


def _rules() -> _Rules:
    privacy = get_privacy_settings()
    if _rules_cache and _rules_cache[0].privacy is privacy:
        return _rules_cache[0]
    analytix_config = getattr(settings, "ANALYTICS_CONFIG", None)
    internal = analytix_config.get("INTERNAL") if isinstance(analytix_config, Mapping) else None
    vary = {"Sec-GPC"} if privacy.gpc_categories else set()
    # The consent cookie, the session behind the identity, the QA cookie of INTERNAL.
    if privacy.consent_required or privacy.identity is not None or internal:
        vary.add("Cookie")
    rules = _Rules(privacy, frozenset(vary), frozenset(privacy.conditions))
    _rules_cache[:] = [rules]
    return rules


def note_output(
    request: Any,
    decisions: Sequence[ServiceDecision],
    privacy: Mapping[str, Any] | None,
    nonce: str | None,
) -> None:
    """Record what one render of the tag wrote for `request` (`privacy`: the per-request
    privacy part of its config, None when it is the same for every request)."""
    if request is None:
        return
    rules = _rules()
    private: set[str] = set()  # why this page differs from that of a visitor who sends nothing
    rules_ran = False  # no service may run: the rules read nothing
    for decision in decisions:
        if decision.reason in REQUEST_REASONS:
            private.add(decision.reason)
            rules_ran = True
        elif decision.enabled or decision.waiting:
            rules_ran = True
            # A condition that said yes still read the request: the next visitor may get a no.
            if decision.service.name in rules.conditions:
                private.add(CONDITION)
    if privacy is not None:
        if IDENTITY in privacy:
            private.add(IDENTITY)
        state = privacy.get("consent")
        if isinstance(state, Mapping) and (state.get("granted") or state.get("decided")):
            private.add(CONSENT_STATE)
    if not (rules_ran or nonce):
        return
    mark = _mark_for(request)
    if mark is None:
        return
    mark.private |= private
    if rules_ran:
        mark.vary |= rules.vary
    if nonce:
        mark.nonces.add(nonce)
    if mark.private:
        _keep_out_of_djangos_cache(request)


def _keep_out_of_djangos_cache(request: Any) -> None:
    try:
        setattr(request, DJANGO_UPDATE_FLAG, False)
    except AttributeError:
        pass


def _policy_uses_nonce(response: HttpResponseBase, nonces: set[str]) -> bool:
    policy = response.get(CSP_HEADER, "")
    return any(f"'nonce-{nonce}'" in policy for nonce in nonces)


def protect_response(request: Any, response: HttpResponseBase) -> HttpResponseBase:
    """Cache headers for what the tag wrote: `Vary` for the headers its rules read, and
    `Cache-Control: private` for a per-visitor page."""
    mark = cache_mark(request)
    if mark is None:
        return response
    if mark.nonces and _policy_uses_nonce(response, mark.nonces):
        mark.private.add(NONCE)  # a cached nonce is one every visitor (and attacker) knows
    if mark.vary:
        patch_vary_headers(response, sorted(mark.vary))
    if mark.private:
        patch_cache_control(response, private=True)  # Django's cache stores no private page
    return response
