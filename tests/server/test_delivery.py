"""The record's state machine (server/delivery.py), driven by hand: calls are stored by a
dispatcher that only records them, and each attempt is made here, in the test's thread.

The module's guarantee, shown by the first test: at least once, never twice where the
vendor can help it, and every possible second copy counted.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from analytix_frontend.server import (
    record_kissmetrics_event,
    submit_hubspot_form,
    update_hubspot_contact,
)
from analytix_frontend.server.config import read_server_settings
from analytix_frontend.server.delivery import MAYBE_TWICE, attempt, claim, sweep
from analytix_frontend.server.models import ServerCall, State
from tests.server import helpers
from tests.server.conftest import (
    FORM_GUID,
    Clock,
    failures,
    records,
    replayed_call,
    replays,
    set_server,
)
from tests.server.fake_vendor import HOLD, Answer, FakeVendor

OWNER = "test:1"
LATE = "test:2"


@pytest.fixture
def by_hand(server_settings: Any) -> Any:
    """Calls are stored and handed to a recording dispatcher: nothing sends them but the
    test. One retry, a short timeout for the hangs, a 60 s lease."""
    set_server(
        server_settings,
        DISPATCH="tests.server.helpers.record_dispatch",
        RETRIES=1,
        TIMEOUT=2.0,  # a hang costs this; an answer on a busy machine must fit in it
        LEASE=60,
    )
    return server_settings


def the_call() -> ServerCall:
    [record] = records()
    return record


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_a_form_killed_mid_send_is_sent_again_once_and_counted(
    by_hand: Any, vendor: FakeVendor, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """The guarantee in one story: a process claims a form submission, the request reaches
    HubSpot, and the process dies before it records the answer. Nothing else may send it
    while the claim lasts; once it runs out, the sweep gives it back, it is sent again
    exactly once, and the record says HubSpot may hold two copies."""
    submit_hubspot_form(FORM_GUID, {"email": "ada@example.com"})
    call_id = str(the_call().pk)
    config = read_server_settings()
    claimed = claim(call_id, OWNER, config)
    assert not isinstance(claimed, str)
    _, call = claimed
    from analytix_frontend.server.http import send_once

    assert send_once(call, config).ok  # HubSpot stored it; then the process died
    assert attempt(call_id, LATE).reason == "it is sending"  # a redelivered task: nothing
    assert sweep(config, 10).due == []  # the claim still holds
    clock.advance(61)
    swept = sweep(config, 10)
    assert (swept.due, swept.lost_owners) == ([call_id], [OWNER])
    assert attempt(call_id, LATE).state == State.SENT
    assert attempt(call_id, LATE).reason == "it is sent"  # never again
    assert len(vendor.received) == 2  # the vendor holds two copies...
    record = the_call()
    assert (record.attempts, record.lost_answers, record.maybe_sent_twice) == (2, 1, 1)
    assert any(MAYBE_TWICE in line for line in warnings(caplog))  # ...and the package says so


def test_only_one_claim_wins(by_hand: Any, vendor: FakeVendor) -> None:
    record_kissmetrics_event("ada", "Paid")
    call_id = str(the_call().pk)
    config = read_server_settings()
    assert not isinstance(claim(call_id, OWNER, config), str)
    assert claim(call_id, LATE, config) == "it is sending"
    assert the_call().owner == OWNER


def retry(call_id: str, clock: Clock) -> None:
    """One attempt that ends in a retry, and the wait for it."""
    step = attempt(call_id, OWNER)
    assert step.state == State.PENDING and step.retry_in is not None
    clock.advance(step.retry_in)


def test_a_claim_that_loses_the_race_after_reading_gets_nothing(
    by_hand: Any, vendor: FakeVendor, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes read the same pending call; the second one's conditional UPDATE finds
    it no longer as read and takes nothing (a read-then-write would take it twice)."""
    record_kissmetrics_event("ada", "Paid")
    call_id = str(the_call().pk)
    config = read_server_settings()
    raced: list[object] = []

    def now_with_a_rival() -> Any:
        if not raced:  # first asked between this claim's read and its write
            raced.append("racing")
            raced[0] = claim(call_id, LATE, config)
        return clock.now()

    from analytix_frontend.server import delivery

    monkeypatch.setattr(delivery, "now", now_with_a_rival)
    assert claim(call_id, OWNER, config) == "another process took it first"
    assert not isinstance(raced[0], str)  # the rival won
    assert (the_call().owner, the_call().attempts) == (LATE, 1)


