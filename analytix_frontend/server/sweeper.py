"""The sweep in each web process: a background thread (from the process's first request, or
its first call, then every `SWEEP` seconds) that finds calls left behind by a process that
stopped (server/delivery.py's `sweep`) and hands them over again by the current dispatch
mode. (A worker's task sweeps too, through `delivery.worker_sweep`.)

It runs only once the project uses the server module in this process (a call was made, or
`ANALYTICS_CONFIG["SERVER"]` is set), so a site without server calls, or without a
database, never queries the table. A sweep that fails (no table yet) says so once.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from typing import Any

from analytix_frontend.server.config import ServerSettings, read_server_settings
from analytix_frontend.server.delivery import sweep
from analytix_frontend.server.handover import forget_lost_claims, hand_over, not_queued, room

logger = logging.getLogger("analytix_frontend.server")

_lock = threading.Lock()
_thread: threading.Thread | None = None
_stop = threading.Event()
_warned = False
_used = False  # a call was made in this process


def sweep_once(config: ServerSettings | None = None) -> int:
    """One sweep: hands over the calls it finds; how many. Never raises."""
    global _warned
    config = config or read_server_settings()
    try:
        swept = sweep(config, room(config))
    except Exception as exc:
        if not _warned:
            _warned = True
            logger.warning(
                "Could not look for server calls left behind (%s): has `manage.py migrate` "
                "run? Calls are not sent until their table exists.",
                type(exc).__name__,
            )
        return 0
    forget_lost_claims(swept.lost_owners, config)
    due = not_queued(swept.due, config)
    hand_over(due, config)
    return len(due)


def _run() -> None:
    from django.db import close_old_connections

    while True:
        config = read_server_settings()
        if not config.sweep or not (_used or _server_configured()):
            return  # turned off (or, in tests, the settings that started it are gone)
        close_old_connections()
        sweep_once(config)
        close_old_connections()
        if _stop.wait(config.sweep):
            return


def start_sweeping(*, used: bool = False) -> None:
    """Starts this process's sweeper thread, once (unless `SWEEP` is 0). `used`: a call was
    made in this process."""
    global _thread, _used
    _used = _used or used
    if _thread is not None or not read_server_settings().sweep:
        return
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_run, name="analytix-sweeper", daemon=True)
            _thread.start()


def stop() -> None:
    """Stops the sweeper thread (tests)."""
    global _thread, _used
    _stop.set()
    if _thread is not None:
        _thread.join(10)
    _thread = None
    _stop.clear()
    _used = False


def on_request_started(**kwargs: Any) -> None:
    if _thread is None and _server_configured():
        start_sweeping()


def _server_configured() -> bool:
    from django.conf import settings

    config = getattr(settings, "ANALYTICS_CONFIG", None)
    return isinstance(config, Mapping) and "SERVER" in config


def watch_requests() -> None:
    """Connects the first-request start (from the app's ready())."""
    from django.core.signals import request_started

    request_started.connect(on_request_started, dispatch_uid="analytix_frontend.server.sweeper")


def _reset_after_fork() -> None:
    global _thread, _lock, _used
    _thread, _lock, _used = None, threading.Lock(), False


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
