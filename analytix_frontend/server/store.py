"""Writing a call's record: inside the caller's transaction when a call is made (the
transactional outbox: the record commits or rolls back with the caller's own writes), or
when a call is sent by hand (`send`, `manage.py analytix_replay`).

Writing never raises into the caller. Inside a transaction it runs in a savepoint, so a
failed write (a project that has not run `migrate`) cannot break the caller's transaction;
the call is then logged, with its replay line, as not sent.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, connections, router, transaction

from analytix_frontend.server.calls import Call
from analytix_frontend.server.config import ServerSettings
from analytix_frontend.server.delivery import now
from analytix_frontend.server.logs import log_failure, logger
from analytix_frontend.server.models import PROBLEM_LENGTH, ServerCall, State, record_data

# Ids for calls that come without one (a replay line from an older version): derived from
# the call itself, so replaying the same line twice finds the same record.
REPLAY_NAMESPACE = uuid.UUID("8a0f3c52-7f43-4e0b-9d0e-6f6a1d9b2c11")


def database() -> str:
    return router.db_for_write(ServerCall)


def _new_record(call: Call, config: ServerSettings, key: uuid.UUID | None = None) -> ServerCall:
    moment = now()
    return ServerCall(
        id=key or uuid.uuid4(),
        vendor=call.service[:40],
        kind=call.action[:40],
        data=record_data(call),
        repeat_safe=call.repeat_safe,
        next_attempt_at=moment,
        lease_until=moment + timedelta(seconds=config.lease),
        created_at=moment,
    )


def why_not_stored(exc: Exception) -> str:
    """A reason a person can act on, without the exception's message (it can quote data)."""
    if isinstance(exc, DatabaseError):
        try:
            tables = connections[database()].introspection.table_names()
        except Exception:
            tables = [ServerCall._meta.db_table]
        if ServerCall._meta.db_table not in tables:
            return (
                f"the table {ServerCall._meta.db_table} does not exist: run "
                "`manage.py migrate`, then `manage.py analytix_replay` on these lines"
            )
    return f"{type(exc).__name__} while writing its record"


def store(call: Call, config: ServerSettings) -> Call | None:
    """Writes the call's record in the current transaction; the call with its id, or None
    (logged with a replay line) when it cannot be stored."""
    record = _new_record(call, config)
    try:
        if connections[database()].in_atomic_block:
            with transaction.atomic(using=database()):
                record.save(force_insert=True, using=database())
        else:
            record.save(force_insert=True, using=database())
    except Exception as exc:
        log_failure(call, f"{call.describe()} not sent: {why_not_stored(exc)}")
        return None
    return replace(call, id=str(record.pk))


def adopt(call: Call, config: ServerSettings) -> tuple[str, str]:
    """The record of a call sent by hand: found by its id (or an id derived from the call),
    made when missing, and made pending again when it had failed or died. Returns the id and
    the state it is in now. Raises DatabaseError when the records cannot be used."""
    key = uuid.UUID(call.id) if call.id else uuid.uuid5(REPLAY_NAMESPACE, call.as_json())
    record = ServerCall.objects.filter(pk=key).first()
    if record is None:
        try:
            with transaction.atomic(using=database()):
                _new_record(call, config, key).save(force_insert=True, using=database())
        except IntegrityError:  # made by someone else in the meantime
            pass
        record = ServerCall.objects.get(pk=key)
    if record.state in (State.FAILED, State.DEAD):
        moment = now()
        again = ServerCall.objects.filter(
            pk=key, state=record.state, attempts=record.attempts
        ).update(
            state=State.PENDING,
            attempts=0,
            next_attempt_at=moment,
            lease_until=moment + timedelta(seconds=config.lease),
            problem=f"sent again by hand after: {record.problem}"[:PROBLEM_LENGTH],
        )
        if again:
            logger.info("%s %s (call %s) is pending again.", record.vendor, record.kind, key)
        record.refresh_from_db(fields=["state"])
    return str(key), record.state
