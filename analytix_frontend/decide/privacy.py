"""The settings of the request rules (`rules/`) and of consent, read together once per
settings object (`decide.settings` holds them as `AnalytixSettings.privacy`).

Malformed values never raise here: they fall back to safe defaults, and the system checks in
`checks/privacy.py` report them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from analytix_frontend.decide import consent
from analytix_frontend.decide.rules import conditions, gpc, identity, internal, previews


@dataclass(frozen=True)
class PrivacySettings:
    exclude_previews: bool  # EXCLUDE_PREVIEWS: a CMS preview (request.is_preview) gets nothing
    gpc_categories: frozenset[str]  # categories Global Privacy Control turns off
    internal: internal.InternalSettings
    conditions: Mapping[str, str]  # service name -> dotted path to a (request) -> bool callable
    identity: identity.IdentitySettings | None  # None: no identity ever reaches the page
    consent: consent.ConsentSettings
    # Request headers the rules read whenever a service may run (a cache keeps one copy per
    # answer: page/caching.py's Vary).
    vary: frozenset[str] = frozenset()

    # Whether the page's privacy part depends on the request (the visitor's consent, the
    # signed-in user): when it does not, the page config is the same for everyone.
    varies_by_request: bool = False

    @property
    def consent_required(self) -> bool:
        return self.consent.required


def read_privacy_settings(
    config: Mapping[str, Any], service_names: Collection[str] = ()
) -> PrivacySettings:
    """`service_names`: the services with a valid id (consent tags their set)."""
    gpc_categories = gpc.read_settings(config.get("GPC", True))
    consent_settings = consent.read_settings(config.get("CONSENT", False), service_names)
    identity_settings = identity.read_settings(config.get("IDENTITY", False))
    vary = {"Sec-GPC"} if gpc_categories else set()
    # The consent cookie, the session behind the identity, the QA cookie of INTERNAL.
    if consent_settings.required or identity_settings is not None or config.get("INTERNAL"):
        vary.add("Cookie")
    # Consent Mode's defaults follow the visitor's region (consent_mode.py).
    google = consent_settings.google
    sends_google = consent_settings.required or consent_settings.google_set
    region_varies = google.reads_region and sends_google
    if region_varies and google.region_header_name:
        vary.add(google.region_header_name)
    return PrivacySettings(
        exclude_previews=previews.read_settings(config),
        gpc_categories=gpc_categories,
        internal=internal.read_settings(config.get("INTERNAL")),
        conditions=conditions.read_settings(config.get("CONDITIONS")),
        identity=identity_settings,
        consent=consent_settings,
        vary=frozenset(vary),
        varies_by_request=consent_settings.required
        or identity_settings is not None
        or region_varies,
    )
