"""A call's way out: stored in the caller's transaction (server/store.py), then handed over
once that transaction commits (server/handover.py), by `SERVER["DISPATCH"]`: "inline" (the
default: a small thread pool in this process), "tasks" (Django's Tasks framework), "celery",
or a dotted-path callable. (`send`, in server/sending.py, sends a call now.)
"""

from __future__ import annotations

import threading

from django.db import connections, transaction

import analytix_frontend.server.inline as inline
from analytix_frontend.server.calls import Call
from analytix_frontend.server.config import INLINE, TASKS, ServerSettings, read_server_settings
from analytix_frontend.server.delivery import owner_name
from analytix_frontend.server.handover import hand_over
from analytix_frontend.server.record import record_server_call
from analytix_frontend.server.store import database, store
from analytix_frontend.server.sweeper import start_sweeping


def dispatch(call: Call) -> None:
    """Stores the call with the caller's transaction and hands it over when that commits
    (at once outside one); a rolled-back transaction leaves nothing to send."""
    config = read_server_settings()
    stored = store(call, config)
    if stored is None:
        return
    record_server_call(stored)  # for the debug-toolbar panel, when it collects
    start_sweeping(used=True)
    if config.dispatch == TASKS:
        from analytix_frontend.server.tasks import enqueues_in_transaction

        if enqueues_in_transaction(config):
            # The task's row commits or rolls back with the record: an outbox, no gap.
            hand_over([stored.id], config)
            return
    if connections[database()].in_atomic_block:
        transaction.on_commit(lambda: _after_commit(stored, config), using=database())
    else:
        hand_over([stored.id], config, stored)


def _after_commit(call: Call, config: ServerSettings) -> None:
    if config.dispatch == INLINE and connections[database()].in_atomic_block:
        # Commit hooks run inside a transaction only in a test whose transaction never
        # commits (captureOnCommitCallbacks(execute=True)): the pool's threads cannot see
        # this record, so it is sent here, in the test's thread.
        inline.deliver(call.id, owner_name("test"), threading.Event())
    else:
        hand_over([call.id], config, call)


def flush(timeout: float | None = None) -> bool:
    """Waits for the inline calls handed over in this process so far, retries included (for
    tests, scripts and management commands that exit right after making calls). True when
    all of them have finished."""
    return inline.flush(timeout)
