"""Kissmetrics from the server: events (`/e`) and person properties (`/s`).

The timestamp is fixed when the call is made and sent with `_d=1` (use my `_t`), so a retry
records the same moment and Kissmetrics does not count it as a second event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from analytix_frontend.decide.services import SERVICES_BY_NAME
from analytix_frontend.decide.settings import get_settings
from analytix_frontend.plan.runtime import server_contact, server_event
from analytix_frontend.server.calls import Call, text_value
from analytix_frontend.server.config import read_server_settings
from analytix_frontend.server.dispatch import dispatch
from analytix_frontend.server.gate import log_skip, never_raises, why_skip

logger = logging.getLogger("analytix_frontend.server")

KISSMETRICS = SERVICES_BY_NAME["kissmetrics"]


def _send(
    path: str, action: str, person: str, extra: dict[str, str], properties: Any, request: Any
) -> None:
    what = f"{KISSMETRICS.label} {action}"
    key = get_settings().valid_ids.get(KISSMETRICS.name)
    if not key:
        return log_skip(what, f"ANALYTICS_IDS[{KISSMETRICS.id_setting!r}] is not set or not valid")
    person = person.strip() if isinstance(person, str) else ""
    if not person:
        logger.warning("%s not sent: no person.", what)
        return None
    if properties is not None and not isinstance(properties, Mapping):
        logger.warning("%s not sent: properties must be a dict.", what)
        return None
    reason = why_skip(KISSMETRICS.name, request=request, person=person)
    if reason:
        return log_skip(what, reason)
    params = {"_k": key, "_p": person, **extra, "_t": str(int(time.time())), "_d": "1"}
    for name, value in (properties or {}).items():
        # Names starting with "_" are Kissmetrics' own parameters: a property must not
        # overwrite the key, the person or the timestamp.
        if str(name).startswith("_") or value is None:
            logger.debug("%s: property %r left out.", what, name)
            continue
        params[str(name)] = text_value(value)
    base = read_server_settings().kissmetrics_url
    dispatch(
        Call(
            service=KISSMETRICS.label,
            action=action,
            method="GET",
            url=f"{base}{path}",
            params=params,
        )
    )
    return None


@never_raises
def record_kissmetrics_event(
    person: str, event: str, properties: Mapping[str, Any] | None = None, *, request: Any = None
) -> None:
    """Records `event` for `person` (an email or user id), with optional properties."""
    if not isinstance(event, str) or not event.strip():
        logger.warning("Kissmetrics event not sent: no event name.")
        return
    name = server_event(KISSMETRICS.name, event.strip(), properties)  # the tracking plan
    if name is not None:
        _send("/e", "event", person, {"_n": name}, properties, request)


@never_raises
def set_kissmetrics_properties(
    person: str, properties: Mapping[str, Any], *, request: Any = None
) -> None:
    """Sets properties of `person` (an email or user id)."""
    if server_contact(KISSMETRICS.name, properties):  # the tracking plan
        _send("/s", "properties", person, {}, properties, request)
