"""System checks for consent and Global Privacy Control (analytix.E2xx / W2xx)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from analytix_frontend.checks.common import analytix_config, is_str_list, unknown_keys
from analytix_frontend.decide.consent import CATEGORIES, COOKIE_CONSENT_APP, COOKIE_NAME

CONSENT_KEYS = frozenset({"REQUIRED", "COOKIE_NAME", "COOKIE_GROUPS"})
CATEGORY_LIST = ", ".join(repr(c) for c in CATEGORIES)


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
    groups = setting.get("COOKIE_GROUPS")
    if groups is None:
        return messages
    if not isinstance(groups, Mapping) or any(
        c not in CATEGORIES or not isinstance(v, str) or not v for c, v in groups.items()
    ):
        messages.append(
            Error(
                "ANALYTICS_CONFIG['CONSENT']['COOKIE_GROUPS'] must map a consent category "
                f"({CATEGORY_LIST}) to a django-cookie-consent cookie-group varname.",
                hint='For example {"analytics": "analytics", "marketing": "marketing"}.',
                id="analytix.E203",
            )
        )
    elif not apps.is_installed(COOKIE_CONSENT_APP):
        messages.append(
            Warning(
                "ANALYTICS_CONFIG['CONSENT']['COOKIE_GROUPS'] is set but django-cookie-consent "
                "is not installed, so only the analytix consent cookie is read.",
                hint=f"Add {COOKIE_CONSENT_APP!r} to INSTALLED_APPS, or remove COOKIE_GROUPS.",
                id="analytix.W202",
            )
        )
    return messages


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
