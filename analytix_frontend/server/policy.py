"""What one attempt's answer means, and when (if ever) to try again: plain data and one pure
function, testable without a clock or a network.

Transient (worth another attempt): no answer, 5xx, 429. Everything else is final. An answer
lost after the request went out (a read timeout, a reset while waiting) is `maybe_delivered`:
the vendor may have stored the call, which matters for calls a vendor cannot deduplicate.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass(frozen=True)
class Outcome:
    status: int | None  # None when no answer came back
    problem: str = ""  # short, free of secrets and personal data; empty on success
    retry_after: float | None = None  # seconds, from a Retry-After header
    refused: bool = False  # never sent, and retrying would not change that
    detail: str = ""  # the vendor's answer, redacted: for the replay line only
    maybe_delivered: bool = False  # no answer, but the request went out whole

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def transient(self) -> bool:
        if self.refused:
            return False
        return self.status is None or self.status == 429 or self.status >= 500


@dataclass(frozen=True)
class RetryPolicy:
    retries: int  # attempts after the first, for transient failures only
    backoff: float  # seconds before the first retry; doubles with each one
    max_delay: float  # the longest wait, a server's Retry-After included


def retry_in(attempt: int, outcome: Outcome, policy: RetryPolicy, jitter: float) -> float | None:
    """Seconds to wait before the next attempt, after attempt number `attempt` (1 for the
    first) ended in `outcome`; None to stop (a success, a final answer, or no retry left).

    The server's Retry-After wins when it gives one; else exponential back-off, with
    `jitter` (0 <= jitter < 1, random in use) spreading a crowd's retries over the upper half
    of the back-off. Never more than `max_delay`."""
    if outcome.ok or not outcome.transient or attempt > policy.retries:
        return None
    if outcome.retry_after is not None:
        return min(outcome.retry_after, policy.max_delay)
    ceiling: float = min(policy.backoff * 2.0 ** (attempt - 1), policy.max_delay)
    return ceiling / 2 + jitter * ceiling / 2


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
