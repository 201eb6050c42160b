"""System checks: every mistake in the settings is reported by `manage.py check`, not a 500.

Ids are stable; each message says what is wrong and the hint says how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from analytix_frontend.conf import raw_id
from analytix_frontend.services import LOG_LEVELS, SERVICES, SERVICES_BY_NAME

CONFIG_KEYS = frozenset(
    {"DEBUG", "LOG_LEVEL", "ENVIRONMENTS", "AREAS", "SERVER"}
    | {"CONSENT", "GPC", "INTERNAL", "CONDITIONS", "IDENTITY"}  # privacy_checks.py
)


def _ids_and_config() -> tuple[Any, Any]:
    return getattr(settings, "ANALYTICS_IDS", {}), getattr(settings, "ANALYTICS_CONFIG", {})


@register(Tags.compatibility)
def check_ids(**kwargs: Any) -> list[CheckMessage]:
    ids, _ = _ids_and_config()
    if not isinstance(ids, Mapping):
        return [
            Error(
                "ANALYTICS_IDS must be a dict of id setting name to id.",
                hint='For example ANALYTICS_IDS = {"GOOGLE_ANALYTICS_API_ID": "G-ABC123DEF4"}.',
                id="analytix.E001",
            )
        ]
    errors: list[CheckMessage] = []
    for service in SERVICES:
        value = raw_id(ids, service.id_setting)
        if not value or service.id_pattern.fullmatch(value):
            continue
        if service.name == "google" and value.upper().startswith("UA-"):
            errors.append(
                Error(
                    f"ANALYTICS_IDS[{service.id_setting!r}] is a Universal Analytics id; "
                    "Google stopped processing Universal Analytics data in 2024.",
                    hint="Use your GA4 measurement id (it starts with 'G-'), found under "
                    "Admin > Data streams in Google Analytics.",
                    id="analytix.E003",
                )
            )
            continue
        errors.append(
            Error(
                f"ANALYTICS_IDS[{service.id_setting!r}] = {value[:60]!r} is not a valid "
                f"{service.label} id, so {service.label} stays off.",
                hint=f"Use the id from your {service.label} account; it looks like "
                f"{service.id_example!r}.",
                id="analytix.E002",
            )
        )
    return errors


@register(Tags.compatibility)
def check_config(**kwargs: Any) -> list[CheckMessage]:
    _, config = _ids_and_config()
    if not isinstance(config, Mapping):
        return [
            Error(
                "ANALYTICS_CONFIG must be a dict.",
                hint='For example ANALYTICS_CONFIG = {"LOG_LEVEL": "warning"}.',
                id="analytix.E004",
            )
        ]
    messages: list[CheckMessage] = []
    level = config.get("LOG_LEVEL", "warning")
    if level not in LOG_LEVELS:
        messages.append(
            Error(
                f"ANALYTICS_CONFIG['LOG_LEVEL'] = {level!r} is not a log level.",
                hint=f"Use one of {', '.join(repr(x) for x in LOG_LEVELS)}.",
                id="analytix.E005",
            )
        )
    if not isinstance(config.get("DEBUG", False), bool):
        messages.append(
            Error(
                "ANALYTICS_CONFIG['DEBUG'] must be True or False.",
                id="analytix.E006",
            )
        )
    environments = config.get("ENVIRONMENTS", ["production"])
    if isinstance(environments, str) or not isinstance(environments, (list, tuple, set)):
        messages.append(
            Error(
                "ANALYTICS_CONFIG['ENVIRONMENTS'] must be a list of SERVER_ENVIRONMENT values.",
                hint='For example ["production"].',
                id="analytix.E007",
            )
        )
    messages += _check_areas(config.get("AREAS"))
    unknown = sorted(str(k) for k in config if k not in CONFIG_KEYS)
    if unknown:
        messages.append(
            Warning(
                f"ANALYTICS_CONFIG has unknown keys: {', '.join(unknown)}.",
                hint=f"Known keys: {', '.join(sorted(CONFIG_KEYS))}. Check the spelling.",
                id="analytix.W001",
            )
        )
    return messages


def _check_areas(areas: Any) -> list[CheckMessage]:
    if areas is None:
        return []
    if not isinstance(areas, Mapping):
        return [
            Error(
                "ANALYTICS_CONFIG['AREAS'] must be a dict of area name to a list of services.",
                hint='For example {"default": ["google", "hubspot"]}.',
                id="analytix.E008",
            )
        ]
    messages: list[CheckMessage] = []
    known = ", ".join(SERVICES_BY_NAME)
    for area, services in areas.items():
        if isinstance(services, str) or not isinstance(services, (list, tuple, set)):
            messages.append(
                Error(
                    f"ANALYTICS_CONFIG['AREAS'][{area!r}] must be a list of service names.",
                    hint=f"Service names: {known}.",
                    id="analytix.E008",
                )
            )
            continue
        for name in services:
            if name not in SERVICES_BY_NAME:
                messages.append(
                    Error(
                        f"ANALYTICS_CONFIG['AREAS'][{area!r}] lists unknown service {name!r}.",
                        hint=f"Service names: {known}.",
                        id="analytix.E009",
                    )
                )
    return messages
