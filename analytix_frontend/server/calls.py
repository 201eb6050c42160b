"""One outgoing vendor request, as plain JSON-safe data.

A `Call` is built when the user's code asks for something (timestamps and the visitor's
context fixed then), queued as a dict (a thread, a Celery message, a replay log line) and
sent later. It never holds the access token: `bearer` names the setting the token is read
from at send time, so queues and logs stay free of secrets.

`id` is the call's stable id (its record's primary key, server/models.py), given when the
call is stored; `repeat_safe` says whether the vendor deduplicates a repeat of it (a
Kissmetrics `_t` with `_d=1`, an idempotent PATCH), so that a retry after a lost answer can
never count twice. A HubSpot form submission is not repeat-safe: HubSpot's Forms API has no
idempotency key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, time
from typing import Any

METHODS = frozenset({"GET", "POST", "PATCH"})


def text_value(value: Any) -> str:
    """A property or field value as the vendors want it: text; booleans as "true"/"false",
    lists as HubSpot's multi-select "a;b", dates in ISO form, None as "" (clears it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ";".join(text_value(item) for item in value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Call:
    service: str  # label for logs: "HubSpot" or "Kissmetrics"
    action: str  # what it does, for logs: "form submission", "contact update", "event"...
    method: str
    url: str
    params: Mapping[str, str] = field(default_factory=dict)
    json: Mapping[str, Any] | None = None
    bearer: str = ""  # an ANALYTICS_IDS key whose value is sent as a Bearer token, or ""
    missing_ok: bool = False  # a 404 means "nothing to update": logged, not a failure
    repeat_safe: bool = True  # the vendor deduplicates a repeat of this call
    id: str = ""  # the stored record's id ("" until stored)

    def describe(self) -> str:
        return f"{self.service} {self.action}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_json(self) -> str:
        """One line that `analytix_frontend.server.send(json.loads(line))` sends again."""
        # default=str: a hand-made call given to send() must still end in a replay line.
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"), default=str)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Call:
        """The inverse of `as_dict`; raises ValueError for anything that is not one."""
        if not isinstance(data, Mapping):
            raise ValueError("a call must be a dict")
        known = {
            *("service", "action", "method", "url", "params", "json", "bearer", "missing_ok"),
            *("repeat_safe", "id"),
        }
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown call keys: {sorted(unknown)}")
        values = dict(data)
        # A replay line written before `repeat_safe` existed: only a POST (a form) is unsafe.
        values.setdefault("repeat_safe", values.get("method") != "POST")
        try:
            call = cls(**values)
        except TypeError:
            raise ValueError("a call needs service, action, method and url") from None
        if call.method not in METHODS or not call.url.startswith(("https://", "http://")):
            raise ValueError("a call needs a known method and an http(s) URL")
        if not isinstance(call.params, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in call.params.items()
        ):
            raise ValueError("call params must map strings to strings")
        if not isinstance(call.id, str) or not isinstance(call.repeat_safe, bool):
            raise ValueError("a call's id must be a string and repeat_safe a boolean")
        return call
