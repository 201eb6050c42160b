"""System checks for durable delivery: analytix.E114-E118, W103-W104.

- E114: `DISPATCH = "tasks"` without Django's Tasks framework (Django 6, or the backport).
- E115: `TASKS_BACKEND` (when set, or for "tasks") is not an alias of `settings.TASKS`.
- E116: `LEASE` is not a number of seconds; E117: `SWEEP` neither; E118: `RETENTION_DAYS`
  is not a whole number of days.

A missing table (no `migrate` yet) is not a check: `migrate` runs the database checks
before it creates the table. Django's own "unapplied migrations" notice, one log line per
call (with its replay line) and `manage.py analytix_calls` say so instead.
- W103 (`check --deploy`): "inline" with `SWEEP = 0`: nothing resends a call a stopped
  process left behind, unless `manage.py analytix_calls --send` runs from cron.
- W104 (`check --deploy`): "tasks" on a backend that runs tasks in the request
  (ImmediateBackend) or never (DummyBackend).
"""

from __future__ import annotations

import importlib.util
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register

from analytix_frontend.extras import install_hint
from analytix_frontend.server.config import INLINE, TASKS, server_config

SERVER = "ANALYTICS_CONFIG['SERVER']"

IN_REQUEST_BACKENDS = ("ImmediateBackend", "DummyBackend")


def _tasks_installed() -> bool:
    """Django 6's django.tasks, or the django-tasks backport."""
    find = importlib.util.find_spec
    return find("django.tasks") is not None or find("django_tasks") is not None


@register(Tags.compatibility)
def check_delivery_settings(**kwargs: Any) -> list[CheckMessage]:
    server = server_config()
    messages: list[CheckMessage] = []
    if server.get("DISPATCH") == TASKS and not _tasks_installed():
        messages.append(
            Error(
                f"{SERVER}['DISPATCH'] is 'tasks' but Django's Tasks framework is missing "
                "(Django 6.0+, or the django-tasks backport on Django 5.2).",
                hint=install_hint("tasks") + ".",
                id="analytix.E114",
            )
        )
    elif _tasks_installed() and (server.get("DISPATCH") == TASKS or "TASKS_BACKEND" in server):
        messages += _check_tasks_backend(server.get("TASKS_BACKEND", "default"))
    for key, least, error in (("LEASE", 1, "E116"), ("SWEEP", 0, "E117")):
        value = server.get(key)
        is_seconds = (
            isinstance(value, (int, float)) and not isinstance(value, bool) and value >= least
        )
        if key in server and not is_seconds:
            messages.append(_seconds_error(key, value, error))
    days = server.get("RETENTION_DAYS")
    if "RETENTION_DAYS" in server and (
        isinstance(days, bool) or not isinstance(days, int) or days < 1
    ):
        messages.append(
            Error(
                f"{SERVER}['RETENTION_DAYS'] = {days!r} is not a whole number of days.",
                hint="Finished calls older than this are purged by `manage.py analytix_calls "
                "--purge`; 30 is the default.",
                id="analytix.E118",
            )
        )
    return messages


def _seconds_error(key: str, value: Any, error: str) -> CheckMessage:
    hint = (
        "LEASE: how long a claim on a call lasts (120 by default); SWEEP: how often each web "
        "process looks for calls left behind (60)."
    )
    if error == "E116":
        return Error(
            f"{SERVER}['LEASE'] = {value!r} is not a number of seconds (1 or more).",
            hint=hint,
            id="analytix.E116",
        )
    return Error(
        f"{SERVER}[{key!r}] = {value!r} is not a number of seconds (0 turns sweeping off).",
        hint=hint,
        id="analytix.E117",
    )


def _check_tasks_backend(alias: Any) -> list[CheckMessage]:
    try:  # importing the task checks the default backend too
        from analytix_frontend.server.tasks import task_backends

        task_backends[alias]
    except Exception:
        return [
            Error(
                f"{SERVER}['TASKS_BACKEND'] = {alias!r} is not a backend in settings.TASKS.",
                hint='For example TASKS = {"default": {"BACKEND": '
                '"django_tasks_db.DatabaseBackend"}}, with "django_tasks_db" in '
                "INSTALLED_APPS and `manage.py db_worker` running.",
                id="analytix.E115",
            )
        ]
    return []


@register(Tags.compatibility, deploy=True)
def check_delivery_for_deploy(**kwargs: Any) -> list[CheckMessage]:
    server = server_config()
    dispatch = server.get("DISPATCH", INLINE)
    if dispatch == INLINE and server.get("SWEEP") == 0:
        return [
            Warning(
                f"{SERVER}['DISPATCH'] is 'inline' and SWEEP is 0: a call that a stopped or "
                "killed web process left behind (pending, or mid-send) is not sent again "
                "by anything.",
                hint="Leave SWEEP unset (each web process looks every 60 s), run `manage.py "
                "analytix_calls --send` from cron, or use DISPATCH 'tasks' or 'celery'.",
                id="analytix.W103",
            )
        ]
    if dispatch == TASKS and _tasks_installed():
        try:
            from analytix_frontend.server.tasks import task_backends

            backend = type(task_backends[server.get("TASKS_BACKEND", "default")]).__name__
        except Exception:
            return []
        if backend in IN_REQUEST_BACKENDS:
            return [
                Warning(
                    f"{SERVER}['DISPATCH'] is 'tasks' on the {backend}: calls are "
                    + (
                        "sent inside the request, retries included."
                        if backend == "ImmediateBackend"
                        else "never sent."
                    ),
                    hint="Use a backend with a worker, e.g. django_tasks_db.DatabaseBackend "
                    "and `manage.py db_worker`, or DISPATCH 'inline'.",
                    id="analytix.W104",
                )
            ]
    return []
