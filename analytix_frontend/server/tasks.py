"""`DISPATCH = "tasks"`: one task per call on Django's Tasks framework (`django.tasks` on
Django 6, the `django-tasks` backport on 5.2), on the backend `SERVER["TASKS_BACKEND"]`
names, e.g. `django-tasks-db`'s `DatabaseBackend` run by `manage.py db_worker`.

The framework runs a task once and keeps no promise beyond that: no retries, and a worker
killed mid-task leaves it RUNNING forever (django-tasks #46). So the task is a thin shell
over the record's state machine (server/delivery.py): a transient failure enqueues the
same task again to run after the back-off (`run_after`, or a wait in the task on a backend
that cannot defer); a worker that stops mid-call leaves a claim that runs out, and the
sweep enqueues the call again and marks the lost task FAILED, on `django-tasks-db`.

On `django-tasks-db` the task's row is written in the caller's own transaction, next to the
call's record: both commit or neither does (a transactional outbox). On other backends the
task is enqueued once the transaction commits; the sweep covers a process that stops
between the two.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

try:  # Django 6.0+
    from django.tasks import TaskContext, task, task_backends
except ImportError:  # Django 5.2: the backport
    from django_tasks import (  # type: ignore[assignment,no-redef,unused-ignore]
        TaskContext,
        task,
        task_backends,
    )

import analytix_frontend.server.delivery as delivery
import analytix_frontend.server.inline as inline
from analytix_frontend.server.config import ServerSettings, read_server_settings
from analytix_frontend.server.logs import logger
from analytix_frontend.server.store import database

__all__ = ["TaskContext", "close_lost_tasks", "enqueue", "send_call", "task_backends"]

DATABASE_BACKEND_PACKAGE = "django_tasks_db"
LOST_TASK = (
    "The worker stopped while this task was sending; analytix_frontend sends the call again."
)


@task(takes_context=True)
def send_call(context: TaskContext[Any, Any], call_id: str) -> str:
    """One attempt at a stored call (and its retries, on a backend that cannot defer)."""
    config = read_server_settings()
    _hand_over_left_behind(config)
    owner = f"task:{context.task_result.id}"
    never = threading.Event()
    while True:
        step = delivery.attempt(call_id, owner, config)
        if step.retry_in is None:
            return step.state or step.reason
        if _backend(config).supports_defer:
            try:
                enqueue(call_id, config, step.retry_in)
            except Exception as exc:
                logger.warning(
                    "Server call %s: its retry could not be queued (%s); it stays pending, "
                    "and the next sweep or `manage.py analytix_calls --send` sends it.",
                    call_id,
                    type(exc).__name__,
                )
            return step.state
        inline.wait(step.retry_in, never)


def _hand_over_left_behind(config: ServerSettings) -> None:
    """Now and then (SWEEP), calls whose worker stopped, or whose task was lost: enqueued
    again, and the lost tasks marked FAILED."""
    swept = delivery.worker_sweep(config)
    close_lost_tasks(swept.lost_owners, config)
    waiting = still_queued(swept.due, config)
    for call_id in (c for c in swept.due if c not in waiting):
        try:
            enqueue(call_id, config)
        except Exception as exc:
            logger.warning(
                "Server call %s could not be queued (%s); it stays pending.",
                call_id,
                type(exc).__name__,
            )


def _backend(config: ServerSettings) -> Any:
    return task_backends[config.tasks_backend]


def enqueues_in_transaction(config: ServerSettings) -> bool:
    """Whether the backend writes its tasks to the database, in the current transaction."""
    try:
        backend = _backend(config)
    except Exception:
        return False
    return bool(type(backend).__module__.split(".")[0] == DATABASE_BACKEND_PACKAGE)


def enqueue(call_id: str, config: ServerSettings, delay: float = 0.0) -> None:
    """Enqueues one attempt at the call, to run after `delay` seconds when the backend can
    defer. Raises what the backend raises."""
    queued = send_call.using(backend=config.tasks_backend)
    if delay > 0 and _backend(config).supports_defer:
        queued = queued.using(run_after=delivery.now() + timedelta(seconds=delay))
    if enqueues_in_transaction(config):
        with transaction.atomic(using=database()):  # a failed insert spoils no transaction
            queued.enqueue(call_id)
    else:
        queued.enqueue(call_id)


def still_queued(call_ids: Sequence[str], config: ServerSettings) -> set[str]:
    """The calls that have a task waiting (READY) on `django-tasks-db`: a sweep queues no
    second one. (Else a backlog, or no `db_worker` at all, grew by one task per waiting
    call every LEASE: thousands of rows an hour for the worker to wade through.)"""
    if not call_ids or not enqueues_in_transaction(config):
        return set()
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(
        status="READY",
        backend_name=config.tasks_backend,
        task_path=send_call.module_path,
        args_kwargs__args__0__in=list(call_ids),
    ).values_list("args_kwargs", flat=True)
    return {str(row["args"][0]) for row in rows}


def close_lost_tasks(owners: Sequence[str], config: ServerSettings) -> None:
    """Marks FAILED the `django-tasks-db` tasks a stopped worker left RUNNING while sending
    one of these calls (the sweep has enqueued each call again)."""
    ids = []
    for owner in owners:
        try:
            ids.append(uuid.UUID(owner.removeprefix("task:")))
        except ValueError:
            continue
    if not ids or not enqueues_in_transaction(config):
        return
    from django_tasks_db.models import DBTaskResult

    closed = DBTaskResult.objects.filter(id__in=ids, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path=f"{__name__}.WorkerLost",
        traceback=LOST_TASK,
    )
    if closed:
        logger.info("%d task(s) left RUNNING by a stopped worker marked FAILED.", closed)
