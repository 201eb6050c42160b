"""The events directory, generated from the plan: CSV (columns a Segment-style tracking-plan
import reads, then ours), JSON Schema (one schema per event), and Markdown and HTML
(directory.py). CSV and JSON Schema read back into the same plan (`plan_dict_from_csv`,
`plan_dict_from_jsonschema`): a team may keep either.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from analytix_frontend.plan.directory import CONSTRAINTS, export_html, export_md
from analytix_frontend.plan.model import ContactProperty, Event, Plan, Property

FORMATS = ("csv", "md", "html", "jsonschema")
# The first eight are the usual tracking-plan spreadsheet's (Segment's CSV upload template);
# the rest are this package's.
CSV_COLUMNS = (
    "Event Type",
    "Event Name",
    "Event Description",
    "Property Name",
    "Property Description",
    "Property Type",
    "Required",
    "Allowed Values",
    "Owner",
    "Property Owner",
    "Areas",
    "Vendor Names",
    "Constraints",
)
TRACK, IDENTIFY = "Track", "Identify"


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as ANALYTICS_CONFIG["PLAN"] would hold it (what the YAML says)."""
    events: dict[str, Any] = {}
    for event in plan.events.values():
        data: dict[str, Any] = {}
        for key in ("description", "owner"):
            if getattr(event, key):
                data[key] = getattr(event, key)
        if event.areas is not None:
            data["areas"] = list(event.areas)
        if event.properties:
            data["properties"] = {p.name: _property_dict(p) for p in event.properties}
        if event.vendors:
            data["vendors"] = dict(event.vendors)
        events[event.name] = data
    result: dict[str, Any] = {"events": events}
    contacts = {
        vendor: {name: _contact_dict(p) for name, p in props.items()}
        for vendor, props in plan.contact_properties.items()
    }
    if contacts:
        result["contact_properties"] = contacts
    return result


def _property_dict(prop: Property) -> dict[str, Any]:
    data = dict(prop.schema)
    if prop.required:
        data["required"] = True
    for key in ("description", "owner"):
        if getattr(prop, key):
            data[key] = getattr(prop, key)
    return data


def _contact_dict(prop: ContactProperty) -> dict[str, Any]:
    data: dict[str, Any] = {"type": prop.type}
    if prop.enum is not None:
        data["enum"] = list(prop.enum)
    for key in ("owner", "description"):
        if getattr(prop, key):
            data[key] = getattr(prop, key)
    return data


# --- CSV


def export_csv(plan: Plan) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for event in plan.events.values():
        common = {
            "Event Type": TRACK,
            "Event Name": event.name,
            "Event Description": event.description,
            "Owner": event.owner,
            "Areas": "" if event.areas is None else ", ".join(event.areas) or "(none)",
            "Vendor Names": "; ".join(f"{s}={n}" for s, n in event.vendors.items()),
        }
        if not event.properties:
            writer.writerow(common)
        for prop in event.properties:
            writer.writerow({**common, **_property_row(prop)})
    for vendor, contacts in plan.contact_properties.items():
        for contact in contacts.values():
            writer.writerow(
                {
                    "Event Type": IDENTIFY,
                    "Property Name": contact.name,
                    "Property Description": contact.description,
                    "Property Type": contact.type,
                    "Allowed Values": _values(contact.enum),
                    "Owner": contact.owner,
                    "Vendor Names": vendor,
                }
            )
    return out.getvalue()


def _values(enum: Any) -> str:
    return " | ".join(str(v) for v in enum) if enum is not None else ""


def _property_row(prop: Property) -> dict[str, str]:
    constraints = {k: prop.schema[k] for k in CONSTRAINTS if k in prop.schema}
    return {
        "Property Name": prop.name,
        "Property Description": prop.description,
        "Property Type": str(prop.schema.get("type", "any")),
        "Required": "true" if prop.required else "false",
        "Allowed Values": _values(prop.schema.get("enum")),
        "Constraints": json.dumps(constraints) if constraints else "",
        "Property Owner": prop.owner,
    }


def _typed_values(text: str, kind: str) -> list[Any]:
    values: list[Any] = [v.strip() for v in text.split("|")]
    if kind == "integer":
        return [int(v) for v in values]
    if kind == "number":
        return [float(v) for v in values]
    return values


