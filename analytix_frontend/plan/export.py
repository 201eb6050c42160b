"""The events directory, generated from the plan: CSV (columns a Segment-style tracking-plan
import reads, then ours), Markdown, HTML (a page a marketing team reads: areas and vendor
names per event), and JSON Schema (one schema per event). CSV and JSON Schema read back into
the same plan (`plan_dict_from_csv`, `plan_dict_from_jsonschema`): a team may keep either.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from django.utils.html import escape

from analytix_frontend.plan.model import SCHEMA_KEYWORDS, ContactProperty, Event, Plan, Property

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
CONSTRAINTS = tuple(k for k in SCHEMA_KEYWORDS if k not in ("type", "enum"))


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


# --- Markdown and HTML


def _constraint_text(schema: Mapping[str, Any]) -> str:
    parts = []
    if "enum" in schema:
        parts.append("one of " + ", ".join(f"`{v}`" for v in schema["enum"]))
    parts += [f"{k} {schema[k]}" for k in CONSTRAINTS if k in schema]
    return "; ".join(parts)


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def export_md(plan: Plan) -> str:
    lines = [
        "# Directory of events and properties we track",
        "",
        f"Generated from `{plan.source}`: edit the plan, not this file.",
        "",
    ]
    for event in plan.events.values():
        lines += [f"## `{event.name}`", ""]
        if event.description:
            lines += [_md(event.description), ""]
        areas = ", ".join(event.areas) if event.areas is not None else "every area"
        vendors = ", ".join(f"{s}: `{n}`" for s, n in event.vendors.items()) or "the plan's name"
        lines += [
            f"- Owner: {_md(event.owner or '-')}",
            f"- Areas: {areas}",
            f"- Vendor names: {vendors}",
            "",
        ]
        if event.properties:
            lines += [
                "| property | type | required | allowed | description |",
                "|---|---|---|---|---|",
            ]
            for p in event.properties:
                lines.append(
                    f"| `{p.name}` | {p.schema.get('type', 'any')} | "
                    f"{'yes' if p.required else 'no'} | {_md(_constraint_text(p.schema))}"
                    f" | {_md(p.description)} |"
                )
            lines.append("")
    for vendor, props in plan.contact_properties.items():
        lines += [
            f"## Contact properties: {vendor}",
            "",
            "| property | type | owner |",
            "|---|---|---|",
        ]
        lines += [f"| `{p.name}` | {p.type} | {_md(p.owner or '-')} |" for p in props.values()]
        lines.append("")
    return "\n".join(lines)


def directory_html(plan: Plan) -> str:
    """The directory as an HTML fragment (a <section> per event), every value escaped."""
    parts = []
    for event in plan.events.values():
        areas = ", ".join(event.areas) if event.areas is not None else "every area"
        vendors = (
            "".join(
                f"<li>{escape(s)}: <code>{escape(n)}</code></li>" for s, n in event.vendors.items()
            )
            or "<li>each vendor gets the plan's name</li>"
        )
        rows = "".join(
            f"<tr><td><code>{escape(p.name)}</code></td><td>{escape(p.schema.get('type', 'any'))}"
            f"</td><td>{'yes' if p.required else 'no'}</td>"
            f"<td>{escape(_constraint_text(p.schema))}</td><td>{escape(p.description)}</td></tr>"
            for p in event.properties
        )
        table = (
            "<table><thead><tr><th>property</th><th>type</th><th>required</th><th>allowed</th>"
            f"<th>description</th></tr></thead><tbody>{rows}</tbody></table>"
            if rows
            else "<p>No properties.</p>"
        )
        parts.append(
            f'<section class="plan-event" id="event-{escape(event.name)}">'
            f"<h3><code>{escape(event.name)}</code></h3><p>{escape(event.description)}</p>"
            f"<dl><dt>Owner</dt><dd>{escape(event.owner or '-')}</dd><dt>Areas</dt>"
            f"<dd>{escape(areas)}</dd><dt>Vendor names</dt><dd><ul>{vendors}</ul></dd></dl>"
            f"{table}</section>"
        )
    for vendor, props in plan.contact_properties.items():
        rows = "".join(
            f"<tr><td><code>{escape(p.name)}</code></td><td>{escape(p.type)}</td>"
            f"<td>{escape(p.owner or '-')}</td><td>{escape(p.description)}</td></tr>"
            for p in props.values()
        )
        parts.append(
            f'<section class="plan-contacts"><h3>Contact properties: {escape(vendor)}</h3>'
            "<table><thead><tr><th>property</th><th>type</th><th>owner</th><th>description</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></section>"
        )
    return "\n".join(parts)


def export_html(plan: Plan) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Directory of events and properties we track</title>"
        "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:.2rem .5rem;text-align:left}section{margin-bottom:2rem}</style></head><body>"
        "<h1>Directory of events and properties we track</h1>"
        f"<p>Generated from <code>{escape(plan.source)}</code>: edit the plan, not this page."
        f"</p>\n{directory_html(plan)}\n</body></html>\n"
    )


def export(plan: Plan, fmt: str) -> str:
    return {
        "csv": export_csv,
        "md": export_md,
        "html": export_html,
        "jsonschema": export_jsonschema,
    }[fmt](plan)