def test_a_repeat_safe_call_whose_answer_was_lost_counts_no_duplicate(
    by_hand: Any, vendor: FakeVendor, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    vendor.answer(HOLD)  # stored, then no answer within TIMEOUT
    record_kissmetrics_event("ada", "Paid")
    call_id = str(the_call().pk)
    retry(call_id, clock)
    assert attempt(call_id, OWNER).state == State.SENT
    first, second = vendor.received
    assert first.query == second.query  # same _t with _d=1: Kissmetrics keeps one
    record = the_call()
    assert (record.lost_answers, record.maybe_sent_twice) == (0, 0)
    assert not any(MAYBE_TWICE in line for line in warnings(caplog))


def test_a_retry_line_names_the_call(
    by_hand: Any, vendor: FakeVendor, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="analytix_frontend.server")
    vendor.answer(Answer(503, headers={"Retry-After": "3"}))
    record_kissmetrics_event("ada", "Paid")
    call_id = str(the_call().pk)
    assert attempt(call_id, OWNER).retry_in == 3.0
    assert f"Kissmetrics event (call {call_id}): answered 503; retry 1 of 1 in 3.00 s." in (
        caplog.text
    )


def test_a_form_whose_answer_was_lost_is_counted_and_logged(
    by_hand: Any, vendor: FakeVendor, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    vendor.answer(HOLD)
    submit_hubspot_form(FORM_GUID, {"email": "ada@example.com"})
    call_id = str(the_call().pk)
    retry(call_id, clock)
    [retrying] = warnings(caplog)
    assert "no answer within 2 s after the request went out" in retrying
    assert f"sending it again may store it twice ({MAYBE_TWICE})" in retrying
    assert attempt(call_id, OWNER).state == State.SENT
    assert the_call().maybe_sent_twice == 1
    assert "1 possible extra copy" in warnings(caplog)[1]
    assert "ada@example.com" not in caplog.text


def test_a_clear_failure_after_a_lost_answer_leaves_one_copy_at_most(
    by_hand: Any, vendor: FakeVendor, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    vendor.answer(HOLD, 503)
    submit_hubspot_form(FORM_GUID, {"email": "ada@example.com"})
    call_id = str(the_call().pk)
    retry(call_id, clock)
    assert attempt(call_id, OWNER).state == State.DEAD
    record = the_call()
    assert (record.lost_answers, record.maybe_sent_twice) == (1, 0)
    [error] = failures(caplog)
    assert "failed after 2 attempts: answered 503; HubSpot may hold it 1 time(s)" in error


def test_an_outcome_that_arrives_after_the_claim_ran_out_is_not_recorded(
    by_hand: Any, vendor: FakeVendor, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    from analytix_frontend.server.delivery import finish
    from analytix_frontend.server.policy import Outcome

    record_kissmetrics_event("ada", "Paid")
    call_id = str(the_call().pk)
    config = read_server_settings()
    claimed = claim(call_id, OWNER, config)
    assert not isinstance(claimed, str)
    clock.advance(61)
    sweep(config, 10)  # the slow attempt's claim ran out: the call is pending again
    assert attempt(call_id, LATE).state == State.SENT
    assert finish(*claimed, Outcome(503, "answered 503"), config).reason == "the claim ran out"
    assert the_call().state == State.SENT
    assert "attempt 1 ended (answered 503) after its claim ran out" in warnings(caplog)[-1]


def test_an_interrupted_last_attempt_is_dead_and_logged_for_replay(
    by_hand: Any, vendor: FakeVendor, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    vendor.answer(500)
    update_hubspot_contact("ada@example.com", {"plan": "pro"})
    call_id = str(the_call().pk)
    config = read_server_settings()
    attempt(call_id, OWNER)  # attempt 1 of 2: answered 500
    clock.advance(10)
    assert not isinstance(claim(call_id, OWNER, config), str)  # attempt 2, then the crash
    clock.advance(61)
    assert sweep(config, 10).due == []
    assert the_call().state == State.DEAD
    [error] = failures(caplog)
    assert "failed after 2 attempts: attempt 2 was interrupted" in error
    [replay] = replays(caplog)
    assert replayed_call(replay)["id"] == call_id


def test_a_pending_call_whose_hand_over_was_lost_is_handed_over_again(
    by_hand: Any, vendor: FakeVendor, clock: Clock
) -> None:
    record_kissmetrics_event("ada", "Paid")
    [handed] = helpers.dispatched
    config = read_server_settings()
    assert sweep(config, 10).due == []  # its hand-over may still be on its way
    clock.advance(61)  # the lease on the hand-over ran out: the task or thread was lost
    assert sweep(config, 10).due == [handed["id"]]
    assert sweep(config, 10).due == []  # taken for one more lease


def test_a_retry_is_not_claimed_before_it_is_due(
    by_hand: Any, vendor: FakeVendor, clock: Clock
) -> None:
    vendor.answer(Answer(429, {"Retry-After": "30"}))
    record_kissmetrics_event("ada", "Paid")
    call_id = str(the_call().pk)
    step = attempt(call_id, OWNER)
    assert (step.state, step.retry_in) == (State.PENDING, 30.0)
    clock.advance(29)
    assert attempt(call_id, OWNER).reason == "its next attempt is not due yet"
    clock.advance(1)
    assert attempt(call_id, OWNER).state == State.SENT


def test_a_record_edited_into_nonsense_fails_without_sending(
    by_hand: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    record_kissmetrics_event("ada", "Paid")
    ServerCall.objects.update(data={"url": "file:///etc/passwd"})
    assert attempt(str(the_call().pk), OWNER).reason == "not a call"
    assert the_call().state == State.FAILED
    assert vendor.received == []
    assert "is not a call" in failures(caplog)[0]
