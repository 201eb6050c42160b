"""The record's state machine: claim a call, make one attempt, record what it means; and the
sweep that finds calls left behind. Every dispatch mode sends through `attempt`.

The guarantee: **at least once, and never twice where the vendor can help it.** A call is
claimed (pending -> sending, with a lease) by one conditional UPDATE on the state and
attempt count it was read with, so two processes never hold it at once and a `sent` record
is never claimed again. Its outcome is written only under that same claim. A process that
stops mid-attempt leaves its claim to run out; the sweep then puts the call back to pending,
counting that attempt as "maybe delivered" where the vendor cannot deduplicate a repeat (a
HubSpot form), since the request may have reached the vendor before the process stopped.
Such calls, and those whose answer was lost after the request went out, are logged as
"maybe sent twice" and counted on the record (`maybe_sent_twice`: the copies beyond one the
vendor may hold).
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from analytix_frontend.plan.runtime import explain_hubspot_refusal
from analytix_frontend.server.calls import Call
from analytix_frontend.server.config import ServerSettings, read_server_settings
from analytix_frontend.server.logs import log_failure, logger
from analytix_frontend.server.models import PROBLEM_LENGTH, ServerCall, State
from analytix_frontend.server.policy import Outcome, RetryPolicy, retry_in

MAYBE_TWICE = "maybe sent twice"


def now() -> datetime:
    """The delivery clock (tests move it instead of sleeping)."""
    return timezone.now()


def owner_name(kind: str) -> str:
    """Who holds a claim, for people reading the record: host, process, thread or task."""
    name = f"{socket.gethostname()}:{os.getpid()}:{kind or threading.current_thread().name}"
    return name[:100]


@dataclass(frozen=True)
class Step:
    """Where one attempt left the call: its state ("" when it was not claimed) and, when
    another attempt is due, the seconds until then."""

    state: str
    retry_in: float | None = None
    reason: str = ""  # why the call was not claimed


def policy(config: ServerSettings) -> RetryPolicy:
    return RetryPolicy(config.retries, config.backoff, config.max_delay)


def claim(call_id: str, owner: str, config: ServerSettings) -> tuple[ServerCall, Call] | str:
    """Takes a pending, due call for one attempt (pending -> sending, with a lease), or says
    why not."""
    try:
        key = uuid.UUID(str(call_id))
    except ValueError:
        return "not a call id"
    record = ServerCall.objects.filter(pk=key).first()
    if record is None:
        return "no such call (its transaction rolled back, or it was purged)"
    if record.state != State.PENDING:
        return f"it is {record.state}"
    moment = now()
    if record.next_attempt_at > moment:
        return "its next attempt is not due yet"
    try:
        call = record.call()
    except ValueError as exc:
        ServerCall.objects.filter(pk=key, state=State.PENDING).update(
            state=State.FAILED, problem=f"not a call: {exc}"[:PROBLEM_LENGTH]
        )
        logger.error("Server call %s is not a call (%s): marked failed, nothing sent.", key, exc)
        return "not a call"
    lease_until = moment + timedelta(seconds=config.lease)
    taken = ServerCall.objects.filter(pk=key, state=State.PENDING, attempts=record.attempts).update(
        state=State.SENDING, attempts=record.attempts + 1, owner=owner, lease_until=lease_until
    )
    if not taken:
        return "another process took it first"
    record.state, record.attempts, record.owner = State.SENDING, record.attempts + 1, owner
    return record, call


def attempt(call_id: str, owner: str, config: ServerSettings | None = None) -> Step:
    """Claims the call, sends it once, records the outcome. Never raises for the call's sake."""
    config = config or read_server_settings()
    claimed = claim(call_id, owner, config)
    if isinstance(claimed, str):
        logger.debug("Server call %s not sent now: %s.", call_id, claimed)
        return Step("", reason=claimed)
    record, call = claimed
    # httpx is imported only here, so the package loads without the [server] extra.
    from analytix_frontend.server.http import send_once

    try:
        outcome = send_once(call, config)
    except Exception as exc:  # a bug: the call still ends recorded and logged
        outcome = Outcome(None, f"failed unexpectedly: {type(exc).__name__}", refused=True)
    return finish(record, call, outcome, config)


def finish(record: ServerCall, call: Call, outcome: Outcome, config: ServerSettings) -> Step:
    """Records an attempt's outcome under the claim it was made with, and logs it."""
    number = record.attempts
    lost = record.lost_answers + int(outcome.maybe_delivered and not record.repeat_safe)
    delay = retry_in(number, outcome, policy(config), random.random())
    moment = now()
    changes: dict[str, object] = {"problem": outcome.problem[:PROBLEM_LENGTH], "owner": ""}
    changes["lost_answers"] = lost
    if outcome.ok:
        state = State.SENT
        changes.update(sent_at=moment, maybe_sent_twice=lost)
    elif delay is not None:
        state = State.PENDING
        due = moment + timedelta(seconds=delay)
        changes.update(next_attempt_at=due, lease_until=due + timedelta(seconds=config.lease))
    else:
        state = State.DEAD if outcome.transient else State.FAILED
        changes["maybe_sent_twice"] = max(0, lost - 1)
    kept = ServerCall.objects.filter(pk=record.pk, state=State.SENDING, attempts=number).update(
        state=state, **changes
    )
    if not kept:
        logger.warning(
            "%s (call %s): attempt %d ended (%s) after its claim ran out; another process "
            "has taken the call over.",
            call.describe(),
            record.pk,
            number,
            outcome.problem or outcome.status,
        )
        return Step("", reason="the claim ran out")
    _log_step(call, outcome, number, state, delay, lost, config)
    return Step(state, delay)


