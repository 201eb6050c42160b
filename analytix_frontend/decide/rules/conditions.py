"""Per-service conditions: `ANALYTICS_CONFIG["CONDITIONS"]` maps a service name to the dotted
path of the project's `(request) -> bool`; the service runs only when it says yes. A path that
does not import, or a function that raises, turns its service off and logs a warning: the
exception stays in the server log, never on the page."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.module_loading import import_string

from analytix_frontend.decide.rules import Off
from analytix_frontend.decide.services import SERVICES_BY_NAME

logger = logging.getLogger("analytix_frontend")

CONDITION = "condition"  # reason code
WHERE = "its condition in ANALYTICS_CONFIG['CONDITIONS']"
SAID_NO = Off(CONDITION, f"{WHERE} said no for this request")
FAILED = Off(CONDITION, f"{WHERE} failed; see the server log")


def read_settings(value: Any) -> Mapping[str, str]:
    """Service name -> dotted path, for known services. A value that is not a string (a
    function itself, say) is kept as "" so its service stays off: fail closed, as E209 says."""
    return {
        name: path if isinstance(path, str) else ""
        for name, path in (value.items() if isinstance(value, Mapping) else ())
        if name in SERVICES_BY_NAME
    }


@functools.cache
def load_condition(path: str) -> Callable[[Any], Any]:
    return import_string(path)  # type: ignore[no-any-return]


def decide(conditions: Mapping[str, str], request: Any, service_name: str) -> Off | None:
    """The project's condition for one service, never raising. Without a request (no page
    visitor to ask about) a service with a condition stays off."""
    path = conditions.get(service_name)
    if path is None:
        return None
    if request is None:
        return SAID_NO
    if not path:
        return FAILED  # not a dotted path (analytix.E209)
    try:
        return None if load_condition(path)(request) else SAID_NO
    except Exception:
        logger.warning(
            "analytix: the condition %r for %s raised; %s stays off for this request",
            path,
            service_name,
            service_name,
            exc_info=True,
        )
        return FAILED
