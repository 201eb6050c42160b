"""System checks for the tracking plan (analytix.E601-E605, W601-W607; analytix_frontend/plan/),
also what `manage.py analytix_plan check` prints.

Nothing is reported while ANALYTICS_CONFIG["PLAN"] is unset. Each finding names the file and
line it comes from: the plan's own line for a planned event, the template, script or module
line for code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register

from analytix_frontend.decide.settings import get_settings
from analytix_frontend.extras import install_hint
from analytix_frontend.plan import scan, vendors
from analytix_frontend.plan.config import POLICIES, dependencies_missing, load_current, plan_setting
from analytix_frontend.plan.model import Event, Plan
from analytix_frontend.plan.validate import contact_problems, property_problems

PLAN = "ANALYTICS_CONFIG['PLAN']"
VENDORS_HINT = (
    "Known vendors: google, hubspot, kissmetrics, drift, fullstory, facebook_pixel (contact "
    "properties: hubspot, kissmetrics)."
)
SOURCES = {"template": "template", "javascript": "script", "python": "Python code"}


def _settings_messages() -> list[CheckMessage]:
    from django.conf import settings

    config = getattr(settings, "ANALYTICS_CONFIG", None)
    config = config if isinstance(config, Mapping) else {}
    messages: list[CheckMessage] = []
    policy = config.get("PLAN_POLICY", "flag")
    if policy not in POLICIES:
        messages.append(
            Error(
                f"ANALYTICS_CONFIG['PLAN_POLICY'] = {policy!r} is not a plan policy; "
                "events are flagged (the default).",
                hint=f"Use one of {', '.join(repr(p) for p in POLICIES)}.",
                id="analytix.E604",
            )
        )
    reports = config.get("PLAN_REPORTS", True)
    if not isinstance(reports, bool):
        messages.append(
            Error(
                f"ANALYTICS_CONFIG['PLAN_REPORTS'] = {reports!r} is not True or False; "
                "pages report their plan violations (the default).",
                hint="Use True (pages report violations to the server's log) or False.",
                id="analytix.E605",
            )
        )
    missing = dependencies_missing() if "PLAN" in config else []
    if missing:
        messages.append(
            Error(
                f"{PLAN} is set but {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not installed, so the plan is "
                "neither read nor checked.",
                hint=install_hint("plan") + ".",
                id="analytix.E603",
            )
        )
    return messages


def _plan_or_errors() -> tuple[Plan | None, list[CheckMessage]]:
    plan, error = load_current(fresh=True)
    if error is None:
        return plan, []
    messages: list[CheckMessage] = []
    for message, where in error.problems:
        text = f"{where}: tracking plan: {message}."
        if "unknown vendor" in message:
            messages.append(Error(text, hint=VENDORS_HINT, id="analytix.E602"))
        else:
            messages.append(
                Error(text, hint="See docs/plan.md for the format.", id="analytix.E601")
            )
    return None, messages


def _routing_messages() -> list[CheckMessage]:
    from analytix_frontend.plan.browser import plan_url

    if plan_url() != "":
        return []
    return [
        Warning(
            "The tracking plan is checked in the page, but the URLconf does not route "
            "analytix_frontend.urls, so pages cannot fetch it and send events unchecked.",
            hint='Add path("analytix/", include("analytix_frontend.urls")) to your URLconf, '
            "or set ANALYTICS_CONFIG['PLAN_POLICY'] = 'pass'.",
            id="analytix.W606",
        )
    ]


def services_reached(event: Event) -> list[str]:
    """The services of the areas where the event may fire (every area when it names none)."""
    areas = get_settings().areas
    names = event.areas if event.areas is not None else tuple(areas)
    return list(dict.fromkeys(s for area in names for s in areas.get(area, ())))


def _vendor_name_hint(event: Event, service: str) -> str:
    """W603's fix for this vendor: its own name for the event, or another name or property."""
    example = re.sub(r"[^a-z0-9]+", "_", event.name.lower()).strip("_") or "event_name"
    if service == "facebook_pixel":  # Meta's standard events are CamelCase: the message names it
        example = "CompleteRegistration"
    return (
        f"Give {service} a name it takes under the event's `vendors:` (e.g. "
        f"`{service}: {example}`), or rename the event or the property the message names."
    )


