"""`manage.py analytix_report`: which service runs in which area, for which visitor, and why not.

For QA: "why doesn't FullStory load on signup here?" The answer is the cell for signup x
FullStory, and the reasons listed under the table. The request rules (consent, Global Privacy
Control, internal traffic, conditions, previews) are applied to a visitor you describe
(`--cookie`, `--ip`, `--header`, `--user`, `--gpc`, `--path`), with the same code the page runs;
without them, to a visitor who sends nothing from an outside address. The answers: qa/report.py.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytix_frontend.decide.settings import get_settings
from analytix_frontend.qa.report import (
    OUTSIDE_ADDRESS,
    as_json,
    decide_table,
    describe_delivery,
    describe_rules,
    describe_visitor,
    reasons,
    settings_lines,
    table_text,
    visitor_request,
)


class Command(BaseCommand):
    help = (
        "Print the page area x service table for the current settings and a visitor you "
        "describe, with every reason."
    )
    # It must run when the settings are wrong: an invalid id is one of the answers it gives.
    requires_system_checks = ()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", action="append", help="Only this area (repeatable).")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        visitor = parser.add_argument_group("the visitor (as the page's request rules see them)")
        visitor.add_argument("--path", default="/", help="The page's path (default /).")
        visitor.add_argument(
            "--cookie", action="append", default=[], metavar="NAME=VALUE", help="A cookie sent."
        )
        visitor.add_argument(
            "--header", action="append", default=[], metavar="NAME=VALUE", help="A header sent."
        )
        visitor.add_argument(
            "--ip", default=OUTSIDE_ADDRESS, help=f"The client address (default {OUTSIDE_ADDRESS})."
        )
        visitor.add_argument("--user", help="Signed in as this user (username or pk).")
        visitor.add_argument(
            "--gpc", action="store_true", help="The browser sends Global Privacy Control."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = get_settings()
        areas = options["area"] or sorted(config.areas)
        unknown = [area for area in areas if area not in config.areas]
        if unknown:
            raise CommandError(
                f"Unknown area(s): {', '.join(unknown)}. Known: {', '.join(sorted(config.areas))}."
            )
        request = visitor_request(options)
        table = decide_table(areas, request)
        if options["json"]:
            self.stdout.write(json.dumps(as_json(table), indent=2))
            return
        for line in settings_lines():
            self.stdout.write(line)
        self.stdout.write(f"first-party JS: {describe_delivery()}")
        self.stdout.write(f"request rules: {describe_rules()}")
        self.stdout.write(f"visitor: {describe_visitor(options)}")
        self.stdout.write(table_text(table))
        why = reasons(table)
        if why:
            self.stdout.write("\nWhy not on:")
            for line in why:
                self.stdout.write(f"  {line}")
