"""System checks for consent and Global Privacy Control (analytix.E2xx / W2xx); Consent
Mode's and TCF's sub-settings: checks/consent_sources.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from analytix_frontend.checks.common import analytix_config, is_str_list, unknown_keys
from analytix_frontend.decide.consent import (
    CATEGORIES,
    COOKIE_CONSENT_APP,
    COOKIE_NAME,
    MAX_VERSION_LENGTH,
    SOURCES,
)
from analytix_frontend.page.config import record_path

CONSENT_KEYS = frozenset(
    {
        "REQUIRED",
        "COOKIE_NAME",
        "COOKIE_GROUPS",
        "VERSION",
        "RECORDS",
        "RECORD_IP",
        "RETENTION_DAYS",
        "SOURCE",
        "TCF",
        "GOOGLE",
    }
)
CATEGORY_LIST = ", ".join(repr(c) for c in CATEGORIES)


def consent_setting() -> Mapping[str, Any] | None:
    """`CONSENT` when it is a dict, else None."""
    setting = analytix_config().get("CONSENT", False)
    return setting if isinstance(setting, Mapping) else None


@register(Tags.compatibility)
def check_consent(**kwargs: Any) -> list[CheckMessage]:
    setting = analytix_config().get("CONSENT", False)
    if isinstance(setting, bool):
        return []
    if not isinstance(setting, Mapping):
        return [
            Error(
                "ANALYTICS_CONFIG['CONSENT'] must be True, False or a dict.",
                hint='For example True, or {"COOKIE_NAME": "analytix_consent"}.',
                id="analytix.E201",
            )
        ]
    messages = unknown_keys("CONSENT", setting, CONSENT_KEYS)
    if not isinstance(setting.get("REQUIRED", True), bool):
        messages.append(
            Error(
                "ANALYTICS_CONFIG['CONSENT']['REQUIRED'] must be True or False.", id="analytix.E201"
            )
        )
    name = setting.get("COOKIE_NAME", "analytix_consent")
    if not isinstance(name, str) or not COOKIE_NAME.fullmatch(name):
        messages.append(
            Error(
                f"ANALYTICS_CONFIG['CONSENT']['COOKIE_NAME'] = {name!r} is not a cookie name.",
                hint="Use letters, digits, '_' or '-', e.g. 'analytix_consent'.",
                id="analytix.E202",
            )
        )
    messages += _check_groups(setting)
    messages += _check_version_and_records(setting)
    return messages


def _check_groups(setting: Mapping[str, Any]) -> list[CheckMessage]:
    groups = setting.get("COOKIE_GROUPS")
    source = setting.get("SOURCE", "analytix")
    if groups is None:
        if source == "cookie_consent":
            return [
                Warning(
                    "ANALYTICS_CONFIG['CONSENT']['SOURCE'] is 'cookie_consent' but "
                    "COOKIE_GROUPS is not set, so django-cookie-consent decides nothing.",
                    hint='Map each category to a cookie group, e.g. "COOKIE_GROUPS": '
                    '{"analytics": "analytics", "marketing": "marketing"}.',
                    id="analytix.W205",
                )
            ]
        return []
    if not isinstance(groups, Mapping) or any(
        c not in CATEGORIES or not isinstance(v, str) or not v for c, v in groups.items()
    ):
        return [
            Error(
                "ANALYTICS_CONFIG['CONSENT']['COOKIE_GROUPS'] must map a consent category "
                f"({CATEGORY_LIST}) to a django-cookie-consent cookie-group varname.",
                hint='For example {"analytics": "analytics", "marketing": "marketing"}.',
                id="analytix.E203",
            )
        ]
    if not apps.is_installed(COOKIE_CONSENT_APP):
        return [
            Warning(
                "ANALYTICS_CONFIG['CONSENT']['COOKIE_GROUPS'] is set but django-cookie-consent "
                "is not installed, so only the analytix consent cookie is read.",
                hint=f"Add {COOKIE_CONSENT_APP!r} to INSTALLED_APPS, or remove COOKIE_GROUPS.",
                id="analytix.W202",
            )
        ]
    return []


def _check_version_and_records(setting: Mapping[str, Any]) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    version = setting.get("VERSION")
    if version is not None and not (
        isinstance(version, str) and 0 < len(version) <= MAX_VERSION_LENGTH
    ):
        messages.append(
            Error(
                f"ANALYTICS_CONFIG['CONSENT']['VERSION'] = {version!r} must be a non-empty "
                f"string of at most {MAX_VERSION_LENGTH} characters.",
                hint='Name your privacy policy\'s version, e.g. "2026-12"; a new one asks '
                "every visitor again.",
                id="analytix.E213",
            )
        )
    for key in ("RECORDS", "RECORD_IP"):
        if not isinstance(setting.get(key, False), bool):
            messages.append(
                Error(
                    f"ANALYTICS_CONFIG['CONSENT'][{key!r}] must be True or False.",
                    id="analytix.E214",
                )
            )
    days = setting.get("RETENTION_DAYS", 1)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        messages.append(
            Error(
                f"ANALYTICS_CONFIG['CONSENT']['RETENTION_DAYS'] = {days!r} must be a whole "
                "number of days, 1 or more.",
                hint="For example 1095 (three years, the default): `manage.py analytix_consent "
                "purge` deletes records older than that.",
                id="analytix.E215",
            )
        )
    source = setting.get("SOURCE", "analytix")
    if source not in SOURCES:
        messages.append(
            Error(
                f"ANALYTICS_CONFIG['CONSENT']['SOURCE'] = {source!r} is not a consent source.",
                hint=f"One of {', '.join(repr(s) for s in SOURCES)}.",
                id="analytix.E216",
            )
        )
    if setting.get("RECORD_IP") is True and setting.get("RECORDS") is not True:
        messages.append(
            Warning(
                "ANALYTICS_CONFIG['CONSENT']['RECORD_IP'] is on but RECORDS is not, so no "
                "address is ever recorded.",
                hint='Set "RECORDS": True as well, or remove RECORD_IP.',
                id="analytix.W206",
            )
        )
    return messages


@register(Tags.urls)
def check_record_urls(**kwargs: Any) -> list[CheckMessage]:
    """RECORDS needs the endpoint: without it every consent record would be lost."""
    setting = consent_setting()
    if setting is None or setting.get("RECORDS") is not True or record_path() is not None:
        return []
    return [
        Warning(
            "ANALYTICS_CONFIG['CONSENT']['RECORDS'] is on but the analytix URLs are not in "
            "your URLconf, so no consent record can be stored (the page sends none).",
            hint='Add path("analytix/", include("analytix_frontend.urls")) to your urlpatterns.',
            id="analytix.W204",
        )
    ]


@register(Tags.compatibility)
def check_gpc(**kwargs: Any) -> list[CheckMessage]:
    value = analytix_config().get("GPC", True)
    if isinstance(value, bool) or (
        is_str_list(value) and all(category in CATEGORIES for category in value)
    ):
        return []
    return [
        Error(
            f"ANALYTICS_CONFIG['GPC'] = {value!r} must be True (Global Privacy Control turns "
            "off analytics and marketing), False (ignored) or a list of categories.",
            hint=f"Categories: {CATEGORY_LIST}.",
            id="analytix.E204",
        )
    ]
