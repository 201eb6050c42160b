"""`manage.py analytix_calls`: where the server-side calls are, and what to do about them.

Without options: calls by vendor and state, how many the vendors may hold twice, the oldest
open call, and how many finished ones are past the retention period. `--send` makes one
attempt now at every pending call (and at calls whose sender stopped), in this process;
`--retry-dead` gives dead calls a fresh round of retries through the dispatch mode;
`--purge` deletes finished calls older than `--older-than DAYS` (default
`ANALYTICS_CONFIG["SERVER"]["RETENTION_DAYS"]`, 30). Options combine, in that order.
"""

from __future__ import annotations

import json
from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from analytix_frontend.server import flush
from analytix_frontend.server.config import (
    CELERY,
    INLINE,
    TASKS,
    ServerSettings,
    read_server_settings,
)
from analytix_frontend.server.delivery import now
from analytix_frontend.server.models import State
from analytix_frontend.server.operations import Counts, counts, purge, retry_dead, send_pending
from analytix_frontend.server.store import why_not_stored

COLUMNS = [State.PENDING, State.SENDING, State.SENT, State.FAILED, State.DEAD]


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = -1
    if days < 0:
        # argparse turns this into a usage error (exit status 2, no traceback) on the command
        # line, and into a CommandError in call_command.
        raise ArgumentTypeError(f"--older-than wants a whole number of days, not {text!r}")
    return days


def _overdue(calls: int, config: ServerSettings) -> str:
    """What to look at when pending calls have been due for longer than LEASE."""
    who = {
        INLINE: "a web process running with SWEEP above 0 (or this command's --send from cron)",
        TASKS: f"`manage.py db_worker` running for TASKS_BACKEND {config.tasks_backend!r}",
        CELERY: "a Celery worker running, and its broker reachable from the web processes",
    }.get(config.dispatch, f"the dispatcher {config.dispatch!r} sending what it is given")
    return (
        f"{calls} pending call(s) have been due for more than LEASE ({config.lease:g} s): "
        f"nothing picked them up (or the queue is backed up for longer). "
        f"DISPATCH = {config.dispatch!r} needs {who}; "
        "the web processes' log says why a hand-over failed. "
        "`manage.py analytix_calls --send` sends them now."
    )


class Command(BaseCommand):
    help = "Count the server-side calls by vendor and state; send, retry or purge them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--send", action="store_true", help="Send every pending call now.")
        parser.add_argument(
            "--retry-dead", action="store_true", help="Give dead calls another round of retries."
        )
        parser.add_argument(
            "--purge", action="store_true", help="Delete finished calls past retention."
        )
        parser.add_argument(
            "--older-than",
            type=_days,
            metavar="DAYS",
            help="With --purge (default: RETENTION_DAYS).",
        )
        parser.add_argument("--json", action="store_true", help="Print the counts as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["older_than"] is not None and not options["purge"]:
            raise CommandError("--older-than goes with --purge.")
        config = read_server_settings()
        try:
            if options["send"]:
                tally = send_pending(config)
                done = ", ".join(f"{n} {state}" for state, n in sorted(tally.items()))
                self.stdout.write(f"Sent now: {done or 'nothing was pending'}.")
            if options["retry_dead"]:
                revived = retry_dead(config)
                flush()  # inline: this process's pool sends them before the command ends
                self.stdout.write(f"Dead calls given another round: {len(revived)}.")
            if options["purge"]:
                days = (
                    config.retention_days
                    if options["older_than"] is None
                    else options["older_than"]
                )
                self.stdout.write(f"Purged {purge(days)} finished call(s) older than {days} days.")
            result = counts(config)
        except DatabaseError as exc:
            raise CommandError(f"Server calls unavailable: {why_not_stored(exc)}.") from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2, sort_keys=True))
        else:
            self._table(result, config.dispatch, config.retention_days)
            if result.overdue:
                self.stdout.write(_overdue(result.overdue, config))

    def _table(self, result: Counts, dispatch: str, retention_days: int) -> None:
        self.stdout.write(f"Server calls (DISPATCH = {dispatch!r}):")
        header = ["vendor", *COLUMNS, "maybe sent twice"]
        rows = [
            [vendor, *(str(states[c]) for c in COLUMNS), str(result.maybe_sent_twice[vendor])]
            for vendor, states in sorted(result.by_vendor.items())
        ]
        if not rows:
            self.stdout.write("  none")
            return
        total = ["total", *(str(sum(int(r[i]) for r in rows)) for i in range(1, len(header)))]
        widths = [max(len(str(r[i])) for r in [header, *rows, total]) for i in range(len(header))]
        for row in [header, *rows, total]:
            self.stdout.write(
                "  "
                + "  ".join(
                    c.ljust(w) if i == 0 else c.rjust(w)
                    for i, (c, w) in enumerate(zip(row, widths, strict=True))
                )
            )
        if result.oldest_pending:
            age = now() - result.oldest_pending
            self.stdout.write(f"Oldest open call: {int(age.total_seconds() // 60)} min old.")
        if result.past_retention:
            self.stdout.write(
                f"{result.past_retention} finished call(s) are older than RETENTION_DAYS "
                f"({retention_days}): `manage.py analytix_calls --purge` deletes them."
            )
