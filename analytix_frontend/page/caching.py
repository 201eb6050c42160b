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
from typing import Any, NamedTuple

from django.http import HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers

from analytix_frontend.decide.decisions import ServiceDecision
from analytix_frontend.decide.privacy import PrivacySettings
from analytix_frontend.decide.rules.conditions import CONDITION
from analytix_frontend.decide.rules.gpc import PRIVACY
from analytix_frontend.decide.rules.internal import INTERNAL
from analytix_frontend.decide.rules.previews import PREVIEW
from analytix_frontend.page.state import PageState, page_state

DJANGO_UPDATE_FLAG = "_cache_update_cache"  # Django's cache middleware stores only when true
CSP_HEADER = "Content-Security-Policy"

# CacheMark.private: why a page is per-visitor.
IDENTITY = "identity"  # the signed-in user's identity was written
CONSENT_STATE = "consent"  # the visitor's consent answer differs from "not decided yet"
NONCE = "nonce"  # the response's Content-Security-Policy uses the nonce written in the page
REGION = "region"  # Consent Mode defaults from the site's REGION callable (no header to Vary)
# and the decisions' reason codes a request rule gives:
REQUEST_REASONS = frozenset({PRIVACY, INTERNAL, CONDITION, PREVIEW})


def cache_mark(request: Any) -> PageState | None:
    """The request's page state (its cache part: `private`, `vary`, `nonces`), or None when
    the tag did not render for it."""
    return page_state(request)


class Dependence(NamedTuple):
    """What a render's decisions say about the page, the same for equal decisions (the
    rendering keeps it with the area's cached output)."""

    private: frozenset[str]  # why this page differs from that of a visitor who sends nothing
    rules_ran: bool  # some service may run, so the request rules read the request


def decisions_dependence(
    decisions: Sequence[ServiceDecision], rules: PrivacySettings
) -> Dependence:
    private: set[str] = set()
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
    return Dependence(frozenset(private), rules_ran)


def note_output(
    mark: PageState,
    request: Any,
    depends: Dependence,
    privacy: Mapping[str, Any] | None,
    nonce: str | None,
    rules: PrivacySettings,
) -> None:
    """Record what one render of the tag wrote for `request` (`privacy`: the per-request
    privacy part of its config, None when it is the same for every request)."""
    private = depends.private
    if privacy is not None:
        private = private | _privacy_dependence(privacy, rules)
    if not private <= mark.private:
        mark.private = mark.private | private
    if depends.rules_ran and not rules.vary <= mark.vary:
        mark.vary = mark.vary | rules.vary
    if nonce and nonce not in mark.nonces:
        mark.nonces = mark.nonces | {nonce}
    if mark.private:
        _keep_out_of_djangos_cache(request)


def _privacy_dependence(privacy: Mapping[str, Any], rules: PrivacySettings) -> frozenset[str]:
    """Why the per-request privacy part makes the page per-visitor."""
    private = set()
    if IDENTITY in privacy:
        private.add(IDENTITY)
    state = privacy.get("consent")
    if isinstance(state, Mapping):
        if state.get("granted") or state.get("decided") or state.get("id"):
            private.add(CONSENT_STATE)
        if state.get("google") is not None and rules.consent.google.region_callable:
            private.add(REGION)
    return frozenset(private)


def _keep_out_of_djangos_cache(request: Any) -> None:
    try:
        setattr(request, DJANGO_UPDATE_FLAG, False)
    except AttributeError:
        pass


def _policy_uses_nonce(response: HttpResponseBase, nonces: frozenset[str]) -> bool:
    policy = response.get(CSP_HEADER, "")
    return any(f"'nonce-{nonce}'" in policy for nonce in nonces)


def protect_response(request: Any, response: HttpResponseBase) -> HttpResponseBase:
    """Cache headers for what the tag wrote: `Vary` for the headers its rules read, and
    `Cache-Control: private` for a per-visitor page."""
    mark = cache_mark(request)
    if mark is None:
        return response
    if mark.nonces and _policy_uses_nonce(response, mark.nonces):
        mark.private = mark.private | {NONCE}  # a cached nonce every visitor (and attacker) knows
    if mark.vary:
        patch_vary_headers(response, sorted(mark.vary))
    if mark.private:
        patch_cache_control(response, private=True)  # Django's cache stores no private page
    return response
