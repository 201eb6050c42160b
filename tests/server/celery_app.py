"""A project's Celery app as the docs describe it, for the eager tests and the real worker
(`celery -A tests.server.celery_app worker`, with DJANGO_SETTINGS_MODULE set)."""

from __future__ import annotations

import os

import django
from celery import Celery

django.setup()


def make_app(broker_url: str, **conf: object) -> Celery:
    """A fresh app, made the current one (the app `shared_task`s run on)."""
    app = Celery("analytix_tests", set_as_current=True)
    app.conf.update(
        broker_url=broker_url,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        **conf,
    )
    app.autodiscover_tasks(["analytix_frontend"])
    return app


app = make_app(
    os.environ.get("ANALYTIX_TEST_BROKER", "memory://"),
    # How soon redis gives back a message a killed worker had taken (the chaos test's).
    broker_transport_options={
        "visibility_timeout": float(os.environ.get("ANALYTIX_TEST_VISIBILITY", "3600"))
    },
    worker_prefetch_multiplier=1,
)
