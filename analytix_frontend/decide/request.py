"""One decision per request: what the request rules say, made once and read by everyone.

`decide_request(request)` composes the request rules (`rules/`: CMS previews, internal
traffic, Global Privacy Control, per-service conditions, identity) with the visitor's consent,
once per request, and keeps the answer on the request. The template tag (however many times
it renders), the debug-toolbar panel, `manage.py analytix_report` (for a request it builds)
and the server-side calls (`server/gate.py`) all read that one object, so they can never
disagree about a visitor, and no rule (no project condition, no consent lookup) runs twice.

`RequestDecision.services(area)` refines the settings' decisions for an area
(`decisions.area_decisions`): a service the settings turn on can still be off for this
request (a rule's reason code) or held back until the visitor consents in the page
(`waiting`). Nothing here raises into the page: a failing condition turns its service off.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from analytix_frontend.decide import consent, consent_mode
from analytix_frontend.decide.decisions import ServiceDecision, area_decisions
from analytix_frontend.decide.privacy import PrivacySettings
from analytix_frontend.decide.rules import (
    Off,
    conditions,
    gpc,
    identity,
    internal,
    previews,
    request_meta,
)
from analytix_frontend.decide.settings import AnalytixSettings, get_settings

CONSENT = "consent"  # reason code: waiting for the visitor's consent to the service's category
ATTRIBUTE = "_analytix_decision"  # the request attribute that keeps it


class RequestDecision:
    """The request rules' answers for one request (or for no request: `request` None)."""

    __slots__ = (
        "_by_area",
        "_conditions",
        "_identity",
        "_region",
        "consent",
        "offs",
        "request",
        "settings",
    )

    def __init__(self, config: AnalytixSettings, request: Any) -> None:
        privacy = config.privacy
        self.settings = config
        self.request = request
        # Request-wide rules, first rule first: previews, internal, GPC. None without a request.
        self.offs: tuple[Off, ...] = _request_rules(privacy, request) if request is not None else ()
        # The visitor's consent; None when the project does not require consent.
        self.consent: consent.ConsentAnswer | None = (
            consent.read_answer(privacy.consent, request) if privacy.consent.required else None
        )
        self._by_area: dict[str, tuple[ServiceDecision, ...]] = {}
        self._conditions: dict[str, Off | None] | None = None  # service -> its condition's answer
        self._identity: tuple[dict[str, Any] | None] | None = None
        self._region: tuple[str | None] | None = None

    @property
    def privacy(self) -> PrivacySettings:
        return self.settings.privacy

    @property
    def sends_gpc(self) -> bool:
        return self.request is not None and gpc.sends_gpc(self.request)

    def services(self, area: str) -> tuple[ServiceDecision, ...]:
        """One decision per known service on this area's pages, for this request. The
        settings' own tuple when no rule changes anything (callers may cache by identity)."""
        found = self._by_area.get(area)
        if found is None:
            found = self._refine(area_decisions(area, self.settings))
            self._by_area[area] = found
        return found

    def _refine(self, base: tuple[ServiceDecision, ...]) -> tuple[ServiceDecision, ...]:
        privacy = self.privacy
        if not (self.offs or privacy.conditions or self.consent is not None):
            return base  # no rule applies to this request (the tag's hot path)
        refined = tuple(self._refine_one(d) if d.enabled else d for d in base)
        return base if all(n is o for n, o in zip(refined, base, strict=True)) else refined

    def _refine_one(self, decision: ServiceDecision) -> ServiceDecision:
        service = decision.service
        off = self.rule_off(service.name, service.category)
        if off is not None:
            return dataclasses.replace(
                decision, enabled=False, reason=off.reason, detail=off.detail
            )
        if self.consent is not None and service.category not in self.consent.granted:
            return dataclasses.replace(
                decision,
                enabled=False,
                waiting=True,
                reason=CONSENT,
                detail=f"no consent to {service.category!r} yet; "
                f"window.analytix.consent.grant([{service.category!r}]) starts it",
            )
        return decision

    def rule_off(self, service_name: str, category: str) -> Off | None:
        """The first rule that turns this service off for this request, or None: a
        request-wide rule for its category, else its project condition (asked once)."""
        for off in self.offs:
            if off.categories is None or category in off.categories:
                return off
        if service_name not in self.privacy.conditions:
            return None
        if self._conditions is None:
            self._conditions = {}
        if service_name not in self._conditions:
            self._conditions[service_name] = conditions.decide(
                self.privacy.conditions, self.request, service_name
            )
        return self._conditions[service_name]

    def gpc_refuses(self, category: str) -> bool:
        """The visitor sent Global Privacy Control, which turns `category` off."""
        return category in self.privacy.gpc_categories and self.sends_gpc

    def consents_to(self, category: str) -> bool:
        """Consent is not required, or this request carries consent for `category`."""
        if self.consent is None:
            return True
        return self.request is not None and category in self.consent.granted

    def region(self) -> str | None:
        """The visitor's region for Google Consent Mode ("DE", "US-CA"), from the configured
        request header or callable (never an address lookup of ours), asked once."""
        if self._region is None:
            google = self.privacy.consent.google
            found = None
            if self.request is not None and google.reads_region:
                meta = request_meta(self.request)
                found = consent_mode.request_region(google, self.request, meta)
            self._region = (found,)
        return self._region[0]

    def google_defaults(self) -> dict[str, str]:
        """Consent Mode's four signals before the visitor's choice, for their region (the
        EEA, the UK and Switzerland: all denied). Global Privacy Control that turns
        "marketing" off denies the three ad signals whatever the region's row says (CPRA: an
        opt-out of sale and sharing)."""
        defaults = consent_mode.region_defaults(self.privacy.consent.google, self.region())
        if self.gpc_refuses("marketing"):
            defaults.update(dict.fromkeys(consent_mode.AD_SIGNALS, consent_mode.DENIED))
        return defaults

    def identity(self) -> dict[str, Any] | None:
        """The signed-in user's identity as the page may carry it (opt-in), read once."""
        if self._identity is None:
            self._identity = (identity.identity_for(self.privacy.identity, self.request),)
        return self._identity[0]


def _request_rules(privacy: PrivacySettings, request: Any) -> tuple[Off, ...]:
    answers = (
        previews.decide(privacy.exclude_previews, request),
        internal.decide(privacy.internal, request),
        gpc.decide(privacy.gpc_categories, request),
    )
    return tuple(filter(None, answers))  # the rules that said "off"


def recorded_decision(request: Any) -> RequestDecision | None:
    """The decision already made for this request, if any (for readers that come after the
    page, such as the debug-toolbar panel: they must never decide again)."""
    found = getattr(request, ATTRIBUTE, None)
    return found if isinstance(found, RequestDecision) else None


def decide_request(request: Any) -> RequestDecision:
    """This request's decision, made on first use and kept on the request (a new one if the
    settings changed since). Without a request, a decision for a visitor who sends nothing
    is made each time."""
    config = get_settings()
    if request is None:
        return RequestDecision(config, None)
    found = getattr(request, ATTRIBUTE, None)
    if isinstance(found, RequestDecision) and found.settings is config:
        return found
    decision = RequestDecision(config, request)
    try:
        setattr(request, ATTRIBUTE, decision)
    except AttributeError:  # an object that takes no attributes: decided again next time
        pass
    return decision
