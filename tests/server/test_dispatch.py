"""The inline dispatcher: stored with the caller's transaction, sent after commit by a
bounded background pool from the record, with retries that happen, stop, wait as told and
never resend a success."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from analytix_frontend.server import dispatch, inline, record_kissmetrics_event, send, sweeper
from analytix_frontend.server.calls import Call
from tests.server import helpers
from tests.server.conftest import (
    TOKEN,
    failures,
    records,
    replays,
    sent,
    set_server,
    states,
)
from tests.server.fake_vendor import HOLD, Answer, FakeVendor


def test_a_success_is_sent_once(
    server_settings: Any, vendor: FakeVendor, waits: list[float]
) -> None:
    record_kissmetrics_event("ada", "Paid")
    assert len(sent(vendor)) == 1
    assert waits == []


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_transient_failures_are_retried_until_one_succeeds(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    vendor.answer(status, status)
    record_kissmetrics_event("ada", "Paid")
    assert len(sent(vendor)) == 3
    assert failures(caplog) == []


def test_retries_stop_after_retries_and_the_failure_is_logged(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    vendor.answer(500, 500, 500, 500, 500)
    record_kissmetrics_event("ada", "Paid")
    assert len(sent(vendor)) == 3  # RETRIES = 2 in these tests
    [error] = failures(caplog)
    assert error.startswith("Kissmetrics event failed after 3 attempts: answered 500")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409])
def test_other_client_errors_are_not_retried(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    vendor.answer(Answer(status, body='{"message":"bad property"}'))
    record_kissmetrics_event("ada", "Paid")
    assert len(sent(vendor)) == 1
    [error] = failures(caplog)
    assert error.startswith(f"Kissmetrics event failed: answered {status} (call ")
    assert "bad property" not in error  # the vendor's words may quote personal data
    [replay] = replays(caplog)
    assert f'Kissmetrics event failed: answered {status}: {{"message":"bad property"}}' in replay


def test_retries_zero_means_one_attempt(server_settings: Any, vendor: FakeVendor) -> None:
    set_server(server_settings, RETRIES=0)
    vendor.answer(500)
    record_kissmetrics_event("ada", "Paid")
    assert len(sent(vendor)) == 1


def test_back_off_doubles_with_jitter(
    server_settings: Any, vendor: FakeVendor, waits: list[float]
) -> None:
    set_server(server_settings, RETRIES=3, BACKOFF=1.0, MAX_DELAY=3.0)
    vendor.answer(500, 500, 500)
    record_kissmetrics_event("ada", "Paid")
    assert len(sent(vendor)) == 4
    first, second, third = waits
    assert 0.5 <= first <= 1.0
    assert 1.0 <= second <= 2.0
    assert 1.5 <= third <= 3.0  # 4 s, capped by MAX_DELAY


def test_retry_after_is_honoured_and_capped(
    server_settings: Any, vendor: FakeVendor, waits: list[float]
) -> None:
    vendor.answer(Answer(429, {"Retry-After": "7"}), Answer(429, {"Retry-After": "3600"}))
    record_kissmetrics_event("ada", "Paid")
    assert len(sent(vendor)) == 3
    assert waits == [7.0, 10.0]  # the inline default MAX_DELAY is 10 s


def test_a_hanging_vendor_times_out_and_is_retried(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    set_server(server_settings, TIMEOUT=0.5)
    vendor.answer(HOLD, HOLD, HOLD)
    record_kissmetrics_event("ada", "Paid")
    assert len(sent(vendor)) == 3  # sent() returns: each attempt gave up at the timeout
    assert vendor.answered == 0
    [error] = failures(caplog)
    assert "failed after 3 attempts: no answer within 0.5 s" in error


def test_the_call_returns_before_the_vendor_answers(
    server_settings: Any, vendor: FakeVendor
) -> None:
    set_server(server_settings, TIMEOUT=30)
    vendor.answer(HOLD)
    record_kissmetrics_event("ada", "Paid")  # returns while the fake holds its answer
    vendor.wait_for(1)
    assert vendor.answered == 0
    vendor.release()
    assert len(sent(vendor)) == 1
    assert vendor.wait_answered(1) == 1


def test_the_backlog_is_bounded_and_overflow_waits_in_the_database(
    server_settings: Any,
    vendor: FakeVendor,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(inline, "MAX_PENDING", 1)
    set_server(server_settings, TIMEOUT=30)
    vendor.answer(HOLD)
    record_kissmetrics_event("ada", "First")
    record_kissmetrics_event("ada", "Second")  # the backlog is full: left pending, not lost
    vendor.wait_for(1)
    vendor.release()
    [request] = sent(vendor)
    assert request.query["_n"] == "First"
    assert failures(caplog) == [] and replays(caplog) == []
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "waits: 1 calls are already queued in this process; it stays pending" in warning
    assert states() == ["sent", "pending"]
    assert sweeper.sweep_once() == 1  # the next sweep hands it over at once
    assert [r.query["_n"] for r in sent(vendor)] == ["First", "Second"]
    assert states() == ["sent", "sent"]


def test_sent_only_after_the_transaction_commits(server_settings: Any, vendor: FakeVendor) -> None:
    with transaction.atomic():
        record_kissmetrics_event("ada", "Paid")
        assert sent(vendor) == []
    assert len(sent(vendor)) == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(
    server_settings: Any, vendor: FakeVendor
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        record_kissmetrics_event("ada", "Paid")
        raise RuntimeError("the signup failed")
    assert sent(vendor) == []


def test_a_custom_dispatcher_gets_plain_data_it_can_send(
    server_settings: Any, vendor: FakeVendor
) -> None:
    set_server(server_settings, DISPATCH="tests.server.helpers.record_dispatch")
    record_kissmetrics_event("ada", "Paid")
    assert sent(vendor) == []
    [call] = helpers.dispatched
    assert send(json.loads(json.dumps(call))) is True
    assert len(vendor.received) == 1


def test_a_failing_dispatcher_is_logged_and_the_call_waits(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    set_server(server_settings, DISPATCH="tests.server.helpers.broken_dispatch")
    record_kissmetrics_event("ada", "Paid")
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "could not be queued (dispatcher 'tests.server.helpers.broken_dispatch': " in warning
    assert "it stays pending, and the next sweep or `manage.py analytix_calls --send`" in warning
    [record] = records()
    assert record.state == "pending"
    assert send(record.call().as_dict()) is True  # what --send does
    assert vendor.received[0].query["_n"] == "Paid"


@pytest.mark.parametrize("junk", [{}, {"service": "x"}, [], {"url": "file:///etc/passwd"}])
def test_send_refuses_what_is_not_a_call(junk: Any, caplog: pytest.LogCaptureFixture) -> None:
    assert send(junk) is False
    assert failures(caplog)[0].startswith("Not a call, nothing sent")


@pytest.fixture
def vendor_and_attacker() -> Iterator[tuple[FakeVendor, FakeVendor]]:
    """Two real loopback fakes: the vendor, and an attacker whose port is the vendor's with
    one more digit, so that `vendor.url + "7/..."` reaches the attacker (the prefix trick)."""
    for port in random.sample(range(1025, 6553), 40):
        try:
            attacker = FakeVendor(port * 10 + 7)
        except OSError:
            continue
        try:
            vendor = FakeVendor(port)
        except OSError:
            attacker.close()
            continue
        yield vendor, attacker
        assert dispatch.flush(timeout=30)
        vendor.close()
        attacker.close()
        return
    pytest.fail("no free pair of loopback ports")


def token_call(url: str, bearer: str = "HUBSPOT_ACCESS_TOKEN") -> dict[str, Any]:
    return Call("HubSpot", "contact update", "PATCH", url, bearer=bearer).as_dict()


def test_the_token_is_only_ever_sent_to_the_hubspot_api_url(
    settings: Any,
    vendor_and_attacker: tuple[FakeVendor, FakeVendor],
    caplog: pytest.LogCaptureFixture,
) -> None:
    vendor, attacker = vendor_and_attacker
    settings.ANALYTICS_IDS = {**settings.ANALYTICS_IDS, "HUBSPOT_ACCESS_TOKEN": TOKEN}
    settings.ANALYTICS_CONFIG = {
        "SERVER": {"RETRIES": 0, "HUBSPOT_API_URL": vendor.url, "KISSMETRICS_URL": attacker.url}
    }
    # The attacker is reachable: a call without the token gets there.
    assert send(Call("Kissmetrics", "event", "GET", f"{attacker.url}/e").as_dict()) is True
    assert attacker.received[0].path == "/e"
    vendor.answer(Answer(307, {"Location": f"{attacker.url}/followed"}))
    attempts = [
        token_call(f"{attacker.url}/crm/v3/objects/contacts/x"),  # another configured URL
        token_call(f"{vendor.url}7/crm/v3/objects/contacts/x"),  # the prefix trick
        token_call(f"{attacker.url}/crm/x", bearer="SECRET_KEY"),  # another secret
        token_call(f"{vendor.url}/crm/v3/objects/contacts/x"),  # the vendor redirects
    ]
    results = [send(call) for call in attempts]
    assert [r.headers.get("authorization") for r in attacker.received] == [None]
    assert len(attacker.received) == 1  # only the call without a token
    assert results == [False] * 4
    assert [r.headers["authorization"] for r in vendor.received] == [f"Bearer {TOKEN}"]
    assert len(failures(caplog)) == 4
    assert TOKEN not in caplog.text
