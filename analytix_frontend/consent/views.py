"""The record endpoint: `POST analytix/consent/` (name "analytix:consent-record").

consent.js sends one decision per request (JSON, or text/plain from `sendBeacon`). No CSRF
token, so cached pages keep working; instead a cross-site request is refused: browsers send
`Sec-Fetch-Site`, which must be `same-origin`, and without it the `Origin` (else `Referer`)
must be this site's own host. Answers: 204 stored, 400 malformed, 403 cross-site, 404
`RECORDS` off, 405 not a POST, 413 over 4 KB, 429 over the rate limit, 503 when the database
fails. Never a 500; every refusal and failure is logged (a record is never lost silently).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from analytix_frontend.consent import ratelimit
from analytix_frontend.consent.records import (
    MAX_BODY,
    Refused,
    as_log,
    read_decision,
    record_fields,
    store,
)
from analytix_frontend.decide.rules import internal
from analytix_frontend.decide.settings import AnalytixSettings, get_settings

logger = logging.getLogger("analytix_frontend.consent")

CONTENT_TYPES = frozenset({"application/json", "text/plain"})


def _refuse(status: int, error: str, request: HttpRequest) -> JsonResponse:
    logger.warning("analytix: consent record refused (%s %s): %s", status, request.path, error)
    return JsonResponse({"error": error}, status=status)


def is_same_site(request: HttpRequest) -> bool:
    """Sent by this site's own pages: `Sec-Fetch-Site: same-origin`, or without that header
    an Origin (else Referer) on this host (and https when this request is secure). The plan
    report endpoint (plan/reports.py) asks it too."""
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None:
        return bool(fetch_site == "same-origin")
    origin = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER")
    if not origin or origin == "null":
        return False
    try:
        parts = urlsplit(origin)
        host = request.get_host()
    except (ValueError, DisallowedHost):
        return False
    if request.is_secure() and parts.scheme != "https":
        return False
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


def read_body(request: HttpRequest, limit: int = MAX_BODY) -> bytes | None:
    """At most `limit` bytes, or None when there are more (also used by plan/reports.py)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def _record(request: HttpRequest, config: AnalytixSettings) -> HttpResponse:
    if request.method != "POST":
        response = _refuse(405, "POST only", request)
        response["Allow"] = "POST"
        return response
    if not config.privacy.consent.records:
        return _refuse(404, "consent records are off (CONSENT['RECORDS'])", request)
    if not is_same_site(request):
        return _refuse(403, "cross-site request", request)
    address = internal.client_address(config.privacy.internal, request)
    if not ratelimit.allow_client("ip", address, ratelimit.PER_ADDRESS):
        return _refuse(429, "too many records from this address", request)
    body = read_body(request)
    if body is None:
        return _refuse(413, f"the body is over {MAX_BODY} bytes", request)
    if request.content_type not in CONTENT_TYPES:
        return _refuse(400, "Content-Type must be application/json or text/plain", request)
    try:
        decision = read_decision(body)
    except Refused as refused:
        return _refuse(400, str(refused), request)
    if not ratelimit.allow("id", decision.consent_id, ratelimit.PER_CONSENT_ID):
        return _refuse(429, "too many records for this consent id", request)
    fields = record_fields(decision, request, config)
    try:
        store(fields)
    except DatabaseError:
        logger.error(
            "analytix: a consent record could not be stored (database error); it is lost "
            "unless you store it again from this line: %s",
            as_log(fields),
            exc_info=True,
        )
        return JsonResponse({"error": "the record could not be stored"}, status=503)
    return HttpResponse(status=204)


@csrf_exempt  # no token (cached pages keep working); is_same_site refuses cross-site posts
@never_cache
def record_consent(request: HttpRequest) -> HttpResponse:
    try:
        return _record(request, get_settings())
    except Exception:
        logger.exception("analytix: the consent record endpoint failed; the record is lost")
        return JsonResponse({"error": "the record could not be stored"}, status=503)
