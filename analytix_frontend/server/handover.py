"""Handing stored calls to whatever sends them, by `SERVER["DISPATCH"]`: this process's
inline pool, a `django.tasks` task, a Celery task, or a dotted-path callable (which gets the
call as a JSON-safe dict, its `id` included, and may send it with `send`).

A hand-over that fails loses nothing: the record stays pending, and the next sweep (or
`manage.py analytix_calls --send`) hands it over again. The log line says so, and why (for
"tasks" and "celery" the error's own words, and Celery's broker without its password). For
`PAUSE` seconds after a failure this process does not try again (each call waits for the
sweep at once): a broker that is down costs one request one try, not every request every
call (redis-py alone tries four times, over about 0.6 s, before it gives up).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils.module_loading import import_string

import analytix_frontend.server.delivery as delivery
from analytix_frontend.server.calls import Call
from analytix_frontend.server.config import CELERY, INLINE, TASKS, ServerSettings
from analytix_frontend.server.logs import logger
from analytix_frontend.server.models import ServerCall

LEFT_PENDING = "it stays pending, and the next sweep or `manage.py analytix_calls --send` sends it"
PAUSE = 10.0  # seconds without a hand-over after one failed, in this process
_failed: dict[str, tuple[datetime, str]] = {}  # dispatch mode -> (paused until, why)


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
        paused = _failed.get(config.dispatch)
        if paused is not None and delivery.now() < paused[0]:
            logger.warning(
                "Server call %s was not handed over: a hand-over failed less than %g s ago "
                "(dispatcher %r: %s); %s.",
                *(call_id, PAUSE, config.dispatch, paused[1], LEFT_PENDING),
            )
            continue
        try:
            handed = _hand_over_one(call_id, config, call)
        except Exception as exc:
            why = _why(exc, config)
            _failed[config.dispatch] = (delivery.now() + timedelta(seconds=PAUSE), why)
            logger.warning(
                "Server call %s could not be queued (dispatcher %r: %s); %s.",
                *(call_id, config.dispatch, why, LEFT_PENDING),
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


def forget_failures() -> None:
    """Hands over again at once (tests; a process whose settings changed)."""
    _failed.clear()


def _why(exc: Exception, config: ServerSettings) -> str:
    """The error, for a log line without personal data: a project's own dispatcher by its
    type only (its message may quote the call), the tasks framework's and Celery's in their
    words too, and Celery's broker (its password masked)."""
    why = type(exc).__name__
    if config.dispatch not in (TASKS, CELERY):
        return why
    why = f"{why}: {' '.join(str(exc).split())[:200]}"
    if config.dispatch == CELERY:
        import analytix_frontend.server.celery as celery

        why += f"; broker {celery.broker()}"
    return why


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


def not_queued(call_ids: Sequence[str], config: ServerSettings) -> list[str]:
    """Of the calls a sweep found due, those with no task already waiting for them (on
    `django-tasks-db`; other modes cannot tell, and get them all)."""
    if config.dispatch != TASKS or not call_ids:
        return list(call_ids)
    import analytix_frontend.server.tasks as tasks

    waiting = tasks.still_queued(call_ids, config)
    if waiting:
        logger.info(
            "%d pending call(s) still have a task waiting: is `manage.py db_worker` running "
            "for TASKS_BACKEND %r, and keeping up? No second task is queued.",
            len(waiting),
            config.tasks_backend,
        )
    return [call_id for call_id in call_ids if call_id not in waiting]


def forget_lost_claims(owners: Sequence[str], config: ServerSettings) -> None:
    """Tells the task queue about tasks whose worker stopped mid-call (see server/tasks.py)."""
    if config.dispatch == TASKS and owners:
        import analytix_frontend.server.tasks as tasks

        tasks.close_lost_tasks(owners, config)
