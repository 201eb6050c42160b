"""`manage.py analytix_replay FILE`: sends the calls of the replay lines in a log file
(`analytix_frontend.server.replay`), each once: a call already sent, by an earlier replay
or by its own retries, is not sent again (its record, found by the call's id, says so).
`-` reads standard input. Other lines are skipped.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytix_frontend.server.operations import replay


class Command(BaseCommand):
    help = "Send the calls of replay log lines, each once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A log file with replay lines, or - for stdin.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(errors="replace")
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}.") from None
        tally = replay(text.splitlines())
        skipped = tally.pop("skipped", 0)
        done = ", ".join(f"{n} {result}" for result, n in sorted(tally.items()))
        self.stdout.write(
            f"Replayed {sum(tally.values())} line(s): {done or 'none'}"
            + (f" ({skipped} other line(s) skipped)." if skipped else ".")
        )
