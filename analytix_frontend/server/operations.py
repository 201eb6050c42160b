"""What an operator does with the records, behind `manage.py analytix_calls` and
`manage.py analytix_replay`: count them, send the pending ones now, give dead ones another
round, purge finished ones past the retention period, and replay logged lines once.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Min, Sum

import analytix_frontend.server.delivery as delivery
from analytix_frontend.server.config import ServerSettings
from analytix_frontend.server.handover import hand_over
from analytix_frontend.server.logs import REPLAY_MARK, logger
from analytix_frontend.server.models import FINISHED, ServerCall, State

PURGE_BATCH = 1000


@dataclass
class Counts:
    by_vendor: dict[str, Counter[str]] = field(default_factory=dict)
    maybe_sent_twice: Counter[str] = field(default_factory=Counter)
    oldest_pending: datetime | None = None
    past_retention: int = 0
    overdue: int = 0  # pending calls due for longer than LEASE: nothing is sending them

    def as_dict(self) -> dict[str, Any]:
        return {
            "by_vendor": {vendor: dict(states) for vendor, states in self.by_vendor.items()},
            "maybe_sent_twice": dict(self.maybe_sent_twice),
            "oldest_pending": self.oldest_pending.isoformat() if self.oldest_pending else None,
            "past_retention": self.past_retention,
            "overdue": self.overdue,
        }


def counts(config: ServerSettings) -> Counts:
    """Calls by vendor and state, the "maybe sent twice" count, the oldest open call."""
    result = Counts()
    rows = ServerCall.objects.values("vendor", "state").annotate(
        calls=Count("id"), twice=Sum("maybe_sent_twice")
    )
    for row in rows:
        result.by_vendor.setdefault(row["vendor"], Counter())[row["state"]] += row["calls"]
        result.maybe_sent_twice[row["vendor"]] += row["twice"] or 0
    result.oldest_pending = ServerCall.objects.filter(
        state__in=(State.PENDING, State.SENDING)
    ).aggregate(oldest=Min("created_at"))["oldest"]
    result.past_retention = _finished_before(_cutoff(config.retention_days)).count()
    result.overdue = ServerCall.objects.filter(
        state=State.PENDING,
        next_attempt_at__lt=delivery.now() - timedelta(seconds=config.lease),
    ).count()
    return result


def send_pending(config: ServerSettings) -> Counter[str]:
    """One attempt now, in this process, at every pending call (a call whose claim ran out is
    made pending first; a retry not due yet is brought forward). Tallies where each ended."""
    delivery.sweep(config, limit=1_000_000)  # claims that ran out: back to pending
    moment = delivery.now()
    ServerCall.objects.filter(state=State.PENDING, next_attempt_at__gt=moment).update(
        next_attempt_at=moment
    )
    owner = delivery.owner_name(f"analytix_calls:{threading.get_ident()}")
    tally: Counter[str] = Counter()
    ids = ServerCall.objects.filter(state=State.PENDING).values_list("pk", flat=True)
    for call_id in list(ids.order_by("created_at")):
        step = delivery.attempt(str(call_id), owner, config)
        tally[step.state or "not claimed"] += 1
    return tally


def retry_dead(config: ServerSettings) -> list[str]:
    """Dead calls made pending with a fresh round of retries, and handed over by the
    current dispatch mode. Returns their ids."""
    ids = ServerCall.objects.filter(state=State.DEAD).values_list("pk", flat=True)
    return send_again([str(pk) for pk in ids], config)


def send_again(call_ids: Iterable[str], config: ServerSettings) -> list[str]:
    """These calls, when dead or failed, made pending with a fresh round of retries (pending
    ones brought forward), then handed over by the current dispatch mode; sent ones are left
    alone. Returns the ids handed over."""
    moment = delivery.now()
    again = {"next_attempt_at": moment, "lease_until": moment + timedelta(seconds=config.lease)}
    revived = []
    for call_id in call_ids:
        finished = ServerCall.objects.filter(pk=call_id, state__in=(State.DEAD, State.FAILED))
        waiting = ServerCall.objects.filter(pk=call_id, state=State.PENDING)
        if finished.update(state=State.PENDING, attempts=0, **again) or waiting.update(**again):
            revived.append(call_id)
    if revived:
        logger.info("%d call(s) made pending again by hand.", len(revived))
        hand_over(revived, config)
    return revived


def _cutoff(days: int) -> datetime:
    return delivery.now() - timedelta(days=days)


def _finished_before(cutoff: datetime) -> Any:
    return ServerCall.objects.filter(state__in=FINISHED, created_at__lt=cutoff)


def purge(days: int) -> int:
    """Deletes finished calls made more than `days` days ago (pending and sending ones are
    kept whatever their age), in batches. Returns how many."""
    cutoff = _cutoff(days)
    deleted = 0
    while True:
        batch = list(_finished_before(cutoff).values_list("pk", flat=True)[:PURGE_BATCH])
        if not batch:
            return deleted
        deleted += ServerCall.objects.filter(pk__in=batch, state__in=FINISHED).delete()[0]


def replay(lines: Iterable[str]) -> Counter[str]:
    """Sends the call of each replay line once (idempotent by the call's id: a line whose
    call is already sent sends nothing). Tallies the results; other lines are "skipped"."""
    from analytix_frontend.server.sending import send_now

    tally: Counter[str] = Counter()
    for line in lines:
        if REPLAY_MARK not in line:
            tally["skipped"] += 1
            continue
        try:
            call = json.loads(line.split(REPLAY_MARK, 1)[1])
        except ValueError:
            tally["not a call"] += 1
            continue
        tally[send_now(call)] += 1
    return tally
