"""What the template tag decided and wrote for one request, and the server-side calls queued
while it was handled: one record, kept on the request, for the debug-toolbar panel to show.

The record only keeps references to what the product already built (the decisions, the
HTML parts): recording a render costs a few attribute look-ups on the tag's hot path, and
nothing is formatted until someone reads it. Server-side calls are recorded only while a
reader collects them (`collect_server_calls`, the panel does), since the dispatcher has no
request: a context variable, which follows the request into `sync_to_async` threads under
ASGI, unlike a thread-local.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.db import transaction

from analytix_frontend.decide.decisions import ServiceDecision

if TYPE_CHECKING:
    from analytix_frontend.server.calls import Call

RECORD_ATTRIBUTE = "_analytix_record"
# Server call states (the panel shows them).
QUEUED = "queued"
WAITING_FOR_COMMIT = "waiting for the transaction to commit"


@dataclass(frozen=True)
class TagRender:
    """One `{% analytics_scripts %}` on the page."""

    area: str
    decisions: Sequence[ServiceDecision]
    nonce: str | None
    html_parts: Sequence[str]  # what it wrote: the config block, then each new script tag
    seconds: float


@dataclass
class RequestRecord:
    renders: list[TagRender] = field(default_factory=list)
    # One dict per call: service, action, method, url (no query), params (names only), dispatch,
    # state. Never a parameter value: they hold the Kissmetrics key and the visitor's e-mail.
    server_calls: list[dict[str, Any]] = field(default_factory=list)


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


def record_render(
    request: Any,
    area: str,
    decisions: Sequence[ServiceDecision],
    nonce: str | None,
    html_parts: Sequence[str],
    started: float,
) -> None:
    """Called by the tag once it has written its HTML (`started`: time.perf_counter())."""
    record = request_record(request, create=True)
    if record is not None:
        seconds = time.perf_counter() - started
        record.renders.append(TagRender(area, decisions, nonce, html_parts, seconds))


def collect_server_calls(request: Any) -> contextvars.Token[RequestRecord | None]:
    """From now on, in this context, server calls go to the request's record; hand the token
    to `stop_collecting` when the request is done."""
    return _collecting.set(request_record(request, create=True))


def stop_collecting(token: contextvars.Token[RequestRecord | None]) -> None:
    _collecting.reset(token)


def record_server_call(call: Call) -> None:
    """Called by the dispatcher for each call it queues (a no-op unless collecting)."""
    record = _collecting.get()
    if record is None:
        return
    from analytix_frontend.server.config import read_server_settings

    url = urlsplit(call.url)
    entry: dict[str, Any] = {
        "service": call.service,
        "action": call.action,
        "method": call.method,
        "url": f"{url.scheme}://{url.netloc}{url.path}",
        "params": sorted(call.params),
        "dispatch": read_server_settings().dispatch,
        "state": QUEUED,
    }
    if transaction.get_connection().in_atomic_block:
        entry["state"] = WAITING_FOR_COMMIT
        # Registered after the dispatcher's own hook, so it runs once the call is handed over.
        transaction.on_commit(lambda: entry.update(state=QUEUED))
    record.server_calls.append(entry)
