"""System checks: every mistake in the settings is reported by `manage.py check`, not a 500.

Ids are stable; each message says what is wrong and the hint says how to fix it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.template import TemplateDoesNotExist, engines
from django.template.backends.django import DjangoTemplates
from django.template.loader import get_template

from analytix_frontend.decide.services import LOG_LEVELS, SERVICES, SERVICES_BY_NAME
from analytix_frontend.decide.settings import get_settings, raw_id
from analytix_frontend.page.scripts import BUNDLE_TEMPLATE, offline_bundle_enabled

CONFIG_KEYS = frozenset(
    {"DEBUG", "LOG_LEVEL", "ENVIRONMENTS", "AREAS", "SERVER"}
    | {"CONSENT", "GPC", "INTERNAL", "CONDITIONS", "IDENTITY", "EXCLUDE_PREVIEWS"}  # privacy_checks
    | {"PLAN", "PLAN_POLICY", "PLAN_REPORTS"}  # checks/plan.py
    | {"LOAD", "LOAD_BY_AREA"}  # triggers.py
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
    """With offline compression on, the tag links one bundle; these setups cannot make it or
    never serve it. Not DEBUG-only: `manage.py check --deploy` with production settings (where
    COMPRESS_ENABLED defaults to on) runs it too."""
    if not offline_bundle_enabled():
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
    return messages + _check_bundle_served()


WHITENOISE_MIDDLEWARE = "whitenoise.middleware.WhiteNoiseMiddleware"


def _check_bundle_served() -> list[CheckMessage]:
    """whitenoise serves STATIC_ROOT at STATIC_URL, nothing else: the bundle must be there."""
    static_root = getattr(settings, "STATIC_ROOT", None)
    if WHITENOISE_MIDDLEWARE not in getattr(settings, "MIDDLEWARE", []) or not static_root:
        return []
    static_url = str(settings.STATIC_URL or "")
    compress_root = Path(getattr(settings, "COMPRESS_ROOT", None) or static_root).resolve()
    compress_url = str(getattr(settings, "COMPRESS_URL", None) or static_url)
    static_path = Path(static_root).resolve()
    if compress_root.is_relative_to(static_path):
        relative = compress_root.relative_to(static_path).as_posix()
        served_url = static_url if relative == "." else f"{static_url.rstrip('/')}/{relative}/"
        if compress_url.rstrip("/") == served_url.rstrip("/"):
            return []
    return [
        Warning(
            f"COMPRESS_OFFLINE is on with whitenoise, but compressor writes its bundles to "
            f"COMPRESS_ROOT {str(compress_root)!r} at COMPRESS_URL {compress_url!r}, which "
            f"whitenoise does not serve (it serves STATIC_ROOT at STATIC_URL {static_url!r}); "
            "analytix's bundle, like your own, would be a 404.",
            hint="Leave COMPRESS_ROOT and COMPRESS_URL unset (they default to STATIC_ROOT and "
            "STATIC_URL), or serve COMPRESS_ROOT at COMPRESS_URL yourself.",
            id="analytix.W012",
        )
    ]


# `{% analytics_scripts "area" %}` (no argument: "default") and `analytics_scripts("area")`.
DJANGO_TAG = re.compile(r"\{%\s*analytics_scripts(?:\s+([\"'])(.*?)\1)?\s*%\}")
JINJA2_CALL = re.compile(r"\banalytics_scripts\(\s*(?:([\"'])(.*?)\1)?\s*\)")


def _template_dirs() -> Iterator[tuple[Path, re.Pattern[str]]]:
    """Each template directory of the project's engines, with the call to look for there."""
    for backend in engines.all():
        if isinstance(backend, DjangoTemplates):
            for loader in backend.engine.template_loaders:
                for directory in getattr(loader, "get_dirs", list)():
                    yield Path(directory), DJANGO_TAG
        else:  # Jinja2: DIRS and each app's jinja2/ directory
            for directory in backend.template_dirs:
                yield Path(directory), JINJA2_CALL


@register(Tags.templates)
def check_template_areas(**kwargs: Any) -> list[CheckMessage]:
    """A literal area in a template that the settings do not know: that page loads nothing.

    The page still renders (DEBUG off); this finds the typo before deploy.
    """
    known = get_settings().areas
    messages: list[CheckMessage] = []
    seen: set[tuple[Path, re.Pattern[str]]] = set()
    for directory, pattern in _template_dirs():
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            if (path, pattern) in seen:
                continue
            seen.add((path, pattern))
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # not a text template
            for match in pattern.finditer(text):
                area = "default" if match.group(1) is None else match.group(2)
                if area not in known:
                    messages.append(_unknown_area(path, text, match, area, sorted(known)))
    return messages


def _unknown_area(
    path: Path, text: str, match: re.Match[str], area: str, known: list[str]
) -> CheckMessage:
    line = text.count("\n", 0, match.start()) + 1
    close = difflib.get_close_matches(area, known, n=1)
    did_you_mean = f"Did you mean {close[0]!r}? " if close else ""
    return Warning(
        f"{path}, line {line}: {match.group(0)} names the unknown page area {area!r}: with "
        "Django's DEBUG on the template fails to compile (TemplateSyntaxError); with it off "
        "the page renders with no analytics and a warning in the log.",
        hint=f"{did_you_mean}Known areas: {', '.join(known) or 'none'}. Fix the name or add "
        "the area to ANALYTICS_CONFIG['AREAS'].",
        id="analytix.W003",
    )
