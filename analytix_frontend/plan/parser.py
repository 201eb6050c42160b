"""Reads a tracking plan (YAML text, or the same as a dict) into a `Plan`, or raises
`PlanError` listing every problem with its file and line.

Lines come from PyYAML's node marks: the text is composed into nodes once, each key's line is
noted, and the same nodes are then constructed into data by PyYAML's safe loader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analytix_frontend.decide.services import SERVICES_BY_NAME
from analytix_frontend.extras import install_hint
from analytix_frontend.plan.model import (
    CONTACT_TYPES,
    CONTACT_VENDORS,
    PROPERTY_TYPES,
    SCHEMA_KEYWORDS,
    ContactProperty,
    Event,
    Plan,
    Property,
    Where,
)

DICT_SOURCE = "ANALYTICS_CONFIG['PLAN']"
TOP_KEYS = frozenset({"events", "contact_properties"})
EVENT_KEYS = frozenset({"description", "owner", "areas", "properties", "vendors"})
PROPERTY_KEYS = frozenset({*SCHEMA_KEYWORDS, "required", "description", "owner"})
CONTACT_KEYS = frozenset({"type", "enum", "owner", "description"})

Path_ = tuple[Any, ...]


class PlanError(Exception):
    """The plan cannot be used; `problems` holds each (message, where)."""

    def __init__(self, problems: list[tuple[str, Where]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{where}: {message}" for message, where in problems))


def _yaml_lines(text: str, source: str) -> tuple[Any, dict[Path_, int]]:
    """The YAML's data and {key path: line}. Raises PlanError for bad YAML, duplicate keys."""
    try:
        import yaml
    except ImportError:
        raise PlanError(
            [(f"PyYAML is not installed: {install_hint('plan')}", Where(source))]
        ) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        if node is not None:
            _note_lines(node, (), lines, source)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        context, start = getattr(error, "context", None), getattr(error, "context_mark", None)
        if context and start is not None and start is not mark:
            problem += f" ({context}, from line {start.line + 1})"
        line = mark.line + 1 if mark is not None else 0
        raise PlanError([(f"not valid YAML: {problem}", Where(source, line))]) from None
    finally:
        loader.dispose()
    return data, lines


