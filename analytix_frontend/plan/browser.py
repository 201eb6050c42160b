"""What the page's check gets: the plan compiled to compact JSON (each event's JSON Schema
keywords, required properties and vendor names, the policy), served by `plan_json` at a
content-hashed URL that is cached for a year, and named in the page's config block.

Why a URL and not the config block: the plan can run to kilobytes, and the tag's HTML goal is
under 1 KB per page; fetched once, the plan is then in the browser's cache for every page.
The URL changes whenever the plan or the policy does, so a cached copy is never stale. With
PLAN_POLICY "pass", or no plan, the page gets no URL and checks nothing.

The compiled plan also names where the page reports its violations ("report": the path of
plan/reports.py's endpoint), unless PLAN_REPORTS is off: the page's HTML does not grow.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from analytix_frontend.plan.config import current_plan, plan_policy, plan_reports
from analytix_frontend.plan.model import Plan

logger = logging.getLogger("analytix_frontend.plan")

URL_NAME = "analytix:plan"
REPORT_URL_NAME = "analytix:plan-report"
YEAR = 365 * 24 * 3600
# id(plan) -> (plan, policy, reports on, json, digest)
_compiled: dict[int, tuple[Plan, str, bool, str, str]] = {}
# Whether the unrouted plan was logged: once per process (and URLconf), not once per page
_unrouted_logged: list[bool] = []


def compile_plan(plan: Plan, policy: str, report: str | None = None) -> dict[str, Any]:
    """The plan as plan.js reads it; only the keys it uses. `report`: the report endpoint's
    path (no "report" key without one: the page then reports nothing)."""
    events: dict[str, Any] = {}
    for event in plan.events.values():
        compiled: dict[str, Any] = {}
        if event.properties:
            compiled["properties"] = {p.name: dict(p.schema) for p in event.properties}
        required = [p.name for p in event.properties if p.required]
        if required:
            compiled["required"] = required
        if event.vendors:
            compiled["vendors"] = dict(event.vendors)
        events[event.name] = compiled
    source = plan.source.replace("\\", "/").rsplit("/", 1)[-1]  # the file's name, not the path
    compiled = {"policy": policy, "source": source, "events": events}
    if report:
        compiled["report"] = report
    return compiled


def report_path() -> str | None:
    """The report endpoint's path, or None (PLAN_REPORTS off, or not routed)."""
    if not plan_reports():
        return None
    try:
        return reverse(REPORT_URL_NAME)
    except NoReverseMatch:
        return None  # plan_url() says what to route


def compiled_plan() -> tuple[str, str] | None:
    """(JSON text, digest) of the current plan, or None when the page checks nothing."""
    plan, policy, reports = current_plan(), plan_policy(), plan_reports()
    if plan is None:
        return None
    cached = _compiled.get(id(plan))
    if cached is None or cached[0] is not plan or cached[1:3] != (policy, reports):
        compiled = compile_plan(plan, policy, report_path())
        text = json.dumps(compiled, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        _compiled.clear()  # one plan at a time
        cached = _compiled[id(plan)] = (plan, policy, reports, text, digest)
    return cached[3], cached[4]


@receiver(setting_changed)
def _forget_compiled(*, setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":  # the report's path may move
        _compiled.clear()
        _unrouted_logged.clear()


def plan_url() -> str | None:
    """The compiled plan's URL; "" when the URLconf does not route it (logged); None: no plan."""
    compiled = compiled_plan()
    if compiled is None:
        return None
    try:
        return reverse(URL_NAME, args=[compiled[1]])
    except NoReverseMatch:
        if not _unrouted_logged:  # system check W606 says it too
            _unrouted_logged.append(True)
            logger.warning(
                "analytix: the tracking plan cannot reach the page: add "
                'path("analytix/", include("analytix_frontend.urls")) to your URLconf '
                "(the page then sends events unchecked). (Logged once per process.)"
            )
        return ""


def plan_page_config() -> dict[str, str]:
    """The config block's part: {"plan": url} when the page checks events, else {}."""
    url = plan_url()
    return {} if url is None else {"plan": url}


def plan_json(request: HttpRequest, digest: str) -> HttpResponse:
    """The compiled plan. Its own digest is cached for a year; any other (a page from before
    the plan changed) gets the current plan, not cached."""
    compiled = compiled_plan()
    if compiled is None:
        raise Http404("no tracking plan is checked in the page")
    text, current = compiled
    response = HttpResponse(text, content_type="application/json")
    response["Cache-Control"] = (
        f"public, max-age={YEAR}, immutable" if digest == current else "no-cache"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
