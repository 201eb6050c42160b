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

from analytix_frontend.decisions import ServiceDecision
from analytix_frontend.privacy import CONDITION, CONSENT, INTERNAL, PRIVACY, get_privacy_settings

REQUEST_ATTRIBUTE = "_analytix_cache"  # the request's CacheMark
DJANGO_UPDATE_FLAG = "_cache_update_cache"  # Django's cache middleware stores only when true
CSP_HEADER = "Content-Security-Policy"

# CacheMark.private: why a page is per-visitor.
IDENTITY = "identity"  # the signed-in user's identity was written
CONSENT_STATE = "consent"  # the visitor's consent answer differs from "not decided yet"
NONCE = "nonce"  # the response's Content-Security-Policy uses the nonce written in the page
# and the decisions' reason codes PRIVACY ("privacy"), INTERNAL ("internal"), CONDITION.


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


def _read_headers(decisions: Sequence[ServiceDecision]) -> set[str]:
    """The request headers the request rules read for these decisions: what a cache must
    vary on. Nothing when no service runs (the rules then read nothing)."""
    if not any(
        d.enabled or d.waiting or d.reason in (PRIVACY, INTERNAL, CONDITION) for d in decisions
    ):
        return set()
    config = get_privacy_settings()
    analytix_config = getattr(settings, "ANALYTICS_CONFIG", None)
    internal = analytix_config.get("INTERNAL") if isinstance(analytix_config, Mapping) else None
    headers = {"Sec-GPC"} if config.gpc_categories else set()
    # The consent cookie, the session behind the identity, the QA cookie of INTERNAL.
    if config.consent_required or config.identity is not None or internal:
        headers.add("Cookie")
    return headers


def _private_reasons(
    decisions: Sequence[ServiceDecision], privacy: Mapping[str, Any] | None
) -> set[str]:
    """Why this output differs from the page of a visitor who sends nothing."""
    conditions = get_privacy_settings().conditions
    reasons = {d.reason for d in decisions if d.reason in (PRIVACY, INTERNAL, CONDITION)}
    # A condition that said yes still read the request: another visitor may get a no.
    if any(d.service.name in conditions and (d.enabled or d.reason == CONSENT) for d in decisions):
        reasons.add(CONDITION)
    if privacy is not None:
        if IDENTITY in privacy:
            reasons.add(IDENTITY)
        state = privacy.get("consent")
        if isinstance(state, Mapping) and (state.get("granted") or state.get("decided")):
            reasons.add(CONSENT_STATE)
    return reasons


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
    mark = _mark_for(request)
    if mark is None:
        return
    mark.private |= _private_reasons(decisions, privacy)
    mark.vary |= _read_headers(decisions)
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
