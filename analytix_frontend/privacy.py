"""Request-level decisions: the visitor's privacy signals and consent, internal traffic, the
project's per-service conditions, and the identity (if any) the page may hand to vendors.

`decide_for_request(area, request)` refines the settings-level `decide_services(area)`: a
service that the settings turn on can still be turned off for this request (reason codes
below) or held back until the visitor consents in the page (`waiting=True`).
Nothing here raises into the page: malformed settings fall back to safe defaults (the system
checks in `privacy_checks.py` report them) and a failing condition turns its service off.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from analytix_frontend import consent
from analytix_frontend.decisions import ServiceDecision, decide_services
from analytix_frontend.services import SERVICES_BY_NAME

logger = logging.getLogger("analytix_frontend")

# Reason codes (alongside those in decisions.py).
CONSENT = "consent"  # waiting for the visitor's consent to the service's category
PRIVACY = "privacy"  # the browser sent Global Privacy Control
INTERNAL = "internal"  # internal traffic: an INTERNAL["IPS"] address, or the QA cookie
CONDITION = "condition"  # the project's CONDITIONS callable said no (or failed)

DEFAULT_GPC_CATEGORIES: tuple[str, ...] = ("analytics", "marketing")
DEFAULT_QA_COOKIE = "analytix_qa"
QA_INCLUDE = "include"  # QA cookie value: load analytics even from an internal address
QA_EXCLUDE = "exclude"  # QA cookie value: treat this browser as internal traffic
IdentityValue = str | int | float | bool | None
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class IdentitySettings:
    id_attribute: str  # the user attribute sent as the vendor's user id ("pk" by default)
    traits: tuple[str, ...]  # user attributes sent as traits: only those listed, ever


@dataclass(frozen=True)
class PrivacySettings:
    gpc_categories: frozenset[str]  # categories Global Privacy Control turns off
    internal_networks: tuple[Network, ...]
    ip_meta_key: str  # request.META key of the client address ("REMOTE_ADDR" unless configured)
    proxy_count: int  # trusted proxies in front of Django, when ip_meta_key is a forwarding header
    qa_cookie: str
    conditions: Mapping[str, str]  # service name -> dotted path to a (request) -> bool callable
    identity: IdentitySettings | None  # None: no identity ever reaches the page
    consent_required: bool  # consent.consent_required(), read once per settings (hot path)


def _config() -> Mapping[str, Any]:
    config = getattr(settings, "ANALYTICS_CONFIG", None)
    return config if isinstance(config, Mapping) else {}


def read_gpc_categories(value: Any) -> frozenset[str]:
    if value is False:
        return frozenset()
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(c for c in value if c in consent.CATEGORIES)
    return frozenset(DEFAULT_GPC_CATEGORIES)


def parse_network(value: Any) -> Network | None:
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def header_meta_key(header: Any) -> str:
    """The request.META key of a header name: "X-Forwarded-For" -> "HTTP_X_FORWARDED_FOR"."""
    if not isinstance(header, str) or not header.strip():
        return "REMOTE_ADDR"
    key = header.strip().upper().replace("-", "_")
    if key == "REMOTE_ADDR" or key.startswith("HTTP_"):
        return key
    return "HTTP_" + key


def read_identity(value: Any) -> IdentitySettings | None:
    if value is True:
        return IdentitySettings("pk", ())
    if not isinstance(value, Mapping):
        return None
    id_attribute = value.get("ID_ATTRIBUTE", "pk")
    traits = value.get("TRAITS", ())
    return IdentitySettings(
        id_attribute if is_sendable_attribute(id_attribute) else "pk",
        tuple(t for t in traits if is_sendable_attribute(t))
        if isinstance(traits, (list, tuple))
        else (),
    )


def is_sendable_attribute(name: Any) -> bool:
    """A user attribute the identity may name (its id or a trait): never the password hash
    or a private attribute."""
    return isinstance(name, str) and name.isidentifier() and name != "password" and name[0] != "_"


@functools.cache
def get_privacy_settings() -> PrivacySettings:
    config = _config()
    internal = config.get("INTERNAL")
    internal = internal if isinstance(internal, Mapping) else {}
    ips = internal.get("IPS", ())
    networks = tuple(
        n for n in (parse_network(v) for v in (ips if isinstance(ips, (list, tuple)) else ())) if n
    )
    proxy_count = internal.get("PROXY_COUNT", 1)
    qa_cookie = internal.get("QA_COOKIE", DEFAULT_QA_COOKIE)
    conditions = config.get("CONDITIONS")
    return PrivacySettings(
        gpc_categories=read_gpc_categories(config.get("GPC", True)),
        internal_networks=networks,
        ip_meta_key=header_meta_key(internal.get("IP_HEADER")),
        proxy_count=proxy_count if isinstance(proxy_count, int) and proxy_count >= 1 else 1,
        qa_cookie=qa_cookie if isinstance(qa_cookie, str) and qa_cookie else DEFAULT_QA_COOKIE,
        conditions={
            name: path
            for name, path in (conditions.items() if isinstance(conditions, Mapping) else ())
            if name in SERVICES_BY_NAME and isinstance(path, str)
        },
        identity=read_identity(config.get("IDENTITY", False)),
        consent_required=consent.consent_required(),
    )


@receiver(setting_changed)
def _drop_cached_settings(*, setting: str, **kwargs: Any) -> None:
    if setting == "ANALYTICS_CONFIG":
        get_privacy_settings.cache_clear()
        load_condition.cache_clear()


# --- signals from the request ---------------------------------------------------------------


def _meta(request: Any) -> Mapping[str, Any]:
    meta = getattr(request, "META", None)
    return meta if isinstance(meta, Mapping) else {}


def sends_gpc(request: Any) -> bool:
    """The browser asks not to be tracked: `Sec-GPC: 1` (the only valid value)."""
    value = _meta(request).get("HTTP_SEC_GPC")
    return isinstance(value, str) and value.strip() == "1"


def client_address(request: Any, config: PrivacySettings | None = None) -> Address | None:
    """The visitor's address. A forwarding header is read only when configured, and then the
    entry `PROXY_COUNT` places from the right: the one our own outermost proxy appended. The
    entries left of it are whatever the client sent, so they are never trusted."""
    config = config or get_privacy_settings()
    meta = _meta(request)
    raw = meta.get(config.ip_meta_key)
    if config.ip_meta_key != "REMOTE_ADDR":
        if not isinstance(raw, str) or not raw.strip():
            raw = meta.get("REMOTE_ADDR")  # not through the proxy (e.g. a health check)
        else:
            entries = [entry.strip() for entry in raw.split(",")]
            raw = entries[-config.proxy_count] if len(entries) >= config.proxy_count else None
    if not isinstance(raw, str):
        return None
    try:
        return ipaddress.ip_address(raw.strip())
    except ValueError:
        return None


def is_internal(request: Any, config: PrivacySettings | None = None) -> bool:
    config = config or get_privacy_settings()
    cookies = getattr(request, "COOKIES", None) or {}
    qa = cookies.get(config.qa_cookie) if isinstance(cookies, Mapping) else None
    if qa == QA_INCLUDE:
        return False
    if qa == QA_EXCLUDE:
        return True
    if not config.internal_networks:
        return False  # nothing to match: skip parsing the address (the tag's hot path)
    address = client_address(request, config)
    if address is None:
        return False
    return any(address.version == n.version and address in n for n in config.internal_networks)


@functools.cache
def load_condition(path: str) -> Callable[[Any], Any]:
    return import_string(path)  # type: ignore[no-any-return]


def condition_allows(service_name: str, path: str, request: Any) -> tuple[bool, bool]:
    """(allowed, failed): the project's condition for one service, never raising."""
    try:
        return bool(load_condition(path)(request)), False
    except Exception:
        logger.warning(
            "analytix: the condition %r for %s raised; %s stays off for this request",
            path,
            service_name,
            service_name,
            exc_info=True,
        )
        return False, True


