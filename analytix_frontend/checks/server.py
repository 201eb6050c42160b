"""System checks for the server-side settings (`ANALYTICS_CONFIG["SERVER"]` and the HubSpot
access token): analytix.E101-E113, W101-W102. Delivery's own checks (E114-E118, W103-W104)
are in checks/delivery.py.

Messages never quote the access token, only what is wrong with it.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.utils.module_loading import import_string

from analytix_frontend.extras import install_hint
from analytix_frontend.server.config import (
    ACCESS_TOKEN_SETTING,
    CELERY,
    CRM_VERSION,
    DEFAULT_RETRIES,
    DEFAULT_URLS,
    INLINE,
    MAX_RETRIES,
    MAX_TIMEOUT,
    SERVER_KEYS,
    TASKS,
    is_printable_ascii,
)

SERVER = "ANALYTICS_CONFIG['SERVER']"
# Private-app tokens look like "pat-na1-" + a UUID; the retired API keys were a bare UUID.
ACCESS_TOKEN = re.compile(r"pat-[a-z0-9]+-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.ASCII)
LEGACY_API_KEY = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.ASCII | re.I)
HEADER_NAME = re.compile(r"[A-Za-z0-9-]+", re.ASCII)


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _importable_callable(path: str) -> bool:
    try:
        return callable(import_string(path))
    except ImportError:
        return False


@register(Tags.compatibility)
def check_server_settings(**kwargs: Any) -> list[CheckMessage]:
    config = getattr(settings, "ANALYTICS_CONFIG", None)
    if not isinstance(config, Mapping) or "SERVER" not in config:
        return []
    server = config["SERVER"]
    if not isinstance(server, Mapping):
        return [
            Error(
                f"{SERVER} must be a dict.",
                hint='For example {"DISPATCH": "inline", "TIMEOUT": 5.0, "RETRIES": 5}.',
                id="analytix.E101",
            )
        ]
    messages = _check_dispatch(server.get("DISPATCH", INLINE))
    timeout = server.get("TIMEOUT", 5.0)
    if not _is_number(timeout) or not 0 < timeout <= MAX_TIMEOUT:
        messages.append(
            Error(
                f"{SERVER}['TIMEOUT'] = {timeout!r} is not a number of seconds above 0 "
                f"and at most {MAX_TIMEOUT:g}.",
                hint="Use a short timeout such as 5.0; it bounds each HTTP attempt.",
                id="analytix.E103",
            )
        )
    retries = server.get("RETRIES", DEFAULT_RETRIES)
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= MAX_RETRIES:
        messages.append(
            Error(
                f"{SERVER}['RETRIES'] = {retries!r} is not a whole number from 0 to {MAX_RETRIES}.",
                hint="It counts retries after the first attempt; "
                f"{DEFAULT_RETRIES} is the default.",
                id="analytix.E104",
            )
        )
    for key in ("BACKOFF", "MAX_DELAY"):
        if key in server and (not _is_number(server[key]) or server[key] < 0):
            messages.append(
                Error(
                    f"{SERVER}[{key!r}] = {server[key]!r} is not a number of seconds.",
                    id="analytix.E105",
                )
            )
    for key in DEFAULT_URLS:
        value = server.get(key, DEFAULT_URLS[key])
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            messages.append(
                Error(
                    f"{SERVER}[{key!r}] = {value!r} is not an http(s) URL.",
                    hint=f"The default is {DEFAULT_URLS[key]!r}.",
                    id="analytix.E106",
                )
            )
    opt_out = server.get("OPT_OUT")
    if opt_out is not None and (not isinstance(opt_out, str) or not _importable_callable(opt_out)):
        messages.append(
            Error(
                f"{SERVER}['OPT_OUT'] = {opt_out!r} is not the dotted path of a callable.",
                hint="Point it at a function (request, person) -> bool, e.g. "
                "'myproject.analytics.user_opted_out'.",
                id="analytix.E107",
            )
        )
    header = server.get("CLIENT_IP_HEADER")
    if header is not None and (not isinstance(header, str) or not HEADER_NAME.fullmatch(header)):
        messages.append(
            Error(
                f"{SERVER}['CLIENT_IP_HEADER'] = {header!r} is not an HTTP header name.",
                hint="Name the header your own proxy sets, e.g. 'X-Forwarded-For' or "
                "'X-Real-IP'; leave it unset to use REMOTE_ADDR.",
                id="analytix.E108",
            )
        )
    version = server.get("HUBSPOT_CRM_VERSION", "v3")
    if not isinstance(version, str) or not CRM_VERSION.fullmatch(version):
        messages.append(
            Error(
                f"{SERVER}['HUBSPOT_CRM_VERSION'] = {version!r} is not an API version.",
                hint="Use 'v3' (the default) or a later version such as 'v4'.",
                id="analytix.E112",
            )
        )
    if not _installed("httpx"):
        messages.append(
            Error(
                f"{SERVER} is set but httpx is not installed, so nothing can be sent.",
                hint=install_hint("server") + ".",
                id="analytix.E110",
            )
        )
    unknown = sorted(str(key) for key in server if key not in SERVER_KEYS)
    if unknown:
        messages.append(
            Warning(
                f"{SERVER} has unknown keys: {', '.join(unknown)}.",
                hint=f"Known keys: {', '.join(sorted(SERVER_KEYS))}. Check the spelling.",
                id="analytix.W102",
            )
        )
    return messages


def _check_dispatch(dispatch: Any) -> list[CheckMessage]:
    if dispatch in (INLINE, TASKS):
        return []  # "tasks": checks/delivery.py
    if dispatch == CELERY:
        if _installed("celery"):
            return []
        return [
            Error(
                f"{SERVER}['DISPATCH'] is 'celery' but Celery is not installed.",
                hint=install_hint("celery") + ".",
                id="analytix.E111",
            )
        ]
    if isinstance(dispatch, str) and "." in dispatch and _importable_callable(dispatch):
        return []
    return [
        Error(
            f"{SERVER}['DISPATCH'] = {dispatch!r} is not 'inline', 'tasks', 'celery' or the "
            "dotted path of a callable.",
            hint="Leave it unset for 'inline'. A custom dispatcher receives each call as a "
            "dict and can send it with analytix_frontend.server.send.",
            id="analytix.E102",
        )
    ]


@register(Tags.compatibility)
def check_access_token(**kwargs: Any) -> list[CheckMessage]:
    ids = getattr(settings, "ANALYTICS_IDS", None)
    if not isinstance(ids, Mapping) or ids.get(ACCESS_TOKEN_SETTING) in (None, ""):
        return []
    token = ids[ACCESS_TOKEN_SETTING]
    name = f"ANALYTICS_IDS[{ACCESS_TOKEN_SETTING!r}]"
    if not isinstance(token, str) or token != token.strip():
        return [
            Error(
                f"{name} must be a string without surrounding spaces.",
                hint="Copy the access token of your HubSpot private app exactly.",
                id="analytix.E109",
            )
        ]
    if not is_printable_ascii(token):
        where, char = next((i, c) for i, c in enumerate(token) if not is_printable_ascii(c))
        return [
            Error(
                f"{name} holds a character that is not printable ASCII: U+{ord(char):04X} "
                f"at position {where + 1}. Nothing is sent with it.",
                hint="Copying often picks up an invisible character (a zero-width or "
                "non-breaking space): copy the token again from your private app's Auth tab.",
                id="analytix.E113",
            )
        ]
    if LEGACY_API_KEY.fullmatch(token):
        return [
            Error(
                f"{name} looks like a HubSpot API key; HubSpot no longer accepts API keys.",
                hint="Create a private app in HubSpot (Settings > Integrations > Private "
                "apps) with the crm.objects.contacts.write scope and use its access token.",
                id="analytix.E109",
            )
        ]
    if not ACCESS_TOKEN.fullmatch(token):
        return [
            Warning(
                f"{name} does not look like a HubSpot private-app access token "
                "('pat-' followed by a region and an id).",
                hint="Copy the token from your private app's Auth tab in HubSpot.",
                id="analytix.W101",
            )
        ]
    return []