def plan_messages(plan: Plan) -> list[CheckMessage]:
    """What is wrong in the plan itself: unknown areas, names a vendor drops."""
    messages: list[CheckMessage] = []
    known_areas = get_settings().areas
    for event in plan.events.values():
        for area in event.areas or ():
            if area not in known_areas:
                messages.append(
                    Warning(
                        f"{event.where}: planned event {event.name!r} names the unknown page "
                        f"area {area!r}.",
                        hint=f"Known areas: {', '.join(sorted(known_areas))}.",
                        id="analytix.W607",
                    )
                )
        for service in services_reached(event):
            for problem in vendors.event_problems(event, [service]):
                messages.append(
                    Warning(
                        f"{event.where}: planned event {event.name!r}: {problem}.",
                        hint=_vendor_name_hint(event, service),
                        id="analytix.W603",
                    )
                )
    for by_name in plan.contact_properties.values():
        for prop in by_name.values():
            for problem in vendors.contact_property_problems(prop):
                messages.append(
                    Warning(
                        f"{prop.where}: {problem}.",
                        id="analytix.W603",
                        hint="Use the property's internal name as the vendor shows it.",
                    )
                )
    return messages


def code_messages(plan: Plan, found: Iterable[scan.Found]) -> list[CheckMessage]:
    """Code that tracks what the plan lacks, sets what it does not declare, or sends
    properties it would refuse; and planned events that nothing tracks."""
    messages: list[CheckMessage] = []
    tracked: set[str] = set()
    for item in found:
        if item.kind != scan.EVENT:
            if contact_problems(plan, item.kind, {item.name: None}):
                messages.append(
                    Warning(
                        f"{item.where}: the {item.kind} contact property {item.name!r} that "
                        "this code sets is not in the plan.",
                        hint=f"Add it under contact_properties.{item.kind} in the plan (with "
                        "its type and owner), after checking the portal has it.",
                        id="analytix.W605",
                    )
                )
            continue
        tracked.add(item.name)
        event = plan.events.get(item.name)
        if event is None:
            messages.append(
                Warning(
                    f"{item.where}: this {SOURCES[item.source]} tracks {item.name!r}, which "
                    f"is not in the tracking plan ({plan.source}).",
                    hint=f"Add it to the plan's events, or use a planned name "
                    f"({', '.join(sorted(plan.events)[:8]) or 'none yet'}).",
                    id="analytix.W601",
                )
            )
            continue
        problems: list[str]
        if item.properties is not None:
            problems = [str(p) for p in property_problems(event, item.properties)]
        else:
            known = {p.name for p in event.properties}
            problems = [
                f"{name}: not a property of this event in the plan"
                for name in item.property_names or ()
                if name not in known
            ]
        if problems:
            messages.append(
                Warning(
                    f"{item.where}: {item.name!r} is tracked with properties the plan refuses: "
                    f"{'; '.join(problems)}.",
                    hint=f"Match the plan ({event.where}), or change the plan.",
                    id="analytix.W604",
                )
            )
    for event in plan.events.values():
        if event.name not in tracked:
            messages.append(
                Warning(
                    f"{event.where}: planned event {event.name!r} is tracked nowhere in the "
                    "templates, static JavaScript or Python.",
                    hint="Track it (data-analytix-event, analytix.track, a server call), or "
                    "remove it from the plan. Names built at run time cannot be seen.",
                    id="analytix.W602",
                )
            )
    return messages


def all_messages(*, with_code: bool = True) -> list[CheckMessage]:
    messages = _settings_messages()
    if plan_setting() is None or any(m.id == "analytix.E603" for m in messages):
        return messages
    plan, errors = _plan_or_errors()
    if plan is None:
        return messages + errors
    messages += plan_messages(plan) + _routing_messages()
    if with_code:
        messages += code_messages(plan, scan.scan_project())
    return messages


@register(Tags.compatibility)
def check_plan(**kwargs: Any) -> list[CheckMessage]:
    return all_messages()
