"""Lets Celery's `app.autodiscover_tasks()` find the server-side task (see server/celery.py)."""

from analytix_frontend.server.celery import send_call

__all__ = ["send_call"]
