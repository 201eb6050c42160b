"""Request-level decisions: composes the request rules in `rules/` (CMS previews, internal
traffic, Global Privacy Control, per-service conditions, identity) with consent.

`decide_for_request(area, request)` refines the settings-level `decide_services(area)`: a
service that the settings turn on can still be turned off for this request (reason codes in
each rule module) or held back until the visitor consents in the page (`waiting=True`).
Nothing here raises into the page: malformed settings fall back to safe defaults (the system
checks in `privacy_checks.py` report them) and a failing condition turns its service off.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from analytix_frontend.decide import consent
from analytix_frontend.decide.decisions import ServiceDecision, decide_services
from analytix_frontend.decide.rules import Off, conditions, gpc, identity, internal, previews
from analytix_frontend.decide.rules.conditions import CONDITION
from analytix_frontend.decide.rules.gpc import PRIVACY, sends_gpc
from analytix_frontend.decide.rules.internal import INTERNAL
from analytix_frontend.decide.rules.previews import PREVIEW

__all__ = [  # the reason codes of the request rules, and what other modules use
    "CONDITION",
    "CONSENT",
    "INTERNAL",
    "PREVIEW",
    "PRIVACY",
    "PrivacySettings",
    "decide_for_request",
    "get_privacy_settings",
    "page_privacy_config",
    "privacy_config_varies_by_request",
    "sends_gpc",  # used by the server module: the same GPC rule as the page
]

CONSENT = "consent"  # reason code: waiting for the visitor's consent to the service's category


@dataclass(frozen=True)
class PrivacySettings:
    exclude_previews: bool  # EXCLUDE_PREVIEWS: a CMS preview (request.is_preview) gets nothing
    gpc_categories: frozenset[str]  # categories Global Privacy Control turns off
    internal: internal.InternalSettings
    conditions: Mapping[str, str]  # service name -> dotted path to a (request) -> bool callable
    identity: identity.IdentitySettings | None  # None: no identity ever reaches the page
    consent_required: bool  # consent.consent_required(), read once per settings (hot path)


@functools.cache
def get_privacy_settings() -> PrivacySettings:
    config = getattr(settings, "ANALYTICS_CONFIG", None)
    config = config if isinstance(config, Mapping) else {}
    return PrivacySettings(
        exclude_previews=previews.read_settings(config),
        gpc_categories=gpc.read_settings(config.get("GPC", True)),
        internal=internal.read_settings(config.get("INTERNAL")),
        conditions=conditions.read_settings(config.get("CONDITIONS")),
        identity=identity.read_settings(config.get("IDENTITY", False)),
        consent_required=consent.consent_required(),
    )


@receiver(setting_changed)
def _drop_cached_settings(*, setting: str, **kwargs: Any) -> None:
    if setting == "ANALYTICS_CONFIG":
        get_privacy_settings.cache_clear()
        conditions.load_condition.cache_clear()


def request_rules(config: PrivacySettings, request: Any) -> list[Off]:
    """What the request-wide rules say, first rule first: previews, internal, GPC."""
    if request is None:
        return []
    answers = (
        previews.decide(config.exclude_previews, request),
        internal.decide(config.internal, request),
        gpc.decide(config.gpc_categories, request),
    )
    return [answer for answer in answers if answer is not None]


def _off(decision: ServiceDecision, off: Off) -> ServiceDecision:
    return dataclasses.replace(decision, enabled=False, reason=off.reason, detail=off.detail)


def _refine(
    decision: ServiceDecision,
    request: Any,
    config: PrivacySettings,
    offs: Sequence[Off],
    granted: frozenset[str] | None,
) -> ServiceDecision:
    service = decision.service
    for off in offs:
        if off.categories is None or service.category in off.categories:
            return _off(decision, off)
    condition = conditions.decide(config.conditions, request, service.name)
    if condition is not None:
        return _off(decision, condition)
    if granted is not None and service.category not in granted:
        return dataclasses.replace(
            decision,
            enabled=False,
            waiting=True,
            reason=CONSENT,
            detail=f"no consent to {service.category!r} yet; "
            f"window.analytix.consent.grant([{service.category!r}]) starts it",
        )
    return decision


def decide_for_request(
    area: str, request: Any = None, base: Sequence[ServiceDecision] | None = None
) -> Sequence[ServiceDecision]:
    """One decision per known service: the settings' answer (`base`, when the caller has it
    already), refined for this request. Returns `base` itself when no rule changed anything,
    so callers can cache what they build from it."""
    decisions = base if base is not None else decide_services(area)
    if not any(d.enabled for d in decisions):
        return decisions
    config = get_privacy_settings()
    offs = request_rules(config, request)
    granted = consent.consented_categories(request) if config.consent_required else None
    if not (offs or config.conditions or granted is not None):
        return decisions  # no rule applies to this request (the tag's hot path)
    refined = [_refine(d, request, config, offs, granted) if d.enabled else d for d in decisions]
    if all(new is old for new, old in zip(refined, decisions, strict=True)):
        return decisions
    return refined


# --- what the page learns ------------------------------------------------------------------


def page_privacy_config(request: Any, decisions: Iterable[ServiceDecision]) -> dict[str, Any]:
    """The privacy part of the page's JSON config: what the browser needs to honour consent
    and GPC itself, and the opted-in identity when some service may run."""
    config = get_privacy_settings()
    data: dict[str, Any] = {}
    if config.gpc_categories != frozenset(gpc.DEFAULT_CATEGORIES):  # else config.js's default
        data["gpc"] = sorted(config.gpc_categories)
    consent_part = consent.page_consent_config(request)  # None: consent.js treats it as off
    if consent_part is not None:
        data["consent"] = consent_part
    if any(d.enabled or d.waiting for d in decisions):
        user_identity = identity.identity_for(config.identity, request)
        if user_identity is not None:
            data["identity"] = user_identity
    return data


def privacy_config_varies_by_request() -> bool:
    """Whether page_privacy_config depends on the request (consent state, identity); when it
    does not, the rendering caches it with the rest of the page config."""
    config = get_privacy_settings()
    return config.consent_required or config.identity is not None
