"""The server's run-time check: the server calls ask here before they queue anything.

    PLAN_POLICY "flag" (default)  send, and report the violation
                "block"           drop the call, and report it
                "pass"            check nothing

A report is a warning on the `analytix_frontend.plan` logger (the event or property and what
is wrong, never a property's value: it may be personal data) and, while the debug toolbar
collects, an entry in the request's record (its panel counts them). The plan's vendor names
are applied here, as in the page: Kissmetrics gets `vendors.kissmetrics` when the plan sets it.

`explain_hubspot_refusal` is for the delivery code: when HubSpot answers
PROPERTY_DOESNT_EXIST, the log line names the property and what the plan says of it.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from analytix_frontend.plan.config import (
    BLOCK,
    current_plan,
    dependencies_missing,
    load_current,
    plan_policy,
)
from analytix_frontend.plan.validate import Problem, contact_problems, event_problems

logger = logging.getLogger("analytix_frontend.plan")

LABELS = {"kissmetrics": "Kissmetrics", "hubspot": "HubSpot"}


@functools.cache
def _can_check() -> bool:
    return not dependencies_missing()  # analytix.E603 says what to install


def brief(code: str) -> str:
    """A problem code in words, without the value: "method: fails enum", "the event is not
    in the plan" (plan/reports.py words the browser's reports alike)."""
    keyword, _, name = code.partition(":")
    if keyword == "unplanned":
        return f"{name}: not in the plan" if name else "the event is not in the plan"
    if keyword == "required":
        return f"{name}: required, missing"
    if keyword == "unknown":
        return f"{name}: not a property of this event in the plan"
    return f"{name}: fails {keyword}" if name else keyword


def outcome(blocked: bool) -> str:
    return "dropped (PLAN_POLICY 'block')" if blocked else "sent (PLAN_POLICY 'flag')"


def _report(what: str, problems: list[Problem], source: str) -> bool:
    """Logs and records the violation; True when the call may still go (not "block")."""
    blocked = plan_policy() == BLOCK
    briefs = [brief(p.code) for p in problems]
    logger.warning(
        "analytix plan: %s %s: %s; see %s.", what, outcome(blocked), "; ".join(briefs), source
    )
    # Imported here: server/__init__ imports the server calls, which import this module.
    from analytix_frontend.server.record import record_plan_violation

    record_plan_violation({"what": what, "problems": briefs, "blocked": blocked})
    return not blocked


# Callables told of each server event as it is asked about: (service, event, properties).
# analytix_frontend.testing.tracked_on_server adds one while a test records.
observers: list[Callable[[str, str, Mapping[str, Any]], None]] = []


def server_event(service: str, event: str, properties: Mapping[str, Any] | None) -> str | None:
    """The name `service` gets for this event, or None when the plan blocks it."""
    for observe in list(observers):
        observe(service, event, dict(properties) if isinstance(properties, Mapping) else {})
    plan = current_plan()
    if plan is None or not _can_check():
        return event
    problems = event_problems(plan, event, properties if isinstance(properties, Mapping) else {})
    what = f"{LABELS.get(service, service)} event {event!r}"
    if problems and not _report(what, problems, plan.source):
        return None
    planned = plan.events.get(event)
    return planned.vendor_name(service) if planned is not None else event


def server_contact(vendor: str, properties: Any) -> bool:
    """Whether setting these contact properties on `vendor` may go ahead."""
    plan = current_plan()
    if plan is None or not _can_check() or not isinstance(properties, Mapping):
        return True
    problems = contact_problems(plan, vendor, properties)
    what = f"{LABELS.get(vendor, vendor)} contact properties"
    return not problems or _report(what, problems, plan.source)


_MISSING_PROPERTY = re.compile(r'\\*"name\\*"\s*:\s*\\*"([A-Za-z0-9_\-]{1,100})\\*"')
_DOES_NOT_EXIST = re.compile(r'Property \\*"([A-Za-z0-9_\-]{1,100})\\*" does not exist')


def explain_hubspot_refusal(status: int | None, body: str) -> str:
    """For a HubSpot answer PROPERTY_DOESNT_EXIST: a sentence naming each missing property and
    what the plan says of it (to add to the failure's log line); "" for any other answer.
    The answer is final: the call is marked failed and not retried (a 400 never is)."""
    if status != 400 or "PROPERTY_DOESNT_EXIST" not in body:
        return ""
    names = list(dict.fromkeys(_DOES_NOT_EXIST.findall(body) + _MISSING_PROPERTY.findall(body)))
    plan, _ = load_current()
    notes = []
    for name in names or ["(unnamed)"]:
        planned = plan.contact("hubspot").get(name) if plan is not None else None
        if planned is not None:
            notes.append(
                f"{name!r}, which the plan declares ({planned.where}): create it in the "
                "HubSpot portal"
            )
        elif plan is not None:
            notes.append(f"{name!r}, which the plan ({plan.source}) does not declare either")
        else:
            notes.append(f"{name!r}")
    return (
        "; HubSpot has no contact property "
        + ", ".join(notes)
        + " (PROPERTY_DOESNT_EXIST: final, not retried; `manage.py analytix_plan check "
        "--remote` finds these before deploy)"
    )
