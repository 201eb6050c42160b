"""The events directory for people: Markdown (for a wiki) and HTML (a page a marketing team
reads, with areas and each vendor's name per event; every value escaped). `export.py` has
the machine formats."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.html import escape

from analytix_frontend.plan.model import SCHEMA_KEYWORDS, Plan

CONSTRAINTS = tuple(k for k in SCHEMA_KEYWORDS if k not in ("type", "enum"))


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