# --- the decisions -------------------------------------------------------------------------


def _refine(
    decision: ServiceDecision,
    request: Any,
    config: PrivacySettings,
    internal: bool,
    gpc: bool,
    granted: frozenset[str] | None,
) -> ServiceDecision:
    service = decision.service
    if internal:
        return dataclasses.replace(
            decision,
            enabled=False,
            reason=INTERNAL,
            detail="internal traffic: the address is in ANALYTICS_CONFIG['INTERNAL']['IPS'] "
            "or the QA cookie says exclude",
        )
    if gpc and service.category in config.gpc_categories:
        return dataclasses.replace(
            decision,
            enabled=False,
            reason=PRIVACY,
            detail="the browser sent Global Privacy Control (Sec-GPC: 1), which turns off "
            f"{service.category} services (ANALYTICS_CONFIG['GPC'])",
        )
    path = config.conditions.get(service.name)
    if path is not None:
        allowed, failed = (
            condition_allows(service.name, path, request) if request is not None else (False, False)
        )
        if not allowed:
            return dataclasses.replace(
                decision,
                enabled=False,
                reason=CONDITION,
                detail="its condition in ANALYTICS_CONFIG['CONDITIONS'] "
                + ("failed; see the server log" if failed else "said no for this request"),
            )
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
    internal = request is not None and is_internal(request, config)
    gpc = request is not None and sends_gpc(request)
    granted = consent.consented_categories(request) if config.consent_required else None
    if not (internal or gpc or config.conditions or granted is not None):
        return decisions  # no rule applies to this request (the tag's hot path)
    refined = [
        _refine(d, request, config, internal, gpc, granted) if d.enabled else d for d in decisions
    ]
    if all(new is old for new, old in zip(refined, decisions, strict=True)):
        return decisions
    return refined


