"""When each service starts in the browser: its load trigger (`ANALYTICS_CONFIG["LOAD"]`).

A trigger only delays a service: consent, GPC and every other rule still decide whether it runs.

    ANALYTICS_CONFIG["LOAD"] = {"hubspot": "idle", "drift": "click"}      # per service
    ANALYTICS_CONFIG["LOAD_BY_AREA"] = {"signup": {"fullstory": "ready"}}  # where an area differs

Triggers: "ready" (a task after DOMContentLoaded: how every service started before triggers),
"idle" (after `load`, in idle time, with a deadline), "interaction" (the visitor's first pointer,
key, scroll or touch), and for Drift "facade" (a first-party launcher button; the real widget
loads when the visitor reaches for it). The defaults keep a page view for the services that
count page views, and keep the heaviest scripts off the critical path: docs/performance.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register

from analytix_frontend.services import SERVICES, SERVICES_BY_NAME

READY = "ready"
IDLE = "idle"
INTERACTION = "interaction"
FACADE = "facade"
TRIGGERS: tuple[str, ...] = (READY, IDLE, INTERACTION, FACADE)
FACADE_SERVICES = frozenset({"drift"})  # services with a first-party facade

# Page views: Google, Meta Pixel and Kissmetrics count them, so they start on every page view
# (in idle time after load). HubSpot and FullStory cost the most main-thread time after Drift
# and need a visitor who does something; Drift shows its launcher until it is wanted.
DEFAULT_TRIGGERS: Mapping[str, str] = {
    "google": IDLE,
    "kissmetrics": IDLE,
    "facebook_pixel": IDLE,
    "hubspot": INTERACTION,
    "fullstory": INTERACTION,
    "drift": FACADE,
}


def _valid(service: Any, trigger: Any) -> bool:
    if service not in SERVICES_BY_NAME or trigger not in TRIGGERS:
        return False
    return trigger != FACADE or service in FACADE_SERVICES


def read_triggers(config: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Area -> service -> trigger for the areas that differ, and "" -> the project-wide table.
    Invalid entries are ignored (the system check reports them)."""
    load = config.get("LOAD")
    base = dict(DEFAULT_TRIGGERS)
    if isinstance(load, Mapping):
        base.update({s: t for s, t in load.items() if _valid(s, t)})
    tables = {"": base}
    by_area = config.get("LOAD_BY_AREA")
    if isinstance(by_area, Mapping):
        for area, table in by_area.items():
            if isinstance(area, str) and isinstance(table, Mapping):
                tables[area] = {**base, **{s: t for s, t in table.items() if _valid(s, t)}}
    return tables


def trigger_for(tables: Mapping[str, Mapping[str, str]], area: str, service: str) -> str:
    return tables.get(area, tables[""]).get(service, READY)


def _check_table(table: Any, where: str) -> list[CheckMessage]:
    if not isinstance(table, Mapping):
        return [Error(f"{where} must be a dict of service name -> trigger.", id="analytix.E401")]
    errors: list[CheckMessage] = []
    for service, trigger in table.items():
        if service not in SERVICES_BY_NAME:
            errors.append(
                Error(
                    f"{where} names an unknown service {service!r}.",
                    hint=f"Services: {', '.join(s.name for s in SERVICES)}.",
                    id="analytix.E402",
                )
            )
        elif trigger not in TRIGGERS or (trigger == FACADE and service not in FACADE_SERVICES):
            allowed = [t for t in TRIGGERS if t != FACADE or service in FACADE_SERVICES]
            errors.append(
                Error(
                    f"{where}[{service!r}] = {trigger!r} is not a load trigger for {service}; "
                    "it starts with its default trigger.",
                    hint=f"Use one of {', '.join(repr(t) for t in allowed)}.",
                    id="analytix.E403",
                )
            )
    return errors


@register(Tags.compatibility)
def check_triggers(**kwargs: Any) -> list[CheckMessage]:
    from django.conf import settings

    config = getattr(settings, "ANALYTICS_CONFIG", None)
    if not isinstance(config, Mapping):
        return []  # analytix.E004
    errors: list[CheckMessage] = []
    if "LOAD" in config:
        errors += _check_table(config["LOAD"], "ANALYTICS_CONFIG['LOAD']")
    by_area = config.get("LOAD_BY_AREA")
    if by_area is not None:
        if not isinstance(by_area, Mapping):
            errors.append(
                Error(
                    "ANALYTICS_CONFIG['LOAD_BY_AREA'] must be a dict of area -> "
                    "{service: trigger}.",
                    id="analytix.E401",
                )
            )
        else:
            for area, table in by_area.items():
                errors += _check_table(table, f"ANALYTICS_CONFIG['LOAD_BY_AREA'][{area!r}]")
    return errors
