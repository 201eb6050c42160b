"""Whether a server-side call may go ahead: the same environment rule as the template tag,
the project's opt-out callable, the page's Global Privacy Control rule, and the visitor's
consent for the service's category.

A "no" is never an error: the caller logs the reason at debug level and returns.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, ParamSpec

from django.utils.module_loading import import_string

from analytix_frontend.decide.request import decide_request
from analytix_frontend.decide.services import SERVICES_BY_NAME
from analytix_frontend.decide.settings import get_settings
from analytix_frontend.server.config import read_server_settings

logger = logging.getLogger("analytix_frontend.server")
P = ParamSpec("P")


def opted_out(request: Any, person: str | None) -> bool:
    """Asks SERVER["OPT_OUT"] (a dotted path to `(request, person) -> bool`). A callable that
    cannot be imported or raises counts as "opted out": when in doubt, send nothing."""
    path = read_server_settings().opt_out
    if not path:
        return False
    try:
        return bool(import_string(path)(request, person))
    except Exception as exc:
        logger.warning(
            "ANALYTICS_CONFIG['SERVER']['OPT_OUT'] (%s) failed with %s; nothing is sent.",
            path,
            type(exc).__name__,
        )
        return True


def gpc_refuses(request: Any, category: str) -> bool:
    """The page's rule: a request with `Sec-GPC: 1` turns off the categories that
    ANALYTICS_CONFIG["GPC"] names (analytics and marketing by default)."""
    return request is not None and decide_request(request).gpc_refuses(category)


def why_skip(
    service_name: str,
    *,
    request: Any = None,
    person: str | None = None,
    asked_by_visitor: bool = False,
) -> str:
    """ "" when a call to this service may go ahead, else the reason it may not.

    `asked_by_visitor`: the call is something the visitor asked for (a form they
    submitted), so Global Privacy Control does not stop it; the caller leaves out the
    tracking context instead."""
    config = get_settings()
    if not config.analytics_environment:
        return (
            f"SERVER_ENVIRONMENT {config.server_environment!r} is not in "
            "ANALYTICS_CONFIG['ENVIRONMENTS'] and ANALYTICS_CONFIG['DEBUG'] is off"
        )
    if opted_out(request, person):
        return "the user opted out (ANALYTICS_CONFIG['SERVER']['OPT_OUT'])"
    category = SERVICES_BY_NAME[service_name].category
    if not asked_by_visitor and gpc_refuses(request, category):
        return f"the visitor sent Global Privacy Control (Sec-GPC: 1), which turns off {category!r}"
    if request is not None and not decide_request(request).consents_to(category):
        return f"the visitor has not consented to {category!r}"
    return ""


def log_skip(what: str, reason: str) -> None:
    logger.debug("%s skipped: %s.", what, reason)


def never_raises(func: Callable[P, None]) -> Callable[P, None]:
    """The public calls run inside views: a bug or a surprise here must not become a 500.
    Logs the exception type only, since its message could quote the caller's data."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            func(*args, **kwargs)
        except Exception as exc:
            logger.error(
                "%s failed unexpectedly (%s); nothing sent.", func.__name__, type(exc).__name__
            )

    return wrapper