def plan_dict_from_csv(text: str) -> dict[str, Any]:
    """A plan dict from the CSV `export_csv` writes (or a spreadsheet with those columns)."""
    events: dict[str, Any] = {}
    contacts: dict[str, Any] = {}
    for row in csv.DictReader(io.StringIO(text)):
        row = {k: (v or "").strip() for k, v in row.items() if k}
        kind = row.get("Property Type", "")
        if row.get("Event Type") == IDENTIFY:
            prop: dict[str, Any] = {"type": kind or "string"}
            if row.get("Allowed Values"):
                prop["enum"] = _typed_values(row["Allowed Values"], kind)
            if row.get("Owner"):
                prop["owner"] = row["Owner"]
            if row.get("Property Description"):
                prop["description"] = row["Property Description"]
            contacts.setdefault(row.get("Vendor Names", ""), {})[row["Property Name"]] = prop
            continue
        event = events.setdefault(row["Event Name"], {})
        for column, key in (("Event Description", "description"), ("Owner", "owner")):
            if row.get(column):
                event[key] = row[column]
        if row.get("Areas"):
            areas = row["Areas"]
            event["areas"] = [] if areas == "(none)" else [a.strip() for a in areas.split(",")]
        if row.get("Vendor Names"):
            pairs = (p.partition("=") for p in row["Vendor Names"].split(";"))
            event["vendors"] = {s.strip(): n.strip() for s, _, n in pairs}
        if row.get("Property Name"):
            data: dict[str, Any] = {} if kind in ("", "any") else {"type": kind}
            if row.get("Allowed Values"):
                data["enum"] = _typed_values(row["Allowed Values"], kind)
            if row.get("Constraints"):
                data.update(json.loads(row["Constraints"]))
            if row.get("Required", "").lower() == "true":
                data["required"] = True
            if row.get("Property Description"):
                data["description"] = row["Property Description"]
            if row.get("Property Owner"):
                data["owner"] = row["Property Owner"]
            event.setdefault("properties", {})[row["Property Name"]] = data
    result: dict[str, Any] = {"events": events}
    if contacts:
        result["contact_properties"] = contacts
    return result


# --- JSON Schema


def event_json_schema(event: Event) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": event.name, **event.schema()}
    if event.description:
        schema["description"] = event.description
    for prop in event.properties:
        extra = {k: getattr(prop, k) for k in ("description", "owner") if getattr(prop, k)}
        schema["properties"][prop.name].update(
            {("x-owner" if k == "owner" else k): v for k, v in extra.items()}
        )
    meta: dict[str, Any] = {
        k: v for k, v in (("owner", event.owner), ("vendors", dict(event.vendors))) if v
    }
    if event.areas is not None:
        meta["areas"] = list(event.areas)
    if meta:
        schema["x-analytix"] = meta
    return schema


def export_jsonschema(plan: Plan) -> str:
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Tracking plan",
        "description": f"Generated from {plan.source} by manage.py analytix_plan export.",
        "$defs": {name: event_json_schema(event) for name, event in plan.events.items()},
        "x-analytix-contact-properties": {
            vendor: {name: _contact_dict(p) for name, p in props.items()}
            for vendor, props in plan.contact_properties.items()
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def plan_dict_from_jsonschema(text: str) -> dict[str, Any]:
    document = json.loads(text)
    events: dict[str, Any] = {}
    for name, schema in document.get("$defs", {}).items():
        event: dict[str, Any] = {}
        meta = schema.get("x-analytix", {})
        if schema.get("description"):
            event["description"] = schema["description"]
        if meta.get("owner"):
            event["owner"] = meta["owner"]
        if "areas" in meta:
            event["areas"] = meta["areas"]
        required = set(schema.get("required", []))
        properties = {}
        for prop_name, prop_schema in schema.get("properties", {}).items():
            data = {("owner" if k == "x-owner" else k): v for k, v in prop_schema.items()}
            if prop_name in required:
                data["required"] = True
            properties[prop_name] = data
        if properties:
            event["properties"] = properties
        if meta.get("vendors"):
            event["vendors"] = meta["vendors"]
        events[name] = event
    result: dict[str, Any] = {"events": events}
    if document.get("x-analytix-contact-properties"):
        result["contact_properties"] = document["x-analytix-contact-properties"]
    return result


def export(plan: Plan, fmt: str) -> str:
    return {
        "csv": export_csv,
        "md": export_md,
        "html": export_html,
        "jsonschema": export_jsonschema,
    }[fmt](plan)
