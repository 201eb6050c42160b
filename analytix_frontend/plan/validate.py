"""The one validator: does an event (name and properties) or a contact property match the
plan? The system checks, the server's run-time check, `assert_tracked` and the exporter's
JSON Schemas all go through here; the browser's tiny validator (static/analytix/js/plan.js)
is held to the same answers by one shared table of cases (tests/data/plan_cases.json).

Properties are validated with jsonschema (Draft 2020-12) against `Event.schema()`; each
problem carries a stable code, "<keyword>:<property>" (e.g. "enum:method", "required:method";
"unknown:colour" for a property the plan lacks; "unplanned"), which both validators produce alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analytix_frontend.plan.model import ContactProperty, Event, Plan

UNPLANNED = "unplanned"


@dataclass(frozen=True)
class Problem:
    code: str  # "unplanned", "<keyword>:<property>"
    message: str  # for people: the property and what is wrong (never its value in full)

    def __str__(self) -> str:
        return self.message


_validators: dict[int, tuple[Event, Any]] = {}  # id(event) -> (event, its validator)


def _validator(event: Event) -> Any:
    """The event's compiled validator, made once per Event object (a plan is read once)."""
    cached = _validators.get(id(event))
    if cached is not None and cached[0] is event:
        return cached[1]
    from jsonschema import Draft202012Validator

    if len(_validators) > 4096:  # plans read again and again (DEBUG): stay bounded
        _validators.clear()
    validator = Draft202012Validator(event.schema())
    _validators[id(event)] = (event, validator)
    return validator


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def property_problems(event: Event, properties: Mapping[str, Any] | None) -> list[Problem]:
    """What is wrong with these properties for this planned event ([] when nothing)."""
    instance = dict(properties or {})
    problems: list[Problem] = []
    for error in _validator(event).iter_errors(instance):
        keyword = str(error.validator)
        if keyword == "required":
            for name in error.validator_value:
                if name not in instance:
                    problems.append(Problem(f"required:{name}", f"{name}: required, missing"))
        elif keyword == "additionalProperties":
            known = {p.name for p in event.properties}
            for name in instance:
                if name not in known:
                    problems.append(
                        Problem(
                            f"unknown:{name}",
                            f"{name}: not a property of this event in the plan",
                        )
                    )
        elif error.absolute_path:
            name = str(error.absolute_path[0])
            problems.append(
                Problem(
                    f"{keyword}:{name}",
                    f"{name}: {_short(error.instance)} fails {keyword} "
                    f"{_short(error.validator_value)}",
                )
            )
        else:
            problems.append(Problem(keyword, error.message[:200]))
    return sorted(problems, key=lambda p: p.code)


def event_problems(plan: Plan, name: str, properties: Mapping[str, Any] | None) -> list[Problem]:
    """What is wrong with tracking `name` with these properties, by the plan."""
    event = plan.events.get(name)
    if event is None:
        return [Problem(UNPLANNED, f"event {name!r} is not in the plan")]
    return property_problems(event, properties)


def contact_problems(plan: Plan, vendor: str, properties: Mapping[str, Any]) -> list[Problem]:
    """What is wrong with setting these contact properties of a person on this vendor."""
    from jsonschema import Draft202012Validator

    planned = plan.contact(vendor)
    problems = []
    for name, value in properties.items():
        prop: ContactProperty | None = planned.get(str(name))
        if prop is None:
            problems.append(
                Problem(
                    f"{UNPLANNED}:{name}", f"{name}: not a {vendor} contact property in the plan"
                )
            )
        elif value is not None:  # None clears the property
            for error in Draft202012Validator(prop.schema()).iter_errors(value):
                problems.append(
                    Problem(
                        f"{error.validator}:{name}",
                        f"{name}: {_short(value)} fails {error.validator} "
                        f"{_short(error.validator_value)}",
                    )
                )
    return problems
