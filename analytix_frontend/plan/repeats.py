"""Repeats of one browser-reported violation, counted rather than logged each time.

On a busy site one unplanned event on a popular page is reported by every visitor's
browser: a log line per page view would bury everything else. So the first report of a
violation (its area, event, problems and outcome) is logged at once, and its repeats within
`WINDOW` seconds are counted. Once the window is over, the next report of any violation
first logs one line per count due ("reported 532 more times in the 600 s after it was
logged"), and so does the process as it exits (plan/reports.py, atexit). The table holds at
most `KEYS` violations; when it is full of live ones, each new violation is logged as it
comes, and not counted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

WINDOW = 600.0  # seconds
KEYS = 1000


@dataclass
class _Seen:
    logged_at: float
    text: str  # what its repeats' line says it is
    repeats: int = 0


class Repeats:
    def __init__(
        self, window: float = WINDOW, keys: int = KEYS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window = window
        self.keys = keys
        self.clock = clock
        self._lock = threading.Lock()
        self._seen: dict[Hashable, _Seen] = {}

    def due(self, *, every: bool = False) -> list[tuple[str, int]]:
        """The violations whose window is over (`every`: all, as the process ends), with
        their repeats (text, count) when they had any; they leave the table, so their next
        report is logged again."""
        now = self.clock()
        with self._lock:
            over = [
                key
                for key, seen in self._seen.items()
                if every or now - seen.logged_at >= self.window
            ]
            ended = [self._seen.pop(key) for key in over]
        return [(seen.text, seen.repeats) for seen in ended if seen.repeats]

    def admit(self, key: Hashable, text: str) -> bool:
        """True: log this report now (the first in its window). False: counted."""
        with self._lock:
            seen = self._seen.get(key)
            if seen is not None:
                seen.repeats += 1
                return False
            if len(self._seen) < self.keys:
                self._seen[key] = _Seen(self.clock(), text)
            return True

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()


# The process's table for plan/reports.py.
reported = Repeats()
