"""Sending one `Call` over HTTP (httpx), deciding whether a failure is worth retrying, and
logging the outcome so that a final failure can be replayed.

Transient: no answer (timeout, connection error), 5xx, 429. Everything else is final.
"""

from __future__ import annotations

import email.utils
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timezone
from time import sleep

import httpx

from analytix_frontend import __version__
from analytix_frontend.server.calls import Call
from analytix_frontend.server.config import (
    ACCESS_TOKEN_SETTING,
    ServerSettings,
    access_token,
    read_server_settings,
)

logger = logging.getLogger("analytix_frontend.server")

BODY_EXCERPT = 300  # characters of a vendor's error answer worth logging
USER_AGENT = f"analytix-frontend/{__version__}"


@dataclass(frozen=True)
class Outcome:
    status: int | None  # None when no answer came back
    problem: str = ""  # short and free of secrets; empty on success
    retry_after: float | None = None  # seconds, from a Retry-After header
    refused: bool = False  # never sent, and retrying would not change that

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def transient(self) -> bool:
        if self.refused:
            return False
        return self.status is None or self.status == 429 or self.status >= 500


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def retry_delay(retry_number: int, outcome: Outcome, config: ServerSettings) -> float:
    """Seconds before retry `retry_number` (0 for the first): the server's Retry-After when it
    gave one, else exponential back-off with jitter; never more than MAX_DELAY."""
    if outcome.retry_after is not None:
        return min(outcome.retry_after, config.max_delay)
    ceiling: float = min(config.backoff * 2.0**retry_number, config.max_delay)
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # jitter spreads out a crowd's retries


def _redact(text: str, token: str) -> str:
    return text.replace(token, "[token]") if token else text


def send_once(call: Call, config: ServerSettings) -> Outcome:
    """One HTTP attempt. Never raises for network trouble; the token is added here only."""
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    token = ""
    if call.bearer:
        # Only the one known secret, and only to the configured HubSpot API host, so an
        # edited queue message or replay line can never send the token elsewhere.
        if call.bearer != ACCESS_TOKEN_SETTING or not call.url.startswith(
            config.hubspot_api_url + "/"
        ):
            return Outcome(None, "refused: the token is only sent to HUBSPOT_API_URL", refused=True)
        token = access_token()
        if not token:
            return Outcome(
                None, f"ANALYTICS_IDS[{ACCESS_TOKEN_SETTING!r}] is not set", refused=True
            )
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = httpx.request(
            call.method,
            call.url,
            params=dict(call.params),
            json=call.json,
            headers=headers,
            timeout=config.timeout,
            follow_redirects=False,
        )
    except httpx.TimeoutException:
        return Outcome(None, f"no answer within {config.timeout:g} s")
    except httpx.HTTPError as exc:
        return Outcome(None, f"request failed: {type(exc).__name__}")
    if 200 <= response.status_code < 300:
        return Outcome(response.status_code)
    excerpt = " ".join(_redact(response.text[:BODY_EXCERPT], token).split())
    return Outcome(
        response.status_code,
        f"answered {response.status_code}: {excerpt}".rstrip(": "),
        parse_retry_after(response.headers.get("Retry-After")),
    )


def log_outcome(call: Call, outcome: Outcome, attempts: int) -> None:
    """The one place a call's end is logged: success, "nothing to update", or a failure
    with the call as JSON, which `analytix_frontend.server.send(json.loads(...))` replays."""
    if outcome.ok:
        logger.debug("%s sent (%s).", call.describe(), outcome.status)
    elif outcome.status == 404 and call.missing_ok:
        logger.info("%s: no such record (404); nothing updated or created.", call.describe())
    else:
        retried = f" after {attempts} attempts" if attempts > 1 else ""
        logger.error(
            "%s failed%s: %s. Replay: %s",
            call.describe(),
            retried,
            outcome.problem,
            call.as_json(),
        )


def send_with_retries(call: Call, config: ServerSettings | None = None) -> Outcome:
    """Send now in this thread, retrying transient failures up to RETRIES times."""
    config = config or read_server_settings()
    attempt = 0
    while True:
        outcome = send_once(call, config)
        attempt += 1
        if outcome.ok or not outcome.transient or attempt > config.retries:
            log_outcome(call, outcome, attempt)
            return outcome
        delay = retry_delay(attempt - 1, outcome, config)
        logger.debug(
            "%s: %s; retry %d of %d in %.2f s.",
            call.describe(),
            outcome.problem,
            attempt,
            config.retries,
            delay,
        )
        sleep(delay)
