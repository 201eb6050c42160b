"""The Celery task behind `ANALYTICS_CONFIG["SERVER"]["DISPATCH"] = "celery"`.

Install `analytix-frontend[celery]`. The task is a `shared_task`, so it belongs to the
project's own Celery app; `app.autodiscover_tasks()` finds it through
`analytix_frontend/tasks.py`. Each attempt is one task run: a transient failure (no answer,
5xx, 429) is retried by Celery after the server's Retry-After, or else an exponential
back-off with jitter, both capped by MAX_DELAY; other answers end the task at once.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from analytix_frontend.server.calls import Call
from analytix_frontend.server.config import read_server_settings
from analytix_frontend.server.http import log_outcome, retry_delay, send_once
from analytix_frontend.server.logs import logger

TASK_NAME = "analytix_frontend.server.send_call"


@shared_task(bind=True, name=TASK_NAME, ignore_result=True, max_retries=None)  # type: ignore[untyped-decorator]
def send_call(self: Task, call: dict[str, Any]) -> bool:
    try:
        parsed = Call.from_dict(call)
    except ValueError as exc:
        logger.error("Not a call, nothing sent: %s.", exc)
        return False
    config = read_server_settings()
    retries_done: int = self.request.retries
    outcome = send_once(parsed, config)
    if outcome.transient and retries_done < config.retries:
        delay = retry_delay(retries_done, outcome, config)
        logger.debug(
            "%s: %s; retry %d of %d in %.2f s.",
            parsed.describe(),
            outcome.problem,
            retries_done + 1,
            config.retries,
            delay,
        )
        raise self.retry(countdown=delay)
    log_outcome(parsed, outcome, retries_done + 1)
    return outcome.ok
