"""System checks for the request rules' settings (analytix.E2xx / W2xx): internal traffic,
CMS previews, per-service conditions and identity (consent and GPC: checks/consent.py)."""

from __future__ import annotations

import inspect
import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from analytix_frontend.checks.common import analytix_config, is_str_list, unknown_keys
from analytix_frontend.decide.consent import CATEGORIES, COOKIE_NAME
from analytix_frontend.decide.rules.identity import is_sendable_attribute
from analytix_frontend.decide.services import SERVICES_BY_NAME

INTERNAL_KEYS = frozenset({"IPS", "IP_HEADER", "PROXY_COUNT", "QA_COOKIE", "STAFF"})
CONSENT_KEYS = frozenset({"REQUIRED", "COOKIE_NAME", "COOKIE_GROUPS"})
IDENTITY_KEYS = frozenset({"ID_ATTRIBUTE", "TRAITS"})
HEADER_NAME = re.compile(r"[A-Za-z0-9_-]+")
CATEGORY_LIST = ", ".join(repr(c) for c in CATEGORIES)


@register(Tags.compatibility)
def check_internal(**kwargs: Any) -> list[CheckMessage]:
    internal = analytix_config().get("INTERNAL")
    if internal is None:
        return []
    if not isinstance(internal, Mapping):
        return [
            Error(
                "ANALYTICS_CONFIG['INTERNAL'] must be a dict.",
                hint='For example {"IPS": ["10.0.0.0/8"], "QA_COOKIE": "analytix_qa"}.',
                id="analytix.E205",
            )
        ]
    messages = unknown_keys("INTERNAL", internal, INTERNAL_KEYS)
    ips = internal.get("IPS", [])
    if not is_str_list(ips):
        messages.append(
            Error(
                "ANALYTICS_CONFIG['INTERNAL']['IPS'] must be a list of addresses or CIDR ranges.",
                hint='For example ["10.0.0.0/8", "203.0.113.7"].',
                id="analytix.E206",
            )
        )
    else:
        for entry in ips:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                messages.append(
                    Error(
                        f"ANALYTICS_CONFIG['INTERNAL']['IPS'] entry {entry!r} is not an IP "
                        "address or CIDR range.",
                        hint='For example "10.0.0.0/8" or "2001:db8::/32".',
                        id="analytix.E206",
                    )
                )
    header = internal.get("IP_HEADER")
    if header is not None and not (isinstance(header, str) and HEADER_NAME.fullmatch(header)):
        messages.append(
            Error(
                f"ANALYTICS_CONFIG['INTERNAL']['IP_HEADER'] = {header!r} is not a header name.",
                hint="Name the header your own proxy sets, e.g. 'X-Forwarded-For' or "
                "'X-Real-IP'; leave it out to use REMOTE_ADDR.",
                id="analytix.E207",
            )
        )
    count = internal.get("PROXY_COUNT", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        messages.append(
            Error(
                "ANALYTICS_CONFIG['INTERNAL']['PROXY_COUNT'] must be a whole number, 1 or more: "
                "how many proxies of yours add to IP_HEADER.",
                id="analytix.E207",
            )
        )
    elif header is None and "PROXY_COUNT" in internal:
        messages.append(
            Warning(
                "ANALYTICS_CONFIG['INTERNAL']['PROXY_COUNT'] has no effect without IP_HEADER.",
                hint="Set IP_HEADER to the header your proxy sets, or remove PROXY_COUNT.",
                id="analytix.W203",
            )
        )
    if not isinstance(internal.get("STAFF", False), bool):
        messages.append(
            Error(
                "ANALYTICS_CONFIG['INTERNAL']['STAFF'] must be True (staff users count as "
                "internal traffic) or False.",
                id="analytix.E207",
            )
        )
    qa = internal.get("QA_COOKIE", "analytix_qa")
    if not isinstance(qa, str) or not COOKIE_NAME.fullmatch(qa):
        messages.append(
            Error(
                f"ANALYTICS_CONFIG['INTERNAL']['QA_COOKIE'] = {qa!r} is not a valid cookie name.",
                id="analytix.E207",
            )
        )
    return messages


@register(Tags.compatibility)
def check_previews(**kwargs: Any) -> list[CheckMessage]:
    value = analytix_config().get("EXCLUDE_PREVIEWS", True)
    if isinstance(value, bool):
        return []
    return [
        Error(
            f"ANALYTICS_CONFIG['EXCLUDE_PREVIEWS'] = {value!r} must be True (CMS previews get no "
            "analytics, the default) or False (track them).",
            id="analytix.E212",
        )
    ]


@register(Tags.compatibility)
def check_conditions(**kwargs: Any) -> list[CheckMessage]:
    conditions = analytix_config().get("CONDITIONS")
    if conditions is None:
        return []
    if not isinstance(conditions, Mapping):
        return [
            Error(
                "ANALYTICS_CONFIG['CONDITIONS'] must be a dict of service name to the dotted "
                "path of a function (request) -> bool.",
                hint='For example {"drift": "myproject.analytics.is_new_visitor"}.',
                id="analytix.E208",
            )
        ]
    messages: list[CheckMessage] = []
    for name, path in conditions.items():
        if name not in SERVICES_BY_NAME:
            messages.append(
                Error(
                    f"ANALYTICS_CONFIG['CONDITIONS'] names unknown service {name!r}.",
                    hint=f"Service names: {', '.join(SERVICES_BY_NAME)}.",
                    id="analytix.E208",
                )
            )
            continue
        problem = None
        if not isinstance(path, str):
            problem = "is not a dotted path string"
        else:
            try:
                if not callable(import_string(path)):
                    problem = "is not callable"
            except ImportError as error:
                problem = f"cannot be imported ({error})"
        if problem:
            messages.append(
                Error(
                    f"ANALYTICS_CONFIG['CONDITIONS'][{name!r}] = {path!r} {problem}; "
                    f"{SERVICES_BY_NAME[name].label} stays off until it is fixed.",
                    hint="Give the dotted path of a function taking the request and returning "
                    "True to load the service.",
                    id="analytix.E209",
                )
            )
    return messages


@register(Tags.compatibility)
def check_identity(**kwargs: Any) -> list[CheckMessage]:
    identity = analytix_config().get("IDENTITY", False)
    if isinstance(identity, bool):
        return []
    if not isinstance(identity, Mapping):
        return [
            Error(
                "ANALYTICS_CONFIG['IDENTITY'] must be True, False or a dict.",
                hint='For example True (the user id only), or {"TRAITS": ["date_joined"]}.',
                id="analytix.E210",
            )
        ]
    messages = unknown_keys("IDENTITY", identity, IDENTITY_KEYS)
    id_attribute = identity.get("ID_ATTRIBUTE", "pk")
    if not is_sendable_attribute(id_attribute):
        messages.append(
            Error(
                f"ANALYTICS_CONFIG['IDENTITY']['ID_ATTRIBUTE'] = {id_attribute!r} must name a "
                "user attribute (never 'password' or a private '_name'); \"pk\" is used.",
                hint='The default is "pk".',
                id="analytix.E210",
            )
        )
    traits = identity.get("TRAITS", [])
    if not is_str_list(traits) or not all(is_sendable_attribute(t) for t in traits):
        messages.append(
            Error(
                "ANALYTICS_CONFIG['IDENTITY']['TRAITS'] must be a list of user attribute names "
                "(never 'password' or a private '_name').",
                hint='For example ["date_joined"]; "email" or "username" only if you mean to '
                "send them to every vendor on the page.",
                id="analytix.E210",
            )
        )
    names = [id_attribute, *traits] if is_str_list(traits) else [id_attribute]
    messages.extend(_user_model_callables([n for n in names if is_sendable_attribute(n)]))
    return messages


def _user_model_callables(names: list[str]) -> list[CheckMessage]:
    """E211 for each name that is a method (or another callable) on the user model: its value
    on a user is a bound method, which the page never carries (left out at run time)."""
    if not apps.is_installed("django.contrib.auth"):
        return []
    try:
        user_model = get_user_model()
    except (ImproperlyConfigured, LookupError, ValueError):
        return []  # Django's own auth checks report AUTH_USER_MODEL
    return [
        Error(
            f"ANALYTICS_CONFIG['IDENTITY'] names {name!r}, a method of {user_model.__name__}, "
            "not a plain attribute; it is left out of the identity.",
            hint="Name a field (or a property) whose value is a string, number, boolean, date "
            'or UUID, e.g. "date_joined" rather than "get_full_name".',
            id="analytix.E211",
        )
        for name in dict.fromkeys(names)
        if _is_callable_attribute(user_model, name)
    ]


def _is_callable_attribute(model: type, name: str) -> bool:
    attribute = inspect.getattr_static(model, name, None)
    return callable(attribute) or isinstance(attribute, (classmethod, staticmethod))
