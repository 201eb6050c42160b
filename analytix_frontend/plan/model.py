"""The tracking plan as plain, frozen data: events, their properties and vendor names, and the
contact properties the server side sets. `parser.py` builds it; everything else reads it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The JSON Schema keywords a planned property may use: the subset that the server's validator
# (jsonschema) and the browser's (plan.js) read alike (tests/data/plan_cases.json proves it).
PROPERTY_TYPES = ("string", "integer", "number", "boolean", "array", "object")
SCHEMA_KEYWORDS = ("type", "enum", "minimum", "maximum", "minLength", "maxLength", "pattern")
# Contact properties also know dates, as text in ISO form ("2026-12-01", with a time for datetime).
CONTACT_TYPES = ("string", "integer", "number", "boolean", "date", "datetime")
CONTACT_VENDORS = ("hubspot", "kissmetrics")


@dataclass(frozen=True)
class Where:
    """A place in a file: the plan's YAML, a template, a script. line 0: no line known."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}" if self.line else self.file


@dataclass(frozen=True)
class Property:
    name: str
    schema: Mapping[str, Any]  # JSON Schema of the value (SCHEMA_KEYWORDS only)
    required: bool = False
    description: str = ""
    owner: str = ""
    where: Where = Where("")


@dataclass(frozen=True)
class Event:
    name: str  # what page code passes to track()
    description: str = ""
    owner: str = ""
    areas: tuple[str, ...] | None = None  # where it may fire; None: anywhere
    properties: tuple[Property, ...] = ()
    vendors: Mapping[str, str] = field(default_factory=dict)  # service -> the name it gets
    where: Where = Where("")
    vendor_where: Mapping[str, Where] = field(default_factory=dict)

    def vendor_name(self, service: str) -> str:
        return self.vendors.get(service, self.name)

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of this event's properties (no property outside the plan)."""
        return {
            "type": "object",
            "properties": {p.name: dict(p.schema) for p in self.properties},
            "required": [p.name for p in self.properties if p.required],
            "additionalProperties": False,
        }


@dataclass(frozen=True)
class ContactProperty:
    vendor: str  # "hubspot" or "kissmetrics"
    name: str
    type: str = "string"  # CONTACT_TYPES
    enum: tuple[Any, ...] | None = None
    owner: str = ""
    description: str = ""
    where: Where = Where("")

    def schema(self) -> dict[str, Any]:
        json_type = "string" if self.type in ("date", "datetime") else self.type
        schema: dict[str, Any] = {"type": json_type}
        if self.enum is not None:
            schema["enum"] = list(self.enum)
        return schema


@dataclass(frozen=True)
class Plan:
    source: str  # the file, or "ANALYTICS_CONFIG['PLAN']" for a dict
    events: Mapping[str, Event]
    contact_properties: Mapping[str, Mapping[str, ContactProperty]]  # vendor -> name -> it

    def contact(self, vendor: str) -> Mapping[str, ContactProperty]:
        return self.contact_properties.get(vendor, {})
