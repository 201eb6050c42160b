"""A call's way out: stored in the caller's transaction (server/store.py), then handed over
once that transaction commits (server/handover.py), by `SERVER["DISPATCH"]`: "inline" (the
default: a small thread pool in this process), "tasks" (Django's Tasks framework), "celery",
or a dotted-path callable. `send` sends a call now, in this thread, from its record.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import connections, transaction

from analytix_frontend.server import inline, sweeper
from analytix_frontend.server.calls import Call
from analytix_frontend.server.config import INLINE, TASKS, ServerSettings, read_server_settings
from analytix_frontend.server.delivery import owner_name
from analytix_frontend.server.handover import hand_over
from analytix_frontend.server.logs import log_failure, logger
from analytix_frontend.server.models import State
from analytix_frontend.server.record import record_server_call
from analytix_frontend.server.store import adopt, database, store


def dispatch(call: Call) -> None:
    """Stores the call with the caller's transaction and hands it over when that commits
    (at once outside one); a rolled-back transaction leaves nothing to send."""
    config = read_server_settings()
    stored = store(call, config)
    if stored is None:
        return
    record_server_call(stored)  # for the debug-toolbar panel, when it collects
    sweeper.start(used=True)
    if config.dispatch == TASKS:
        from analytix_frontend.server import tasks

        if tasks.enqueues_in_transaction(config):
            # The task's row commits or rolls back with the record: an outbox, no gap.
            hand_over([stored.id], config)
            return
    if connections[database()].in_atomic_block:
        transaction.on_commit(lambda: _after_commit(stored.id, config), using=database())
    else:
        hand_over([stored.id], config)


def _after_commit(call_id: str, config: ServerSettings) -> None:
    if config.dispatch == INLINE and connections[database()].in_atomic_block:
        # Commit hooks run inside a transaction only in a test whose transaction never
        # commits (captureOnCommitCallbacks(execute=True)): the pool's threads cannot see
        # this record, so it is sent here, in the test's thread.
        inline.deliver(call_id, owner_name("test"), threading.Event())
    else:
        hand_over([call_id], config)


def send_now(call: Mapping[str, Any]) -> str:
    """Sends a call (a `Call.as_dict()`, a replay line's JSON, a custom dispatcher's dict)
    now, in this thread, retrying as configured; never raises. Goes through the call's
    record (made when missing), so a call already sent is not sent again. Returns the
    record's state after it: "sent", "failed", "dead", "pending", or why nothing was sent."""
    try:
        parsed = Call.from_dict(call)
        if parsed.id:
            uuid.UUID(parsed.id)
    except ValueError as exc:
        logger.error("Not a call, nothing sent: %s.", exc)
        return "not a call"
    config = read_server_settings()
    try:
        call_id, state = adopt(parsed, config)
    except Exception as exc:
        log_failure(
            parsed, f"{parsed.describe()} not sent: {type(exc).__name__} reading its record"
        )
        return "no record"
    if state != State.PENDING:
        logger.info("%s (call %s) not sent again: it is %s.", parsed.describe(), call_id, state)
        return f"already {state}"
    step = inline.deliver(call_id, owner_name(f"send:{threading.get_ident()}"), threading.Event())
    return step.state or step.reason


def send(call: Mapping[str, Any]) -> bool:
    """Sends a call now, in this thread (see `send_now`). True when the vendor has it:
    accepted now, or already sent before."""
    return send_now(call) in (State.SENT, f"already {State.SENT}")


def flush(timeout: float | None = None) -> bool:
    """Waits for the inline calls handed over in this process so far, retries included (for
    tests, scripts and management commands that exit right after making calls). True when
    all of them have finished."""
    return inline.flush(timeout)