def _note_lines(node: Any, path: Path_, lines: dict[Path_, int], source: str) -> None:
    import yaml

    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key in seen:
                line = key_node.start_mark.line + 1
                raise PlanError([(f"{key!r} appears twice", Where(source, line))])
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _note_lines(value_node, (*path, key), lines, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _note_lines(item, (*path, index), lines, source)


class _Reader:
    """Builds the Plan from plain data, noting each problem where it is."""

    def __init__(self, source: str, lines: Mapping[Path_, int]) -> None:
        self.source = source
        self.lines = lines
        self.problems: list[tuple[str, Where]] = []

    def where(self, *path: Any) -> Where:
        while path and path not in self.lines:
            path = path[:-1]  # the nearest enclosing key that has a line
        return Where(self.source, self.lines.get(path, 0))

    def problem(self, message: str, *path: Any) -> None:
        self.problems.append((message, self.where(*path)))

    def mapping(self, value: Any, what: str, *path: Any) -> Mapping[Any, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.problem(f"{what} must be a mapping, not {type(value).__name__}", *path)
            return {}
        return value

    def text(self, value: Any, what: str, *path: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problem(f"{what} must be text", *path)
            return ""
        return value

    def unknown_keys(self, data: Mapping[Any, Any], known: frozenset[str], *path: Any) -> None:
        for key in data:
            if key not in known:
                self.problem(f"unknown key {key!r} (known: {', '.join(sorted(known))})", *path, key)

    def plan(self, data: Any) -> Plan:
        top = self.mapping(data, "the plan")
        self.unknown_keys(top, TOP_KEYS)
        events = {}
        for name, raw in self.mapping(top.get("events"), "events", "events").items():
            if not isinstance(name, str) or not name.strip():
                self.problem(f"an event name must be non-empty text, not {name!r}", "events", name)
                continue
            events[name] = self.event(name, raw)
        contacts: dict[str, dict[str, ContactProperty]] = {}
        raw_contacts = self.mapping(
            top.get("contact_properties"), "contact_properties", "contact_properties"
        )
        for vendor, props in raw_contacts.items():
            path = ("contact_properties", vendor)
            if vendor not in CONTACT_VENDORS:
                self.problem(
                    f"unknown vendor {vendor!r} for contact properties (known: "
                    f"{', '.join(CONTACT_VENDORS)})",
                    *path,
                )
                continue
            contacts[vendor] = {
                str(name): self.contact(vendor, str(name), raw, (*path, name))
                for name, raw in self.mapping(props, f"contact_properties.{vendor}", *path).items()
            }
        if self.problems:
            raise PlanError(self.problems)
        return Plan(self.source, events, contacts)

    def event(self, name: str, raw: Any) -> Event:
        path = ("events", name)
        data = self.mapping(raw, f"event {name!r}", *path)
        self.unknown_keys(data, EVENT_KEYS, *path)
        areas = data.get("areas")
        if areas is not None and (
            not isinstance(areas, list) or not all(isinstance(a, str) for a in areas)
        ):
            self.problem("areas must be a list of page area names", *path, "areas")
            areas = None
        vendors: dict[str, str] = {}
        vendor_where: dict[str, Where] = {}
        for service, vendor_name in self.mapping(
            data.get("vendors"), "vendors", *path, "vendors"
        ).items():
            if service not in SERVICES_BY_NAME:
                self.problem(
                    f"unknown vendor {service!r} (known: {', '.join(SERVICES_BY_NAME)})",
                    *path,
                    "vendors",
                    service,
                )
            elif not isinstance(vendor_name, str) or not vendor_name.strip():
                self.problem(
                    f"the name for {service} must be non-empty text", *path, "vendors", service
                )
            else:
                vendors[service] = vendor_name
                vendor_where[service] = self.where(*path, "vendors", service)
        properties = tuple(
            self.property(str(prop), value, (*path, "properties", prop))
            for prop, value in self.mapping(
                data.get("properties"), "properties", *path, "properties"
            ).items()
        )
        return Event(
            name=name,
            description=self.text(data.get("description"), "description", *path, "description"),
            owner=self.text(data.get("owner"), "owner", *path, "owner"),
            areas=tuple(areas) if areas is not None else None,
            properties=properties,
            vendors=vendors,
            where=self.where(*path),
            vendor_where=vendor_where,
        )

    def property(self, name: str, raw: Any, path: Path_) -> Property:
        data = self.mapping(raw, f"property {name!r}", *path)
        self.unknown_keys(data, PROPERTY_KEYS, *path)
        schema = {key: data[key] for key in SCHEMA_KEYWORDS if key in data}
        self.check_schema(schema, PROPERTY_TYPES, path)
        required = data.get("required", False)
        if not isinstance(required, bool):
            self.problem("required must be true or false", *path, "required")
        return Property(
            name=name,
            schema=schema,
            required=required is True,
            description=self.text(data.get("description"), "description", *path, "description"),
            owner=self.text(data.get("owner"), "owner", *path, "owner"),
            where=self.where(*path),
        )

    def check_schema(self, schema: Mapping[str, Any], types: tuple[str, ...], path: Path_) -> None:
        kind = schema.get("type")
        if kind is not None and kind not in types:
            self.problem(f"type {kind!r} is not one of {', '.join(types)}", *path, "type")
        enum = schema.get("enum")
        if enum is not None and (
            not isinstance(enum, list)
            or not enum
            or not all(isinstance(v, (str, int, float)) for v in enum)
        ):
            self.problem(
                "enum must be a non-empty list of text, numbers or booleans", *path, "enum"
            )
        for key in ("minimum", "maximum"):
            value = schema.get(key)
            if key in schema and (isinstance(value, bool) or not isinstance(value, (int, float))):
                self.problem(f"{key} must be a number", *path, key)
        for key in ("minLength", "maxLength"):
            value = schema.get(key)
            if key in schema and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                self.problem(f"{key} must be a whole number >= 0", *path, key)
        if "pattern" in schema:
            try:
                re.compile(str(schema["pattern"]))
            except re.error as error:
                self.problem(f"pattern is not a regular expression: {error}", *path, "pattern")

    def contact(self, vendor: str, name: str, raw: Any, path: Path_) -> ContactProperty:
        data = self.mapping(raw, f"contact property {name!r}", *path)
        self.unknown_keys(data, CONTACT_KEYS, *path)
        kind = data.get("type", "string")
        if kind not in CONTACT_TYPES:
            self.problem(f"type {kind!r} is not one of {', '.join(CONTACT_TYPES)}", *path, "type")
            kind = "string"
        enum = data.get("enum")
        if enum is not None and (not isinstance(enum, list) or not enum):
            self.problem("enum must be a non-empty list", *path, "enum")
            enum = None
        return ContactProperty(
            vendor=vendor,
            name=name,
            type=kind,
            enum=tuple(enum) if enum is not None else None,
            owner=self.text(data.get("owner"), "owner", *path, "owner"),
            description=self.text(data.get("description"), "description", *path, "description"),
            where=self.where(*path),
        )


def parse_plan_text(text: str, source: str) -> Plan:
    data, lines = _yaml_lines(text, source)
    return _Reader(source, lines).plan(data)


def plan_from_dict(data: Any, source: str = DICT_SOURCE) -> Plan:
    return _Reader(source, {}).plan(data)


def read_plan(setting: Any) -> Plan:
    """The plan from ANALYTICS_CONFIG["PLAN"]: a path to a YAML file, or a dict."""
    if isinstance(setting, Mapping):
        return plan_from_dict(setting)
    if not isinstance(setting, (str, Path)):
        raise PlanError(
            [
                (
                    f"must be a path to a YAML file or a dict, not {type(setting).__name__}",
                    Where(DICT_SOURCE),
                )
            ]
        )
    path = Path(setting)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlanError([(f"cannot be read: {error}", Where(str(path)))]) from None
    return parse_plan_text(text, str(path))
