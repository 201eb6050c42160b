"""One row per server-side call: the durable record every dispatch mode sends from.

The record is written inside the caller's transaction (server/store.py), so it exists
exactly when the caller's own writes commit. Its state machine (server/delivery.py):

    pending --claim--> sending --2xx--> sent
       ^                  |---final answer--> failed
       |                  |---last retry spent--> dead
       +----retry---------+
       +----sweep: a lease that ran out (the sending process stopped)

Every change of state is a conditional UPDATE on what was read (state and attempts), so two
processes can never both hold a claim and a `sent` record is never claimed again.

`data` holds the call as the vendor receives it (personal data such as an email or a form's
fields; never the access token, which is read from the settings when sending). `problem` is
the last thing that went wrong, free of personal data and secrets. Finished records are
purged after `SERVER["RETENTION_DAYS"]` by `manage.py analytix_calls --purge`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import models

from analytix_frontend.server.calls import Call


class State(models.TextChoices):
    PENDING = "pending", "pending"
    SENDING = "sending", "sending"
    SENT = "sent", "sent"
    FAILED = "failed", "failed (final vendor answer)"
    DEAD = "dead", "dead (retries spent)"


FINISHED = (State.SENT, State.FAILED, State.DEAD)
OPEN = (State.PENDING, State.SENDING)
PROBLEM_LENGTH = 300


class ServerCall(models.Model):
    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    vendor: models.CharField[str, str] = models.CharField(max_length=40)
    kind: models.CharField[str, str] = models.CharField(max_length=40)
    state: models.CharField[str, str] = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(default=0)
    next_attempt_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(
        help_text="A pending call is not sent before this."
    )
    lease_until: models.DateTimeField[datetime, datetime] = models.DateTimeField(
        help_text="Sending: when the claim runs out. Pending: when a sweep may hand the "
        "call over again, in case its queued task or thread was lost."
    )
    owner: models.CharField[str, str] = models.CharField(
        max_length=100, blank=True, help_text="Who holds the claim."
    )
    problem: models.CharField[str, str] = models.CharField(max_length=PROBLEM_LENGTH, blank=True)
    repeat_safe: models.BooleanField[bool, bool] = models.BooleanField(
        default=True, help_text="The vendor deduplicates a repeat of this call."
    )
    lost_answers: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        default=0,
        help_text="Attempts of a call that is not repeat-safe whose answer was lost after the "
        "request went out (the vendor may have stored each).",
    )
    maybe_sent_twice: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        default=0, help_text="Copies beyond one the vendor may hold."
    )
    data: models.JSONField[Any, Any] = models.JSONField(
        help_text="The call as the vendor receives it; never the token."
    )
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField()
    sent_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )

    class Meta:
        app_label = "analytix_frontend"
        verbose_name = "server call"
        indexes = (
            models.Index(fields=["state", "lease_until"], name="analytix_call_sweep"),
            models.Index(fields=["created_at"], name="analytix_call_created"),
        )

    def __str__(self) -> str:
        return f"{self.vendor} {self.kind} {self.id} ({self.state})"

    def call(self) -> Call:
        """The call to send; raises ValueError when `data` was edited into something else."""
        data: dict[str, Any] = dict(self.data) if isinstance(self.data, dict) else {}
        return Call.from_dict({**data, "id": str(self.id), "repeat_safe": self.repeat_safe})


def record_data(call: Call) -> dict[str, Any]:
    """What a record keeps of a call: everything but the id (the primary key holds it)."""
    data = call.as_dict()
    data.pop("id", None)
    data.pop("repeat_safe", None)
    return data


def current_states(call_ids: list[str]) -> dict[str, str]:
    """Each call's state now, for the debug-toolbar panel ("sent", "pending, 1 attempt so
    far"...); {} when the records cannot be read (no table yet, no database)."""
    try:
        rows = ServerCall.objects.filter(pk__in=call_ids).values_list("pk", "state", "attempts")
        found = list(rows)
    except Exception:
        return {}
    return {
        str(pk): state if state == State.SENT or not attempts else f"{state}, {attempts} attempt(s)"
        for pk, state, attempts in found
    }
