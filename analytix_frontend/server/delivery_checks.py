"""System checks for durable delivery: analytix.E114-E118, W103-W104.

- E114: `DISPATCH = "tasks"` without Django's Tasks framework (Django 6, or the backport).
- E115: `TASKS_BACKEND` is not an alias of `settings.TASKS`.
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

from analytix_frontend.server.checks import SERVER, _is_number
from analytix_frontend.server.config import INLINE, TASKS, server_config

IN_REQUEST_BACKENDS = ("ImmediateBackend", "DummyBackend")


def _tasks_installed() -> bool:
    return any(
        importlib.util.find_spec(name.split(".")[0]) is not None
        and (name != "django.tasks" or importlib.util.find_spec(name) is not None)
        for name in ("django.tasks", "django_tasks")
    )


@register(Tags.compatibility)
def check_delivery_settings(**kwargs: Any) -> list[CheckMessage]:
    server = server_config()
    messages: list[CheckMessage] = []
    if server.get("DISPATCH") == TASKS:
        messages += _check_tasks(server.get("TASKS_BACKEND", "default"))
    for key, error, least in (("LEASE", "E116", 1), ("SWEEP", "E117", 0)):
        value = server.get(key)
        is_seconds = isinstance(value, (int, float)) and _is_number(value) and value >= least
        if key in server and not is_seconds:
            messages.append(
                Error(
                    f"{SERVER}[{key!r}] = {value!r} is not a number of seconds"
                    + (" (1 or more)." if key == "LEASE" else " (0 turns sweeping off)."),
                    hint="LEASE: how long a claim on a call lasts (120 by default); SWEEP: "
                    "how often each web process looks for calls left behind (60).",
                    id=f"analytix.{error}",
                )
            )
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


def _check_tasks(alias: Any) -> list[CheckMessage]:
    if not _tasks_installed():
        return [
            Error(
                f"{SERVER}['DISPATCH'] is 'tasks' but Django's Tasks framework is missing "
                "(Django 6.0+, or the django-tasks backport on Django 5.2).",
                hint="pip install 'analytix-frontend[tasks]'.",
                id="analytix.E114",
            )
        ]
    from analytix_frontend.server.tasks import task_backends

    try:
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
        from analytix_frontend.server.tasks import task_backends

        try:
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
