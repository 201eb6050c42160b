"""`DISPATCH = "inline"`: no worker. A few threads in the web process send calls from their
records once the caller's transaction has committed, waiting between retries.

Nothing is held only in memory: a call's record is in the database before a thread sees its
id. A backlog beyond `MAX_PENDING` stays pending for the next sweep; a process that stops
lets its threads finish the attempt they are in (at most TIMEOUT), and leaves the calls it
had not started, or was waiting to retry, pending for the next process's sweep (or
`manage.py analytix_calls --send`). A process killed mid-attempt leaves a claim that runs
out (`LEASE`), after which the call is sent again.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import deque

from django.db import close_old_connections

import analytix_frontend.server.delivery as delivery
from analytix_frontend.server.config import read_server_settings

logger = logging.getLogger("analytix_frontend.server")

THREADS = 2
MAX_PENDING = 100


def wait(seconds: float, stopping: threading.Event) -> bool:
    """Waits before a retry; False when the process is stopping (tests replace this)."""
    return not stopping.wait(seconds)


def deliver(call_id: str, owner: str, stopping: threading.Event) -> delivery.Step:
    """Attempts a call until it is finished, waiting between retries in this thread; stops
    early (the call stays pending) when `stopping` is set."""
    while True:
        step = delivery.attempt(call_id, owner)
        if step.retry_in is None or stopping.is_set() or not wait(step.retry_in, stopping):
            return step


class InlinePool:
    def __init__(self, threads: int | None = None) -> None:
        threads = threads or THREADS  # read now: a process may set THREADS before its first call
        self._queue: deque[str] = deque()
        self._left: list[str] = []  # calls put down, pending, because the pool is stopping
        self._busy = 0
        self._changed = threading.Condition()
        self.stopping = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, name=f"analytix-server-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def room(self) -> int:
        with self._changed:
            return max(0, MAX_PENDING - len(self._queue) - self._busy)

    def submit(self, call_id: str) -> bool:
        """Queues a stored call's id; False when the backlog is full or the pool stopping."""
        with self._changed:
            if self.stopping.is_set() or len(self._queue) + self._busy >= MAX_PENDING:
                return False
            self._queue.append(call_id)
            self._changed.notify_all()
            return True

    def flush(self, timeout: float | None = None) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: not self._queue and not self._busy, timeout)

    def stop(self, timeout: float) -> list[str]:
        """Lets running attempts finish (each thread waits at most `timeout`); returns the
        ids of the calls left pending: never started, or waiting for a retry."""
        self.stopping.set()
        with self._changed:
            self._changed.notify_all()
        for thread in self._threads:
            thread.join(timeout)
        with self._changed:
            left = [*self._left, *self._queue]
            self._queue.clear()
        return left

    def _run(self) -> None:
        owner = delivery.owner_name(threading.current_thread().name)
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._queue or self.stopping.is_set())
                if self.stopping.is_set():
                    return
                call_id = self._queue.popleft()
                self._busy += 1
            try:
                close_old_connections()
                step = deliver(call_id, owner, self.stopping)
                if step.state == "pending":
                    with self._changed:
                        self._left.append(call_id)
            except Exception as exc:  # the database went away: the sweep sends it later
                logger.warning(
                    "Server call %s: %s while sending; it stays in the database and the "
                    "next sweep sends it.",
                    call_id,
                    type(exc).__name__,
                )
            finally:
                close_old_connections()
                with self._changed:
                    self._busy -= 1
                    self._changed.notify_all()


_lock = threading.Lock()
_pool: InlinePool | None = None


def pool() -> InlinePool:
    global _pool
    with _lock:
        if _pool is None:
            _pool = InlinePool()
            atexit.register(_stop_at_exit)
        return _pool


def current_pool() -> InlinePool | None:
    return _pool


def _stop_at_exit() -> None:
    if _pool is None:
        return
    left = _pool.stop(read_server_settings().timeout + 1)
    if left:
        logger.info(
            "%d server call(s) not finished before this process stopped: they stay pending "
            "for the next process's sweep (or manage.py analytix_calls --send).",
            len(left),
        )
        release(left)


def release(call_ids: list[str]) -> None:
    """Lets the next sweep take these pending calls as soon as they are due, instead of
    after their lease."""
    from django.db.models import F

    from analytix_frontend.server.models import ServerCall, State

    try:
        ServerCall.objects.filter(pk__in=call_ids, state=State.PENDING).update(
            lease_until=F("next_attempt_at")
        )
    except Exception as exc:
        logger.warning(
            "Could not release %d pending call(s): %s.", len(call_ids), type(exc).__name__
        )


def flush(timeout: float | None = None) -> bool:
    """Waits for the calls queued in this process so far, retries included. True when all
    of them have finished."""
    return _pool.flush(timeout) if _pool is not None else True


def _reset_after_fork() -> None:
    # A forked child (a pre-forking server) inherits the pool but not its threads.
    global _pool, _lock
    _pool, _lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
