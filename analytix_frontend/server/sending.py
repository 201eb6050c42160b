"""Sending a call now, in this thread, from its record: `send` (public), for a replay line,
a custom dispatcher's worker or `manage.py analytix_replay`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from typing import Any

import analytix_frontend.server.inline as inline
from analytix_frontend.server.calls import Call
from analytix_frontend.server.config import read_server_settings
from analytix_frontend.server.delivery import owner_name
from analytix_frontend.server.logs import log_failure, logger
from analytix_frontend.server.models import State
from analytix_frontend.server.store import adopt


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