def _log_step(
    call: Call,
    outcome: Outcome,
    number: int,
    state: str,
    delay: float | None,
    lost: int,
    config: ServerSettings,
) -> None:
    what = f"{call.describe()} (call {call.id})"
    if state == State.SENT:
        logger.debug("%s sent (%s).", what, outcome.status)
        if lost:
            logger.warning(
                "%s sent, but %d earlier attempt(s) lost their answer after the request went "
                "out, and %s cannot deduplicate a repeat: %s (%d possible extra cop%s).",
                what,
                lost,
                call.service,
                MAYBE_TWICE,
                lost,
                "y" if lost == 1 else "ies",
            )
    elif state == State.PENDING and delay is not None:
        logger.debug(
            "%s: %s; retry %d of %d in %.2f s.",
            what,
            outcome.problem,
            number,
            config.retries,
            delay,
        )
        if outcome.maybe_delivered and not call.repeat_safe:
            logger.warning(
                "%s: %s after the request went out; %s may have stored it and cannot "
                "deduplicate a repeat, so sending it again may store it twice (%s).",
                what,
                outcome.problem,
                call.service,
                MAYBE_TWICE,
            )
    elif outcome.status == 404 and call.missing_ok:
        logger.info("%s: no such record (404); nothing updated or created.", what)
    else:
        retried = f" after {number} attempts" if number > 1 else ""
        stored = f"; {call.service} may hold it {lost} time(s)" if lost else ""
        # HubSpot's PROPERTY_DOESNT_EXIST: which property, and what the tracking plan says.
        why = explain_hubspot_refusal(outcome.status, outcome.detail)
        summary = f"{call.describe()} failed{retried}: {outcome.problem}{why}{stored}"
        log_failure(call, summary, outcome.detail)


@dataclass
class Swept:
    """What a sweep found: calls now pending and due, taken for one more lease, and the
    owners of the claims that ran out (a worker's lost task, for the tasks mode to close)."""

    due: list[str] = field(default_factory=list)
    lost_owners: list[str] = field(default_factory=list)


def sweep(config: ServerSettings, limit: int) -> Swept:
    """Finds calls left behind: pending and due with no live hand-over (its queued task or
    thread was lost), or sending with a claim that ran out (its process stopped). Takes up to
    `limit` of them for one more lease, for the caller to hand over."""
    moment = now()
    lease_until = moment + timedelta(seconds=config.lease)
    left = (
        ServerCall.objects.filter(
            Q(state=State.SENDING, lease_until__lt=moment)
            | Q(state=State.PENDING, lease_until__lt=moment, next_attempt_at__lte=moment)
        )
        .order_by("lease_until")
        .only("id", "state", "attempts", "lease_until", "owner", "repeat_safe", "lost_answers")
    )
    swept = Swept()
    for record in left[:limit]:
        same = ServerCall.objects.filter(
            pk=record.pk,
            state=record.state,
            attempts=record.attempts,
            lease_until=record.lease_until,
        )
        if record.state == State.PENDING:
            if same.update(lease_until=lease_until):
                swept.due.append(str(record.pk))
            continue
        if _interrupted(record, same, moment, lease_until, config):
            swept.lost_owners.append(record.owner)
            swept.due.append(str(record.pk))
    return swept


_last_worker_sweep: float | None = None
WORKER_SWEEP_LIMIT = 500


def worker_sweep(config: ServerSettings) -> Swept:
    """From a worker's task: a sweep when this process has not swept for `SWEEP` seconds
    (at once in a worker that just started), else nothing found. The caller enqueues what
    it finds."""
    global _last_worker_sweep
    moment = time.monotonic()
    if not config.sweep or (
        _last_worker_sweep is not None and moment - _last_worker_sweep < config.sweep
    ):
        return Swept()
    _last_worker_sweep = moment
    return sweep(config, WORKER_SWEEP_LIMIT)


def _interrupted(
    record: ServerCall,
    same: QuerySet[ServerCall],
    moment: datetime,
    lease_until: datetime,
    config: ServerSettings,
) -> bool:
    """A claim that ran out: the attempt's outcome is unknown. Back to pending for another
    attempt (or dead when that was the last); True when it is pending again."""
    lost = record.lost_answers + int(not record.repeat_safe)
    problem = f"attempt {record.attempts} was interrupted: the process sending it stopped"
    last = record.attempts > config.retries
    changes: dict[str, object] = {"lost_answers": lost, "owner": "", "problem": problem}
    if last:
        changes.update(state=State.DEAD, maybe_sent_twice=max(0, lost - 1))
    else:
        changes.update(state=State.PENDING, next_attempt_at=moment, lease_until=lease_until)
    if not same.update(**changes):
        return False
    full = ServerCall.objects.filter(pk=record.pk).first()
    try:
        call = full.call() if full is not None else None
    except ValueError:  # edited into something else: claim() marks it failed
        call = None
    what = f"{call.describe()} (call {record.pk})" if call else f"Server call {record.pk}"
    if last:
        summary = f"failed after {record.attempts} attempts: {problem}"
        if call is not None:
            log_failure(call, f"{call.describe()} {summary}")
        else:
            logger.error("%s %s (its record holds no call to replay).", what, summary)
        return False
    maybe = "" if record.repeat_safe else f"; it may have reached the vendor ({MAYBE_TWICE})"
    logger.warning("%s: %s; sending it again.", what, problem + maybe)
    return True
