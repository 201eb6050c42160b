"""Reads the package's settings at use time (never frozen at import).

The parsed form (one `AnalytixSettings`, request rules and consent included) is cached for
speed, since the tag runs on every page, and dropped whenever Django's `setting_changed`
fires for one of them (override_settings, pytest-django's `settings` fixture). Whatever is
built from it (per-area decisions, per-area HTML) remembers the object it came from and is
used only while `get_settings()` still returns that object. Malformed values never raise
here: they fall back to safe defaults and the system checks in `checks/` say what to fix.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from analytix_frontend.decide.privacy import PrivacySettings, read_privacy_settings
from analytix_frontend.decide.rules import conditions
from analytix_frontend.decide.services import DEFAULT_AREAS, LOG_LEVELS, SERVICES, SERVICES_BY_NAME
from analytix_frontend.decide.triggers import read_triggers, trigger_for

WATCHED_SETTINGS = frozenset({"ANALYTICS_IDS", "ANALYTICS_CONFIG", "SERVER_ENVIRONMENT"})


@dataclass(frozen=True)
class AnalytixSettings:
    valid_ids: Mapping[str, str]  # service name -> id, only ids that match the vendor's pattern
    raw_ids: Mapping[str, str]  # service name -> the id as set (blank when unset)
    debug: bool
    log_level: str
    environments: tuple[str, ...]
    server_environment: str
    areas: Mapping[str, tuple[str, ...]]
    # area -> service -> load trigger, "" the project-wide table (triggers.read_triggers)
    triggers: Mapping[str, Mapping[str, str]]
    privacy: PrivacySettings  # the request rules' and consent's settings
    django_debug: bool = False  # Django's settings.DEBUG: which files the page gets

    @property
    def analytics_environment(self) -> bool:
        return self.debug or self.server_environment in self.environments

    def trigger(self, area: str, service: str) -> str:
        """When this service starts in the browser on this area's pages."""
        return trigger_for(self.triggers, area, service)


def _as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _as_str_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def raw_id(ids: Mapping[str, Any], setting_name: str) -> str:
    value = ids.get(setting_name)
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value)


def read_areas(config: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    areas = config.get("AREAS")
    if areas is None:
        return dict(DEFAULT_AREAS)
    return {
        name: tuple(s for s in _as_str_tuple(services) if s in SERVICES_BY_NAME)
        for name, services in _as_mapping(areas).items()
        if isinstance(name, str)
    }


@functools.cache
def get_settings() -> AnalytixSettings:
    ids = _as_mapping(getattr(settings, "ANALYTICS_IDS", None))
    config = _as_mapping(getattr(settings, "ANALYTICS_CONFIG", None))
    raw_ids = {service.name: raw_id(ids, service.id_setting) for service in SERVICES}
    valid_ids = {
        service.name: raw_ids[service.name]
        for service in SERVICES
        if service.id_pattern.fullmatch(raw_ids[service.name])
    }
    log_level = config.get("LOG_LEVEL", "warning")
    if log_level not in LOG_LEVELS:
        log_level = "warning"
    environments = config.get("ENVIRONMENTS", ["production"])
    return AnalytixSettings(
        valid_ids=valid_ids,
        raw_ids=raw_ids,
        debug=config.get("DEBUG", False) is True,
        log_level=log_level,
        environments=_as_str_tuple(environments),
        server_environment=str(getattr(settings, "SERVER_ENVIRONMENT", "") or ""),
        areas=read_areas(config),
        triggers=read_triggers(config),
        privacy=read_privacy_settings(config, valid_ids),
        django_debug=bool(settings.DEBUG),
    )


@receiver(setting_changed)
def _drop_cached_settings(*, setting: str, **kwargs: Any) -> None:
    # INSTALLED_APPS: whether django-cookie-consent answers (privacy.consent.groups_cookie).
    if setting in WATCHED_SETTINGS or setting in ("DEBUG", "INSTALLED_APPS", "COOKIE_CONSENT_NAME"):
        get_settings.cache_clear()
        conditions.load_condition.cache_clear()