# --- what the page learns ------------------------------------------------------------------


def _identity_value(value: Any) -> IdentityValue:
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN and Infinity are not JSON: the browser would drop the whole block
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _user_attribute(user: Any, name: str) -> IdentityValue:
    """One attribute of the user for the page; None when it is missing or raises (a property
    of the project's user model must not turn the page into a 500)."""
    try:
        return _identity_value(getattr(user, name, None))
    except Exception:
        logger.warning("analytix: reading user.%s for the identity raised", name, exc_info=True)
        return None


def identity_for(request: Any, config: PrivacySettings | None = None) -> dict[str, Any] | None:
    """`{"id", "traits"}` for a signed-in user, only when the project opted in with
    `ANALYTICS_CONFIG["IDENTITY"]`; traits hold only the attributes listed in "TRAITS"."""
    config = config or get_privacy_settings()
    if config.identity is None or request is None:
        return None
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    user_id = _user_attribute(user, config.identity.id_attribute)
    if user_id is None or user_id == "":
        return None
    traits = {name: _user_attribute(user, name) for name in config.identity.traits}
    return {"id": str(user_id), "traits": traits}


def page_privacy_config(request: Any, decisions: Iterable[ServiceDecision]) -> dict[str, Any]:
    """The privacy part of the page's JSON config: what the browser needs to honour consent
    and GPC itself, and the opted-in identity when some service may run."""
    config = get_privacy_settings()
    data: dict[str, Any] = {"gpc": sorted(config.gpc_categories)}
    consent_part = consent.page_consent_config(request)  # None: consent.js treats it as off
    if consent_part is not None:
        data["consent"] = consent_part
    if any(d.enabled or d.waiting for d in decisions):
        identity = identity_for(request, config)
        if identity is not None:
            data["identity"] = identity
    return data


def privacy_config_varies_by_request() -> bool:
    """Whether page_privacy_config depends on the request (consent state, identity); when it
    does not, the rendering caches it with the rest of the page config."""
    config = get_privacy_settings()
    return config.consent_required or config.identity is not None
