"""System checks: every mistake in the settings is reported by `manage.py check`, not a 500.

Ids are stable; each message says what is wrong and the hint says how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from analytix_frontend.conf import raw_id
from analytix_frontend.rendering import BUNDLE_TEMPLATE, compression_enabled
from analytix_frontend.services import LOG_LEVELS, SERVICES, SERVICES_BY_NAME

CONFIG_KEYS = frozenset(
    {"DEBUG", "LOG_LEVEL", "ENVIRONMENTS", "AREAS", "SERVER"}
    | {"CONSENT", "GPC", "INTERNAL", "CONDITIONS", "IDENTITY", "EXCLUDE_PREVIEWS"}  # privacy_checks
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
            if not isinstance(name, str) or name not in SERVICES_BY_NAME:  # a list is unhashable
                messages.append(
                    Error(
                        f"ANALYTICS_CONFIG['AREAS'][{area!r}] lists unknown service {name!r}.",
                        hint=f"Service names: {known}.",
                        id="analytix.E009",
                    )
                )
    return messages


REQUEST_PROCESSOR = "django.template.context_processors.request"
DJANGO_BACKEND = "django.template.backends.django.DjangoTemplates"


@register(Tags.templates)
def check_request_in_context(**kwargs: Any) -> list[CheckMessage]:
    """The tag finds the request (its CSP nonce, consent cookie, GPC header...) in the context."""
    backends = [t for t in getattr(settings, "TEMPLATES", []) if t.get("BACKEND") == DJANGO_BACKEND]
    if not backends or any(
        REQUEST_PROCESSOR in (t.get("OPTIONS") or {}).get("context_processors", ())
        for t in backends
    ):
        return []
    return [
        Warning(
            "No DjangoTemplates backend in TEMPLATES has the request context processor, so "
            "{% analytics_scripts %} never sees the request: no CSP nonce from the request "
            "(a nonce policy blocks the scripts), no consent cookie, Global Privacy Control, "
            "internal traffic, conditions or identity.",
            hint=f"Add {REQUEST_PROCESSOR!r} to OPTIONS['context_processors'] (startproject's "
            "default), or pass `request` in the context yourself.",
            id="analytix.W002",
        )
    ]


COMPRESSOR_FINDER = "compressor.finders.CompressorFinder"


@register(Tags.staticfiles)
def check_compressor(**kwargs: Any) -> list[CheckMessage]:
    """With django-compressor on, the tag serves one bundle; these setups cannot make it."""
    if not compression_enabled():
        return []
    messages: list[CheckMessage] = []
    finders = getattr(settings, "STATICFILES_FINDERS", [])
    if apps.is_installed("django.contrib.staticfiles") and COMPRESSOR_FINDER not in finders:
        messages.append(
            Warning(
                "django-compressor is enabled but STATICFILES_FINDERS lacks its finder, so "
                "every {% compress %} block raises ImproperlyConfigured; analytix falls back "
                "to its uncompressed files.",
                hint=f"Add {COMPRESSOR_FINDER!r} to STATICFILES_FINDERS, after Django's "
                "FileSystemFinder and AppDirectoriesFinder.",
                id="analytix.W010",
            )
        )
    try:
        get_template(BUNDLE_TEMPLATE)
    except TemplateDoesNotExist:
        messages.append(
            Warning(
                f"django-compressor is enabled but no template engine finds analytix's "
                f"{BUNDLE_TEMPLATE!r}, so neither the page nor `manage.py compress` can build "
                "the bundle; analytix falls back to its uncompressed files.",
                hint="Set 'APP_DIRS': True on the DjangoTemplates backend in TEMPLATES (or add "
                "'django.template.loaders.app_directories.Loader' to its loaders).",
                id="analytix.W011",
            )
        )
    return messages
