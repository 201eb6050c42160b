"""Handing stored calls to whatever sends them, by `SERVER["DISPATCH"]`: this process's
inline pool, a `django.tasks` task, a Celery task, or a dotted-path callable (which gets the
call as a JSON-safe dict, its `id` included, and may send it with `send`).

A hand-over that fails loses nothing: the record stays pending, and the next sweep (or
`manage.py analytix_calls --send`) hands it over again. The log line says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.module_loading import import_string

from analytix_frontend.server.calls import Call
from analytix_frontend.server.config import CELERY, INLINE, TASKS, ServerSettings
from analytix_frontend.server.logs import logger
from analytix_frontend.server.models import ServerCall

LEFT_PENDING = "it stays pending, and the next sweep or `manage.py analytix_calls --send` sends it"


def room(config: ServerSettings) -> int:
    """How many calls a sweep may hand over now."""
    if config.dispatch == INLINE:
        import analytix_frontend.server.inline as inline

        return inline.pool().room()
    return 500


def hand_over(call_ids: Sequence[str], config: ServerSettings, call: Call | None = None) -> None:
    """Hands each stored call over; never raises. `call`: the one call, when the caller has
    it (a dotted-path dispatcher then needs no read of its record)."""
    for call_id in call_ids:
        try:
            handed = _hand_over_one(call_id, config, call)
        except Exception as exc:
            logger.warning(
                "Server call %s could not be queued (dispatcher %r: %s); %s.",
                call_id,
                config.dispatch,
                type(exc).__name__,
                LEFT_PENDING,
            )
            continue
        if not handed:
            import analytix_frontend.server.inline as inline

            logger.warning(
                "Server call %s waits: %d calls are already queued in this process; %s.",
                call_id,
                inline.MAX_PENDING,
                LEFT_PENDING,
            )
            inline.release([call_id])


def _hand_over_one(call_id: str, config: ServerSettings, call: Call | None) -> bool:
    mode = config.dispatch
    if mode == INLINE:
        import analytix_frontend.server.inline as inline

        return inline.pool().submit(call_id)
    if mode == TASKS:
        import analytix_frontend.server.tasks as tasks

        tasks.enqueue(call_id, config)
    elif mode == CELERY:
        import analytix_frontend.server.celery as celery

        celery.enqueue(call_id)
    else:
        if call is None or call.id != call_id:
            call = ServerCall.objects.get(pk=call_id).call()
        import_string(mode)(call.as_dict())
    return True


def forget_lost_claims(owners: Sequence[str], config: ServerSettings) -> None:
    """Tells the task queue about tasks whose worker stopped mid-call (see server/tasks.py)."""
    if config.dispatch == TASKS and owners:
        import analytix_frontend.server.tasks as tasks

        tasks.close_lost_tasks(owners, config)
