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

from analytix_frontend.decide.services import SERVICES_BY_NAME

READY = "ready"
IDLE = "idle"
INTERACTION = "interaction"
FACADE = "facade"
TRIGGERS: tuple[str, ...] = (READY, IDLE, INTERACTION, FACADE)
FACADE_SERVICES = frozenset({"drift"})  # services with a first-party facade

# Page views: Google, Meta Pixel, Kissmetrics and HubSpot count them (HubSpot's tracking code
# sends its page view and sets the hubspotutk cookie as soon as it runs), so they start on
# every page view, in idle time after load. FullStory replays what a visitor does, so it waits
# for the first interaction; Drift shows its launcher until it is wanted.
DEFAULT_TRIGGERS: Mapping[str, str] = {
    "google": IDLE,
    "kissmetrics": IDLE,
    "facebook_pixel": IDLE,
    "hubspot": IDLE,
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
