"""The page's plan reports: `POST analytix/plan/report/` (name "analytix:plan-report").

plan.js queues each violation it finds and sends them here when the page is hidden (or at
once when 20 are queued), so that a violation flagged or dropped in visitors' browsers
reaches the server's log, worded as the server's own (runtime.py), and the debug-toolbar
panel's count for that request:

    analytix plan: browser event 'Signed Up' sent (PLAN_POLICY 'flag') on /signup/ (area
    signup): the event is not in the plan; see analytics_plan.yaml. (Reported by the
    visitor's browser; its repeats in the next 600 s are counted into one line.)

Repeats of a violation are counted, not logged each time (plan/repeats.py).

The body, JSON (or text/plain, from `sendBeacon`), at most 4 KB:

    {"area": "signup", "path": "/signup/", "more": 0,
     "violations": [{"event": "Signed Up", "problems": ["unplanned"], "blocked": false}]}

It has no place for a property's value (it may be personal data) nor for anything naming
the visitor, and every field is checked strictly. Anyone can forge a report: what the server
can check, it does (a report calling a planned event unplanned, or naming a property the
plan lacks in anything but "unknown:", is refused), and the log line says who claims it.

As the consent endpoint (consent/views.py): no CSRF token, so cached pages keep working,
but a cross-site request is refused (`is_same_site`). Answers: 204 logged, 400 malformed or
contradicting the plan, 403 cross-site, 404 no plan checked in the page or PLAN_REPORTS off,
405 not a POST, 413 over 4 KB, 429 over the rate limit. Never a 500; every refusal is logged.
"""

from __future__ import annotations

import atexit
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from analytix_frontend.consent import ratelimit
from analytix_frontend.consent.views import CONTENT_TYPES, is_same_site, read_body
from analytix_frontend.decide.rules import internal
from analytix_frontend.decide.settings import get_settings
from analytix_frontend.plan import repeats
from analytix_frontend.plan.config import current_plan, plan_reports
from analytix_frontend.plan.model import SCHEMA_KEYWORDS, Plan
from analytix_frontend.plan.runtime import brief, outcome
from analytix_frontend.plan.validate import UNPLANNED

logger = logging.getLogger("analytix_frontend.plan")

MAX_BODY = 4096  # bytes
MAX_VIOLATIONS = 20  # a report's; plan.js sends at once when it has this many
PER_ADDRESS = 30  # reports a minute from one client address (600 violations)
RATE_KIND = "plan-report-ip"
FIELDS = frozenset({"area", "path", "violations", "more"})
VIOLATION_FIELDS = frozenset({"event", "problems", "blocked"})
PROBLEM = re.compile(
    rf"(?:{'|'.join(SCHEMA_KEYWORDS)}|required|unknown):(?P<property>[^\x00-\x1f\x7f]{{1,100}})"
)
PATH = re.compile(r"/[!-~]{0,299}")  # location.pathname: percent-encoded, no spaces
SAFE = re.compile(r"[\w.\-]{1,100}")  # logged as it is; anything else with repr()


class Refused(ValueError):
    """A report that is malformed or contradicts the plan (400)."""


@dataclass(frozen=True)
class Violation:
    event: str
    problems: tuple[str, ...]  # codes, as plan.js and validate.py write them
    blocked: bool


@dataclass(frozen=True)
class Report:
    area: str
    path: str
    violations: tuple[Violation, ...]
    more: int  # violations the browser left out (to stay under MAX_BODY)


def _text(value: Any, field: str, longest: int, shortest: int = 1) -> str:
    if isinstance(value, str) and shortest <= len(value) <= longest and value.isprintable():
        return value
    raise Refused(f"{field}: not text of {shortest} to {longest} printable characters")


