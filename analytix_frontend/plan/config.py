"""The plan settings, read at use time: `ANALYTICS_CONFIG["PLAN"]` (a path or a dict),
`ANALYTICS_CONFIG["PLAN_POLICY"]` ("pass", "flag" (default) or "block") and
`ANALYTICS_CONFIG["PLAN_REPORTS"]` (True (default): pages report their violations).

The parsed plan is kept per process and read again when the file changes (its modification
time and size are looked at, at most once a second) or the settings change. A plan that
cannot be read never raises here: it is logged once, and nothing is checked at run time
(the system checks, analytix.E601-E603, say what to fix).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from analytix_frontend.plan.model import Plan
from analytix_frontend.plan.parser import PlanError, read_plan

logger = logging.getLogger("analytix_frontend.plan")

PASS, FLAG, BLOCK = "pass", "flag", "block"
POLICIES = (PASS, FLAG, BLOCK)
RESTAT_SECONDS = 1.0


def _config() -> Mapping[str, Any]:
    config = getattr(settings, "ANALYTICS_CONFIG", None)
    return config if isinstance(config, Mapping) else {}


def plan_setting() -> Any:
    return _config().get("PLAN")


def plan_policy() -> str:
    """The run-time policy; an invalid value counts as the default, "flag"."""
    policy = _config().get("PLAN_POLICY", FLAG)
    return policy if policy in POLICIES else FLAG


def plan_reports() -> bool:
    """Whether pages report their violations to the server (plan/reports.py); a value that
    is not a bool counts as the default, True (analytix.E605 says so)."""
    reports = _config().get("PLAN_REPORTS", True)
    return reports if isinstance(reports, bool) else True


def dependencies_missing() -> list[str]:
    """The [plan] extra's packages that are not installed."""
    missing = []
    for module, package in (("yaml", "PyYAML"), ("jsonschema", "jsonschema")):
        try:
            __import__(module)
        except ImportError:
            missing.append(package)
    return missing


@dataclass
class _Cached:
    setting: Any
    stamp: tuple[int, int] | None  # the file's (mtime_ns, size)
    checked: float
    plan: Plan | None
    error: PlanError | None


_lock = threading.Lock()
_cached: _Cached | None = None


def _stamp(setting: Any) -> tuple[int, int] | None:
    if not isinstance(setting, (str, Path)):
        return None
    try:
        stat = Path(setting).stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def load_current(*, fresh: bool = False) -> tuple[Plan | None, PlanError | None]:
    """(the plan, None), (None, why it cannot be read), or (None, None) when PLAN is unset.
    `fresh`: look at the file now (checks, the command); else at most once a second."""
    global _cached
    setting = plan_setting()
    if setting is None:
        return None, None
    now = time.monotonic()
    cached = _cached
    if cached is not None and cached.setting is setting:
        if now - cached.checked < RESTAT_SECONDS and not fresh:
            return cached.plan, cached.error
        stamp = _stamp(setting)
        if stamp == cached.stamp:
            cached.checked = now
            return cached.plan, cached.error
    with _lock:
        stamp = _stamp(setting)
        try:
            plan, error = read_plan(setting), None
        except PlanError as problem:
            plan, error = None, problem
            logger.error(
                "analytix: the tracking plan cannot be used, nothing is checked: %s", problem
            )
        _cached = _Cached(setting, stamp, now, plan, error)
    return plan, error


def current_plan() -> Plan | None:
    """The plan to check against at run time, or None (unset, unreadable, or policy "pass")."""
    if plan_policy() == PASS:
        return None
    return load_current()[0]


@receiver(setting_changed)
def _drop_cached_plan(*, setting: str, **kwargs: Any) -> None:
    global _cached
    if setting == "ANALYTICS_CONFIG":
        _cached = None
