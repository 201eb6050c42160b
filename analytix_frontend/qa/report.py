"""The answers behind `manage.py analytix_report`: which service runs in which area, for which
visitor, and why not; which first-party JS the page gets and whether anything serves it.

For QA: "why doesn't FullStory load on signup here?" The request rules run on a visitor the
report describes (`visitor_request`), through the same one decision per request the page
makes (`decide.request`). Every answer is given in any configuration that renders pages:
what cannot be determined (static files not collected, no STATIC_ROOT) is said, never raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.http import HttpRequest
from django.test import RequestFactory

from analytix_frontend.decide.decisions import ServiceDecision
from analytix_frontend.decide.request import decide_request
from analytix_frontend.decide.services import LOG_LEVELS, SERVICES
from analytix_frontend.decide.settings import get_settings
from analytix_frontend.page.scripts import (
    MAIN_MINIFIED_SCRIPT,
    MINIFIED_SCRIPT,
    all_script_files,
    first_party_script_urls,
    main_script_urls,
    offline_bundle_enabled,
)

# A visitor who says nothing about their address: one from a documentation range (RFC 5737),
# never inside anyone's INTERNAL["IPS"].
OUTSIDE_ADDRESS = "203.0.113.10"


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise CommandError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def decide_table(areas: Sequence[str], request: HttpRequest) -> dict[str, list[ServiceDecision]]:
    """Area -> its decisions for this visitor: one request decision, read per area."""
    decision = decide_request(request)
    return {area: list(decision.services(area)) for area in areas}


def visitor_request(options: Mapping[str, Any]) -> HttpRequest:
    """The request the page would get from the described visitor."""
    headers = dict(_pair(h) for h in options.get("header") or ())
    if options.get("gpc"):
        headers["Sec-GPC"] = "1"
    request = RequestFactory().get(
        options.get("path") or "/",
        headers=headers,
        REMOTE_ADDR=options.get("ip") or OUTSIDE_ADDRESS,
    )
    request.COOKIES.update(dict(_pair(c) for c in options.get("cookie") or ()))
    user = options.get("user")
    if user:
        request.user = _user(str(user))
    elif apps.is_installed("django.contrib.auth"):  # as AuthenticationMiddleware would
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
    return request


def _user(name: str) -> Any:
    if not apps.is_installed("django.contrib.auth"):
        raise CommandError("--user needs django.contrib.auth in INSTALLED_APPS")
    from django.contrib.auth import get_user_model

    model = get_user_model()
    manager: Any = model._default_manager
    try:
        return manager.get_by_natural_key(name)
    except model.DoesNotExist:
        if name.isdigit():
            try:
                return manager.get(pk=int(name))
            except model.DoesNotExist:
                pass
    except Exception as error:  # no database here, say so rather than a traceback
        raise CommandError(f"could not look up user {name!r}: {error}") from error
    raise CommandError(f"no user {name!r} (looked up by {model.USERNAME_FIELD} and pk)")


def describe_delivery() -> str:
    """Which first-party JS the page gets, and whether anything will serve it."""
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage

    urls = ", ".join([*first_party_script_urls(), *main_script_urls()])
    if offline_bundle_enabled():
        return f"django-compressor's offline bundles (from `manage.py compress`), {urls}"
    paths = list(all_script_files()) if settings.DEBUG else [MINIFIED_SCRIPT, MAIN_MINIFIED_SCRIPT]
    kind = (
        f"the readable files ({len(paths)}, Django settings.DEBUG on)"
        if settings.DEBUG
        else f"the prebuilt {MINIFIED_SCRIPT} (on the page) and {MAIN_MINIFIED_SCRIPT} (it loads)"
    )
    missing = [path for path in paths if not finders.find(path)]
    if missing:
        return f"{kind}: NOT found by the static files finders: {', '.join(missing)}"
    if settings.DEBUG:
        return f"{kind}, served by runserver from the finders"
    storage: Any = staticfiles_storage
    try:  # a manifest storage knows each file by its hashed name
        names = [storage.stored_name(p) if hasattr(storage, "stored_name") else p for p in paths]
        collected = all(storage.exists(name) for name in names)
    except ValueError:  # not in the manifest: not collected
        collected = False
    except ImproperlyConfigured as error:  # e.g. no STATIC_ROOT on a developer's machine
        return (
            f"{kind}: could not tell whether they are collected ({error}); with DEBUG off the "
            "page links them at " + urls
        )
    where = (
        "served by whitenoise"
        if "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
        else "served by your web server from STATIC_ROOT (runserver does not, with DEBUG off)"
    )
    if not collected:
        return f"{kind}: NOT collected: run `manage.py collectstatic`, then it is {where}"
    return f"{kind} at {urls}, collected, {where}"


def describe_rules() -> str:
    """The request rules in force, as ANALYTICS_CONFIG sets them (docs/privacy.md)."""
    rules = get_settings().privacy
    parts = [
        f"consent required (cookie {rules.consent.cookie!r})"
        if rules.consent_required
        else "consent not required",
        "GPC turns off " + (", ".join(sorted(rules.gpc_categories)) or "nothing"),
    ]
    internal = [str(n) for n in rules.internal.networks]
    parts.append(
        f"internal: {', '.join(internal)} (from {rules.internal.ip_meta_key})"
        if internal
        else "internal: no IPS"
    )
    parts.append(f"QA cookie {rules.internal.qa_cookie!r}")
    if rules.internal.staff:
        parts.append("staff count as internal")
    parts.append("previews excluded" if rules.exclude_previews else "previews tracked")
    if rules.conditions:
        parts.append("conditions: " + ", ".join(sorted(rules.conditions)))
    parts.append("identity: " + ("off" if rules.identity is None else "on"))
    return "; ".join(parts)


def describe_visitor(options: Mapping[str, Any]) -> str:
    parts = [
        f"path {options.get('path') or '/'}",
        f"address {options.get('ip') or OUTSIDE_ADDRESS}",
    ]
    parts.append(f"user {options['user']}" if options.get("user") else "anonymous")
    if options.get("gpc"):
        parts.append("Sec-GPC: 1")
    parts += [f"cookie {c}" for c in options.get("cookie") or ()]
    parts += [f"header {h}" for h in options.get("header") or ()]
    return ", ".join(parts)


def _as_written(config: Mapping[str, Any], key: str, used: Any, valid: bool) -> str:
    """A setting as written, and what is used instead when it is invalid."""
    if key not in config:
        return f"{key}={used!r} (default)"
    written = config[key]
    return f"{key}={written!r}" + ("" if valid else f" (invalid, using {used!r})")


def settings_lines() -> list[str]:
    """What decides the whole table: which DEBUG is which, the environment, the log level."""
    config = get_settings()
    raw = getattr(settings, "ANALYTICS_CONFIG", None)
    raw = raw if isinstance(raw, Mapping) else {}
    environments = raw.get("ENVIRONMENTS")
    env_valid = isinstance(environments, (list, tuple)) and all(
        isinstance(e, str) for e in environments
    )
    state = "analytics on" if config.analytics_environment else "analytics off"
    effect = (
        "analytics run whatever SERVER_ENVIRONMENT is"
        if config.debug
        else "analytics run only where SERVER_ENVIRONMENT is in ENVIRONMENTS"
    )
    return [
        f"Django settings.DEBUG={settings.DEBUG!r} (which JS files the page gets); "
        + "ANALYTICS_CONFIG "
        + _as_written(raw, "DEBUG", config.debug, raw.get("DEBUG", False) in (True, False))
        + f": {effect}",
        f"SERVER_ENVIRONMENT={config.server_environment!r}, "
        + _as_written(raw, "ENVIRONMENTS", list(config.environments), env_valid)
        + f" -> {state}",
        _as_written(raw, "LOG_LEVEL", config.log_level, raw.get("LOG_LEVEL") in LOG_LEVELS)
        + " (the browser console)",
    ]


def _cell(decision: ServiceDecision) -> str:
    """e.g. "on (idle)": on, and when it starts in the browser (its load trigger)."""
    trigger = decision.trigger
    if decision.enabled:
        return f"on ({trigger})"
    if decision.waiting:
        return f"waits: {decision.reason} ({trigger})"
    return f"off: {decision.reason}"


def table_text(table: Mapping[str, Sequence[ServiceDecision]]) -> str:
    header = ["area", *(s.label for s in SERVICES)]  # the console's names
    rows = [[area, *(_cell(d) for d in decisions)] for area, decisions in table.items()]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(lines)


def reasons(table: Mapping[str, Sequence[ServiceDecision]]) -> list[str]:
    """One line per distinct reason: area-specific ones per area, the others once per service."""
    lines: dict[str, None] = {}
    for area, decisions in table.items():
        for d in decisions:
            if d.enabled:
                continue
            label = d.service.label
            where = f"{label} on {area}" if d.reason == "area" else label
            lines[f"{where}: {d.reason}: {d.detail}"] = None
    return list(lines)


def as_json(table: Mapping[str, Sequence[ServiceDecision]]) -> dict[str, Any]:
    return {
        area: {
            d.service.name: {
                "label": d.service.label,
                "on": d.enabled,
                "waiting": d.waiting,
                "reason": d.reason,
                "detail": d.detail,
            }
            for d in decisions
        }
        for area, decisions in table.items()
    }
