"""`manage.py analytix_report`: which service runs in which area with these settings, and why not.

For QA: "why doesn't FullStory load on signup here?" The answer is the cell for signup x
fullstory, and the reasons listed under the table. Request-level rules (consent, privacy
signals, per-service conditions) are decided per visitor and are not part of this table.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytix_frontend.conf import get_settings
from analytix_frontend.decisions import ServiceDecision, decide_services
from analytix_frontend.services import SERVICES


class Command(BaseCommand):
    help = "Print the page area x service table for the current settings, with every reason."
    # It must run when the settings are wrong: an invalid id is one of the answers it gives.
    requires_system_checks = ()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", action="append", help="Only this area (repeatable).")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args: Any, **options: Any) -> None:
        config = get_settings()
        areas = options["area"] or sorted(config.areas)
        unknown = [area for area in areas if area not in config.areas]
        if unknown:
            raise CommandError(
                f"Unknown area(s): {', '.join(unknown)}. Known: {', '.join(sorted(config.areas))}."
            )
        table = {area: decide_services(area) for area in areas}
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(table), indent=2))
            return
        env_state = "analytics on" if config.analytics_environment else "analytics off"
        self.stdout.write(
            f"SERVER_ENVIRONMENT={config.server_environment!r} "
            f"ENVIRONMENTS={list(config.environments)!r} DEBUG={config.debug} -> {env_state}; "
            f"LOG_LEVEL={config.log_level!r}"
        )
        self.stdout.write(_table(table))
        reasons = _reasons(table)
        if reasons:
            self.stdout.write("\nWhy off:")
            for line in reasons:
                self.stdout.write(f"  {line}")


def _cell(decision: ServiceDecision) -> str:
    return "on" if decision.enabled else f"off: {decision.reason}"


def _table(table: dict[str, list[ServiceDecision]]) -> str:
    header = ["area", *(s.name for s in SERVICES)]
    rows = [[area, *(_cell(d) for d in decisions)] for area, decisions in table.items()]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(lines)


def _reasons(table: dict[str, list[ServiceDecision]]) -> list[str]:
    """One line per distinct reason: area-specific ones per area, the others once per service."""
    lines: dict[str, None] = {}
    for area, decisions in table.items():
        for d in decisions:
            if d.enabled:
                continue
            where = f"{d.service.name} on {area}" if d.reason == "area" else d.service.name
            lines[f"{where}: {d.reason}: {d.detail}"] = None
    return list(lines)


def _as_json(table: dict[str, list[ServiceDecision]]) -> dict[str, Any]:
    return {
        area: {
            d.service.name: {"on": d.enabled, "reason": d.reason, "detail": d.detail}
            for d in decisions
        }
        for area, decisions in table.items()
    }
