"""The Celery task behind `ANALYTICS_CONFIG["SERVER"]["DISPATCH"] = "celery"`.

Install `analytix-frontend[celery]`. The task is a `shared_task`, so it belongs to the
project's own Celery app; `app.autodiscover_tasks()` finds it through
`analytix_frontend/tasks.py`. Its message holds only the call's id: the call is read from
its record (server/models.py), and each run is one attempt through the record's state
machine (server/delivery.py).

The guarantee: the task is acknowledged after it runs (`acks_late`) and put back in the
queue when its worker process dies (`reject_on_worker_lost`), so a killed worker loses no
call. Celery then delivers at least once, maybe twice; the record makes that harmless: a
redelivered task whose call is `sent` (or being sent by a live claim) sends nothing. A
transient failure enqueues the task again after the back-off (`countdown`); if that fails,
the call stays pending for the next sweep.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from analytix_frontend.server.config import read_server_settings
from analytix_frontend.server.delivery import attempt, worker_sweep
from analytix_frontend.server.logs import logger
from analytix_frontend.server.sending import send_now

TASK_NAME = "analytix_frontend.server.send_call"


@shared_task(  # type: ignore[untyped-decorator]
    bind=True,
    name=TASK_NAME,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def send_call(self: Task, call_id: str | dict[str, Any]) -> str:
    if isinstance(call_id, dict):  # a message queued before calls had records
        return send_now(call_id)
    config = read_server_settings()
    for left_behind in worker_sweep(config).due:  # now and then (SWEEP)
        _enqueue_or_leave(left_behind, 0.0)
    step = attempt(call_id, f"celery:{self.request.id}", config)
    if step.retry_in is not None:
        _enqueue_or_leave(call_id, step.retry_in)
    return step.state or step.reason


def _enqueue_or_leave(call_id: str, countdown: float) -> None:
    try:
        enqueue(call_id, countdown=countdown)
    except Exception as exc:
        logger.warning(
            "Server call %s: its retry could not be queued (%s); it stays pending, and "
            "the next sweep or `manage.py analytix_calls --send` sends it.",
            call_id,
            type(exc).__name__,
        )


def broker() -> str:
    """The broker the task is published to, as Celery shows it (no password)."""
    try:
        return str(send_call.app.connection_for_write().as_uri())
    except Exception as exc:
        return f"unknown ({type(exc).__name__})"


def enqueue(call_id: str, countdown: float = 0.0) -> None:
    """Publishes one attempt at the call. Raises what Celery raises."""
    send_call.apply_async(args=[call_id], countdown=countdown or None)
