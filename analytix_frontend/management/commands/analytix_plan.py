"""`manage.py analytix_plan`: the tracking plan from the command line (docs/plan.md).

analytix_plan check [--remote]        the plan's checks, exit status 1 on any finding (CI)
analytix_plan export --format csv|md|html|jsonschema [--output FILE]
analytix_plan types [--ts FILE] [--py FILE] [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.checks import ERROR
from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytix_frontend.checks.plan import all_messages
from analytix_frontend.extras import install_hint
from analytix_frontend.plan import scan
from analytix_frontend.plan.config import dependencies_missing, load_current, plan_setting
from analytix_frontend.plan.export import FORMATS, export
from analytix_frontend.plan.model import Plan
from analytix_frontend.plan.typegen import python, typescript


class Command(BaseCommand):
    help = "Check the tracking plan against the code (and HubSpot), export it, write its types."
    requires_system_checks = ()  # `check` is the plan's own check; it must run when they fail

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        check = commands.add_parser("check", help="Find what the plan and the code disagree on.")
        check.add_argument(
            "--remote",
            action="store_true",
            help="Also ask HubSpot (read-only) whether each contact property "
            "exists with that type.",
        )
        out = commands.add_parser("export", help="The events directory.")
        out.add_argument("--format", choices=FORMATS, default="md")
        out.add_argument("--output", help="Write to this file instead of standard output.")
        types = commands.add_parser("types", help="TypeScript and Python types of the events.")
        types.add_argument("--ts", help="The TypeScript file (default: beside the plan, .d.ts).")
        types.add_argument("--py", help="The Python file (default: beside the plan, _types.py).")
        types.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit 1 when a file is missing or stale.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if plan_setting() is None:
            raise CommandError("ANALYTICS_CONFIG['PLAN'] is not set (docs/plan.md).")
        missing = dependencies_missing()
        if missing:
            raise CommandError(f"{' and '.join(missing)} missing: {install_hint('plan')}.")
        getattr(self, f"_{options['action']}")(**options)

    def _plan(self) -> Plan:
        plan, error = load_current(fresh=True)
        if plan is None:
            problems = error.problems if error else []
            raise CommandError(
                "the plan cannot be read:\n" + "\n".join(f"  {w}: {m}" for m, w in problems)
            )
        return plan

    def _check(self, remote: bool = False, **options: Any) -> None:
        messages = all_messages()
        for message in messages:
            style = self.style.ERROR if message.level >= ERROR else self.style.WARNING
            self.stdout.write(style(f"{message.id}: {message.msg}"))
            if message.hint:
                self.stdout.write(f"    HINT: {message.hint}")
        failed = bool(messages)
        if remote:
            failed = self._remote() or failed
        plan, _ = load_current(fresh=True)
        if plan is not None:
            tracked = {f.name for f in scan.scan_project() if f.kind == scan.EVENT}
            seen = sum(1 for name in plan.events if name in tracked)
            self.stdout.write(
                f"{seen} of {len(plan.events)} planned events seen in code; "
                f"{len(messages)} finding(s)."
            )
        if failed:
            sys.exit(1)

    def _remote(self) -> bool:
        from analytix_frontend.plan.remote import RemoteError, portal_properties, remote_findings

        plan = self._plan()
        try:
            portal = portal_properties()
        except RemoteError as error:
            self.stdout.write(self.style.ERROR(f"HubSpot: {error}"))
            return True
        findings = remote_findings(plan, scan.scan_project(), portal)
        for finding in findings:
            self.stdout.write(self.style.WARNING(f"HubSpot: {finding}"))
        self.stdout.write(
            f"HubSpot: {len(portal)} contact properties in the portal; {len(findings)} finding(s)."
        )
        return bool(findings)

    def _export(self, format: str = "md", output: str | None = None, **options: Any) -> None:
        text = export(self._plan(), format)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {output}")
        else:
            self.stdout.write(text, ending="")

    def _types(
        self, ts: str | None = None, py: str | None = None, check: bool = False, **options: Any
    ) -> None:
        plan = self._plan()
        setting = plan_setting()
        if (ts is None or py is None) and not isinstance(setting, (str, Path)):
            raise CommandError("the plan is a dict: name the files with --ts and --py")
        stem = Path(setting) if isinstance(setting, (str, Path)) else Path()
        targets = {
            Path(ts) if ts else stem.with_suffix(".d.ts"): typescript(plan),
            Path(py) if py else stem.with_name(stem.stem + "_types.py"): python(plan),
        }
        stale = False
        for path, text in targets.items():
            try:
                current = path.read_text(encoding="utf-8")
            except OSError:
                current = None
            if check:
                if current != text:
                    stale = True
                    self.stdout.write(
                        self.style.ERROR(
                            f"{path} is {'stale' if current else 'missing'}:"
                            " run manage.py analytix_plan types"
                        )
                    )
                else:
                    self.stdout.write(f"{path} matches the plan")
            elif current != text:
                path.write_text(text, encoding="utf-8")
                self.stdout.write(f"wrote {path}")
            else:
                self.stdout.write(f"{path} is up to date")
        if stale:
            sys.exit(1)