def _object(value: Any, fields: frozenset[str], what: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not set(value) <= fields:
        raise Refused(f"{what}: not an object with only {', '.join(sorted(fields))}")
    return value


def _violation(value: Any) -> Violation:
    item = _object(value, VIOLATION_FIELDS, "a violation")
    event = _text(item.get("event"), "event", 255)
    problems = item.get("problems")
    if not isinstance(problems, list) or not 0 < len(problems) <= 50:
        raise Refused("problems: not a list of 1 to 50 codes")
    for code in problems:
        valid = isinstance(code, str) and code.isprintable() and PROBLEM.fullmatch(code)
        if code != UNPLANNED and not valid:
            raise Refused("problems: not 'unplanned' or '<keyword>:<property>' codes")
    if not isinstance(item.get("blocked"), bool):
        raise Refused("blocked: not true or false")
    return Violation(event, tuple(problems), item["blocked"])


def read_report(body: bytes) -> Report:
    """The report in `body`, or Refused saying what is wrong (never quoting the body)."""
    try:
        data = json.loads(body, parse_constant=lambda name: None)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError, JSONDecodeError, too deep
        raise Refused("the body is not JSON") from error
    data = _object(data, FIELDS, "the report")
    path = data.get("path")
    if not isinstance(path, str) or not PATH.fullmatch(path) or "?" in path or "#" in path:
        raise Refused("path: not a page's path (location.pathname)")
    more = data.get("more", 0)
    if type(more) is not int or not 0 <= more <= 1_000_000:
        raise Refused("more: not a whole number from 0 to 1000000")
    violations = data.get("violations")
    if not isinstance(violations, list) or not 0 < len(violations) <= MAX_VIOLATIONS:
        raise Refused(f"violations: not a list of 1 to {MAX_VIOLATIONS}")
    area = _text(data.get("area"), "area", 100, shortest=0)  # "": the tag named none
    return Report(area, path, tuple(_violation(v) for v in violations), more)


def shown(text: str) -> str:
    """`text` as a log line may carry it: as it is when plain, else repr() (no line breaks,
    quotes or look-alike separators can pass)."""
    return text if SAFE.fullmatch(text) else repr(text)


def contradiction(plan: Plan, violation: Violation) -> str:
    """Why the plan says this violation cannot be so, or "" (it may be)."""
    event = plan.events.get(violation.event)
    if event is None:
        if violation.problems != (UNPLANNED,):
            return f"{violation.event!r} is not in the plan, so its only problem is 'unplanned'"
        return ""
    properties = {p.name: p for p in event.properties}
    for code in violation.problems:
        keyword, _, name = code.partition(":")
        planned = properties.get(name)
        if keyword == UNPLANNED:
            return f"{violation.event!r} is in the plan"
        if keyword == "unknown":
            if planned is not None:
                return f"{violation.event!r} has the property {name!r} in the plan"
        elif planned is None:
            return f"{keyword}: names a property that {violation.event!r} has not in the plan"
        elif keyword == "required" and not planned.required:
            return f"{violation.event!r}: the plan does not require {name!r}"
        elif keyword != "required" and keyword not in planned.schema:
            return f"{violation.event!r}: the plan sets no {keyword} for {name!r}"
    return ""


def log_repeats(counts: list[tuple[str, int]]) -> None:
    for text, count in counts:
        logger.warning(
            "analytix plan: %s: reported %s more time%s in the %.0f s after it was logged. "
            "(Reported by visitors' browsers.)",
            text,
            count,
            "" if count == 1 else "s",
            repeats.reported.window,
        )


@atexit.register
def _log_repeats_at_exit() -> None:
    """The counts still held as the process ends (a deploy, a worker's restart)."""
    log_repeats(repeats.reported.due(every=True))


def log_report(report: Report, source: str) -> None:
    """One warning per violation, and one for those left out; each counted by the panel.
    Repeats of a violation within repeats.WINDOW are counted, and logged as one line once
    the window is over (plan/repeats.py: a busy page must not flood the log)."""
    from analytix_frontend.server.record import record_plan_violation, shown_path

    log_repeats(repeats.reported.due())
    area = shown(report.area)
    where = f"{shown_path(report.path)} (area {area})"
    for violation in report.violations:
        what = f"browser event {violation.event!r}"
        briefs = [brief(shown_code(code)) for code in violation.problems]
        record_plan_violation(
            {"what": f"{what} on {where}", "problems": briefs, "blocked": violation.blocked}
        )
        key = (report.area, violation.event, violation.problems, violation.blocked)
        text = f"{what} {outcome(violation.blocked)} (area {area}): {'; '.join(briefs)}"
        if not repeats.reported.admit(key, text):
            continue
        logger.warning(
            "analytix plan: %s %s on %s: %s; see %s. (Reported by the visitor's browser; "
            "its repeats in the next %.0f s are counted into one line.)",
            what,
            outcome(violation.blocked),
            where,
            "; ".join(briefs),
            source,
            repeats.reported.window,
        )
    if report.more and repeats.reported.admit(
        ("more", report.area), f"violations left out of browsers' reports on area {area}"
    ):
        logger.warning(
            "analytix plan: %s more violations on %s were left out of the browser's report "
            "(it is at most %s bytes); the page's console lists them. (Reported by the "
            "visitor's browser.)",
            report.more,
            where,
            MAX_BODY,
        )


def shown_code(code: str) -> str:
    keyword, colon, name = code.partition(":")
    return f"{keyword}{colon}{shown(name)}" if name else code


def _refuse(status: int, error: str, request: HttpRequest) -> JsonResponse:
    logger.warning(
        "analytix plan: a browser's plan report refused (%s %s): %s", status, request.path, error
    )
    return JsonResponse({"error": error}, status=status)


def _receive(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        response = _refuse(405, "POST only", request)
        response["Allow"] = "POST"
        return response
    plan = current_plan()
    if plan is None or not plan_reports():
        return _refuse(404, "no tracking plan is checked in the page (or PLAN_REPORTS)", request)
    if not is_same_site(request):
        return _refuse(403, "cross-site request", request)
    address = internal.client_address(get_settings().privacy.internal, request)
    if not ratelimit.allow_client(RATE_KIND, address, PER_ADDRESS):
        return _refuse(429, "too many reports from this address", request)
    body = read_body(request, MAX_BODY)
    if body is None:
        return _refuse(413, f"the body is over {MAX_BODY} bytes", request)
    if request.content_type not in CONTENT_TYPES:
        return _refuse(400, "Content-Type must be application/json or text/plain", request)
    try:
        report = read_report(body)
        for violation in report.violations:
            why = contradiction(plan, violation)
            if why:
                raise Refused(f"the plan contradicts it: {why}")
    except Refused as refused:
        return _refuse(400, str(refused), request)
    log_report(report, plan.source)
    return HttpResponse(status=204)


@csrf_exempt  # no token (cached pages keep working); is_same_site refuses cross-site posts
@never_cache
def receive_plan_report(request: HttpRequest) -> HttpResponse:
    try:
        return _receive(request)
    except Exception:
        logger.exception("analytix plan: the plan report endpoint failed; the report is lost")
        return JsonResponse({"error": "the report could not be read"}, status=503)
