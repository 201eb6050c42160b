"""`manage.py analytix_consent`: the proof-of-consent records (CONSENT["RECORDS"]).

    analytix_consent export <consent id> [--format json|csv]   one subject's history
    analytix_consent export --user <username or pk>            ... found by their user
    analytix_consent delete <consent id> | --user <user>       erase it (asks first)
    analytix_consent purge                                     older than RETENTION_DAYS

The work is done by `analytix_frontend.consent.operations`.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, router

from analytix_frontend.consent import operations
from analytix_frontend.consent.models import ConsentRecord
from analytix_frontend.decide.consent import CONSENT_ID
from analytix_frontend.decide.settings import get_settings


def _add_subject(parser: CommandParser) -> None:
    parser.add_argument("consent_id", nargs="?", help="The consent id (22 characters).")
    parser.add_argument("--user", help="The user's username or pk (their records and ids).")


def _require_table() -> None:
    """A project that has not run `migrate`: say so, not OperationalError's traceback."""
    table = ConsentRecord._meta.db_table
    alias = router.db_for_read(ConsentRecord)
    if table not in connections[alias].introspection.table_names():
        raise CommandError(
            f"The consent records' table {table} does not exist: run `manage.py migrate`."
        )


class Command(BaseCommand):
    help = "Export or delete one subject's consent records, or purge the expired ones."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        export = commands.add_parser("export", help="Print one subject's history.")
        _add_subject(export)
        export.add_argument("--format", choices=("json", "csv"), default="json")
        delete = commands.add_parser("delete", help="Delete one subject's history.")
        _add_subject(delete)
        delete.add_argument("--no-input", "--noinput", dest="interactive", action="store_false")
        purge = commands.add_parser(
            "purge", help="Delete records older than CONSENT['RETENTION_DAYS']."
        )
        purge.add_argument("--dry-run", action="store_true", help="Count only.")

    def handle(self, *args: Any, **options: Any) -> None:
        _require_table()
        if options["command"] == "purge":
            self._purge(options["dry_run"])
            return
        records = operations.subject_records(*self._subject(options))
        if options["command"] == "export":
            rows = operations.export_rows(records)
            writer = operations.write_csv if options["format"] == "csv" else operations.write_json
            text = io.StringIO()
            writer(rows, text)
            self.stdout.write(text.getvalue(), ending="")
            return
        count = records.count()
        if count and options["interactive"]:
            answer = input(f"Delete {count} consent records? This cannot be undone. [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Nothing deleted.")
        records.delete()
        self.stdout.write(f"Deleted {count} consent records.")

    def _subject(self, options: dict[str, Any]) -> tuple[str | None, str | None]:
        consent_id, user = options["consent_id"], options["user"]
        if not consent_id and not user:
            raise CommandError("Name the subject: a consent id, or --user.")
        if consent_id and not CONSENT_ID.fullmatch(consent_id):
            raise CommandError(
                f"{consent_id!r} is not a consent id (22 characters A-Z a-z 0-9 _ -)."
            )
        try:
            return consent_id, operations.subject_user_pk(user) if user else None
        except operations.NoSuchUser as missing:
            raise CommandError(str(missing)) from None

    def _purge(self, dry_run: bool) -> None:
        days = get_settings().privacy.consent.retention_days
        cutoff, expired = operations.purge_before(days)
        count = expired.count()
        if not dry_run:
            expired.delete()
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {count} consent records older than {days} days (before {cutoff:%Y-%m-%d})."
        )
