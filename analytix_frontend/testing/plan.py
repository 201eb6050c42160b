"""`assert_tracked`: a page or view tracked a planned event, with properties the plan allows.

    from analytix_frontend.testing import assert_tracked, tracked_on_server

    assert_tracked(client.get("/signup/"), "sign_up")             # data-analytix-event on the page
    assert_tracked(analytix_vendors, "sign_up", {"method": "email"})  # what the fakes received
    with tracked_on_server() as server:                           # record_kissmetrics_event(...)
        client.post("/export/")
    assert_tracked(server, "report_exported", {"format": "pdf"})

`properties`, when given, must all be among the tracked ones (others may be there too); the
tracked properties must be valid by the plan (ANALYTICS_CONFIG["PLAN"], or `plan=`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from analytix_frontend.plan import runtime
from analytix_frontend.plan.config import load_current
from analytix_frontend.plan.model import Plan
from analytix_frontend.plan.parser import read_plan
from analytix_frontend.plan.validate import event_problems
from analytix_frontend.plan.vendors import event_key

# Services that hand the page's properties to the vendor as they are (GA4 rewrites them).
RAW_PROPERTIES = ("kissmetrics", "facebook_pixel", "hubspot", "fullstory", "drift", "google")


@dataclass
class ServerEvents:
    """The server events asked for while `tracked_on_server` recorded: (service, name, props)."""

    events: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


@contextmanager
def tracked_on_server() -> Iterator[ServerEvents]:
    """Records each server event (record_kissmetrics_event) made inside the block."""
    recorded = ServerEvents()

    def observe(service: str, event: str, properties: Mapping[str, Any]) -> None:
        recorded.events.append((service, event, dict(properties)))

    runtime.observers.append(observe)
    try:
        yield recorded
    finally:
        runtime.observers.remove(observe)


class _Declared(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, dict[str, Any]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        event = names.get("data-analytix-event")
        if event:
            try:
                props = json.loads(names.get("data-analytix-props") or "{}")
            except ValueError:
                props = {"<not JSON>": names.get("data-analytix-props")}
            self.events.append((event.strip(), props if isinstance(props, dict) else {}))


def _page_text(source: Any) -> str:
    """A Django test response's HTML (or the HTML itself, as str or bytes)."""
    if isinstance(source, (str, bytes)):
        return source if isinstance(source, str) else source.decode()
    content = getattr(source, "content", None)
    if not isinstance(content, bytes):
        raise TypeError(f"expected a Django test response, HTML, the fakes or a record: {source!r}")
    return content.decode(getattr(source, "charset", None) or "utf-8")


def _from_page(source: Any) -> list[tuple[str, dict[str, Any]]]:
    parser = _Declared()
    parser.feed(_page_text(source))
    parser.close()
    return parser.events


def _from_fakes(fakes: Any, plan: Plan) -> list[tuple[str, dict[str, Any]]]:
    """The fakes' events as the plan names them: each vendor's name mapped back."""
    found: list[tuple[str, dict[str, Any]]] = []
    for service in RAW_PROPERTIES:
        for received in fakes.events(service):
            for event in plan.events.values():
                if _vendor_matches(service, event.vendor_name(service), received.name):
                    props = {k: v for k, v in received.properties.items() if k != "transport_type"}
                    found.append((event.name, props))
                    break
            else:
                if service != "google" or not re.fullmatch(r"[a-z][a-z0-9_]*", received.name):
                    found.append((received.name, dict(received.properties)))
    return found


def _vendor_matches(service: str, planned: str, received: str) -> bool:
    if service == "google":
        return event_key(planned, 40) == received
    if service == "hubspot":
        return received == planned or bool(
            re.fullmatch(rf"pe[0-9]+_{re.escape(event_key(planned, 100))}", received)
        )
    return planned == received


def _current_plan(plan: Any) -> Plan:
    if isinstance(plan, Plan):
        return plan
    if plan is not None:
        return read_plan(plan)
    loaded, error = load_current(fresh=True)
    if loaded is None:
        raise AssertionError(f"no tracking plan to check against: {error or 'PLAN is not set'}")
    return loaded


def assert_tracked(
    source: Any,
    event: str,
    properties: Mapping[str, Any] | None = None,
    *,
    plan: Any = None,
) -> None:
    """`source` tracked `event` (with at least these `properties`), and the plan allows it.

    source: a Django test response or its HTML (the page's data-analytix-event elements), the
    recording fakes (`analytix_vendors`, FakeVendors), or `tracked_on_server()`'s record."""
    current = _current_plan(plan)
    if isinstance(source, ServerEvents):
        tracked = [(name, props) for _, name, props in source.events]
    elif hasattr(source, "events") and hasattr(source, "calls"):
        tracked = _from_fakes(source, current)
    else:
        tracked = _from_page(source)
    if event not in current.events:
        raise AssertionError(f"{event!r} is not in the tracking plan ({current.source})")
    matching = [props for name, props in tracked if name == event]
    seen = ", ".join(sorted({name for name, _ in tracked})) or "nothing"
    if not matching:
        raise AssertionError(f"{event!r} was not tracked; tracked: {seen}")
    wanted = dict(properties or {})
    candidates = [p for p in matching if all(k in p and p[k] == v for k, v in wanted.items())]
    if not candidates:
        raise AssertionError(f"{event!r} was tracked, but never with {wanted!r}: {matching!r}")
    problems = [str(p) for p in event_problems(current, event, candidates[0])]
    if problems:
        raise AssertionError(
            f"{event!r} was tracked with properties the plan refuses: {'; '.join(problems)} "
            f"({current.events[event].where})"
        )
