"""The server-side calls queued while one request was handled, for the debug-toolbar panel
(`qa/panel.py`; what the tag wrote is in `page.state`, which the panel reads too).

Server-side calls are recorded only while a reader collects them (`collect_server_calls`,
the panel does), since the dispatcher has no request: a context variable, which follows the
request into `sync_to_async` threads under ASGI, unlike a thread-local.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from django.db import transaction

if TYPE_CHECKING:
    from analytix_frontend.server.calls import Call

RECORD_ATTRIBUTE = "_analytix_record"
# Server call states (the panel shows them).
QUEUED = "queued"
WAITING_FOR_COMMIT = "waiting for the transaction to commit"


@dataclass
class RequestRecord:
    # One dict per call: id, service, action, method, url (no query), params (names only),
    # dispatch, state. Never a parameter value: they hold the Kissmetrics key and the
    # visitor's e-mail.
    server_calls: list[dict[str, Any]] = field(default_factory=list)
    # Tracking-plan violations of the server's calls (plan/runtime.py): what, problems, blocked.
    plan_violations: list[dict[str, Any]] = field(default_factory=list)


_collecting: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar(
    "analytix_request_record", default=None
)


def request_record(request: Any, *, create: bool = False) -> RequestRecord | None:
    """The record on this request (a new one with `create`), or None."""
    record: RequestRecord | None = getattr(request, RECORD_ATTRIBUTE, None)
    if record is None and create and request is not None:
        record = RequestRecord()
        try:
            setattr(request, RECORD_ATTRIBUTE, record)
        except AttributeError:  # an object that takes no attributes: nothing recorded
            return None
    return record


def collect_server_calls(request: Any) -> contextvars.Token[RequestRecord | None]:
    """From now on, in this context, server calls go to the request's record; hand the token
    to `stop_collecting` when the request is done."""
    return _collecting.set(request_record(request, create=True))


def stop_collecting(token: contextvars.Token[RequestRecord | None]) -> None:
    _collecting.reset(token)


REDACTED = "[personal data]"


def shown_path(path: str) -> str:
    """A call's URL path as the panel may show it: a segment naming a person (an e-mail
    address, as HubSpot's contact updates carry it, percent-encoded or not) is replaced, as
    query values are left out; ids of forms and portals stay."""
    segments = path.split("/")
    return "/".join(REDACTED if "@" in unquote(s) else s for s in segments)


def record_server_call(call: Call) -> None:
    """Called by the dispatcher for each call it queues (a no-op unless collecting)."""
    record = _collecting.get()
    if record is None:
        return
    from analytix_frontend.server.config import read_server_settings

    url = urlsplit(call.url)
    entry: dict[str, Any] = {
        "id": call.id,  # its record's id (analytix_frontend.server.models)
        "service": call.service,
        "action": call.action,
        "method": call.method,
        "url": f"{url.scheme}://{url.netloc}{shown_path(url.path)}",
        "params": sorted(call.params),
        "dispatch": read_server_settings().dispatch,
        "state": QUEUED,
    }
    if transaction.get_connection().in_atomic_block:
        entry["state"] = WAITING_FOR_COMMIT
        # Registered after the dispatcher's own hook, so it runs once the call is handed over.
        transaction.on_commit(lambda: entry.update(state=QUEUED))
    record.server_calls.append(entry)


def record_plan_violation(entry: dict[str, Any]) -> None:
    """Called by the plan's run-time check for each violation (a no-op unless collecting)."""
    record = _collecting.get()
    if record is not None:
        record.plan_violations.append(entry)
