"""Handing a `Call` over once the current transaction commits: to a small background thread
pool ("inline", the default), to Celery ("celery"), or to a dotted-path callable that
receives the call as a JSON-safe dict (and may pass it to `send` in a worker of its own).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string

from analytix_frontend.server.calls import Call
from analytix_frontend.server.config import CELERY, INLINE, read_server_settings
from analytix_frontend.server.logs import log_failure
from analytix_frontend.server.record import record_server_call

logger = logging.getLogger("analytix_frontend.server")

# The inline pool: a couple of threads, and a bounded backlog. When the vendor hangs, calls
# beyond the backlog are dropped with a replayable log line rather than piling up in memory.
MAX_WORKERS = 2
MAX_PENDING = 100

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_pending: set[Future[bool]] = set()


def send(call: Mapping[str, Any]) -> bool:
    """Sends a call (as `Call.as_dict()` makes it, or a replay line's JSON) now, in this
    thread, with retries. Never raises; True when the vendor accepted it."""
    try:
        parsed = Call.from_dict(call)
    except ValueError as exc:
        logger.error("Not a call, nothing sent: %s.", exc)
        return False
    # httpx is imported only here, so the rest of the package (and its system checks) loads
    # in projects that installed analytix-frontend without the [server] extra.
    from analytix_frontend.server.http import send_with_retries

    try:
        return send_with_retries(parsed).ok
    except Exception as exc:  # a bug: the call still ends in a replay line, and never raises
        log_failure(parsed, f"{parsed.describe()} failed unexpectedly: {type(exc).__name__}")
        return False


def dispatch(call: Call) -> None:
    """Queues the call once the default database's transaction commits (at once outside
    one); a rolled-back transaction sends nothing."""

    def hand_over() -> None:
        _hand_over(call)

    # in_atomic_block is read without opening a connection, unlike on_commit() outside
    # a transaction, so this also works in processes that never touch the database.
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(hand_over)
    else:
        hand_over()
    record_server_call(call)  # for the debug-toolbar panel, when it collects


def _hand_over(call: Call) -> None:
    mode = read_server_settings().dispatch
    try:
        if mode == INLINE:
            _submit_to_pool(call)
        elif mode == CELERY:
            from analytix_frontend.server.celery import send_call

            send_call.delay(call.as_dict())
        else:
            import_string(mode)(call.as_dict())
    except Exception as exc:
        problem = f"dispatcher {mode!r}: {type(exc).__name__}"
        log_failure(call, f"{call.describe()} could not be queued ({problem})")


def _submit_to_pool(call: Call) -> None:
    global _executor
    with _lock:
        if len(_pending) >= MAX_PENDING:
            log_failure(
                call, f"{call.describe()} dropped: {len(_pending)} calls are already waiting"
            )
            return
        if _executor is None:
            _executor = ThreadPoolExecutor(MAX_WORKERS, thread_name_prefix="analytix-server")
        future = _executor.submit(send, call.as_dict())
        _pending.add(future)
    future.add_done_callback(_forget)


def _forget(future: Future[bool]) -> None:
    with _lock:
        _pending.discard(future)


def flush(timeout: float | None = None) -> bool:
    """Waits for the inline calls queued so far (for tests, scripts and management commands
    that exit right after queueing). True when all of them have finished."""
    with _lock:
        waiting = list(_pending)
    _, not_done = wait_for_futures(waiting, timeout)
    return not not_done


def _reset_after_fork() -> None:
    # A forked child (e.g. a pre-forking server) inherits the pool but not its threads.
    global _executor, _lock, _pending
    _executor, _lock, _pending = None, threading.Lock(), set()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
