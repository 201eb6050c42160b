"""The inline pool and the sweep in the web process: a stopping process finishes what it is
sending and leaves the rest pending; the next process picks it up from its first request."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.test import Client

from analytix_frontend.server import inline, record_kissmetrics_event, sweeper
from tests.server import helpers
from tests.server.conftest import Clock, records, sent, set_server, states, wait_until
from tests.server.fake_vendor import FakeVendor


@pytest.fixture
def stored(server_settings: Any) -> Any:
    """Calls stored and recorded by a dispatcher that sends nothing."""
    set_server(server_settings, DISPATCH="tests.server.helpers.record_dispatch", TIMEOUT=30)
    return server_settings


def test_a_stopping_pool_finishes_its_attempt_and_leaves_the_rest_pending(
    stored: Any, vendor: FakeVendor
) -> None:
    for name in ("First", "Second", "Third"):
        record_kissmetrics_event("ada", name)
    pool = inline.InlinePool(threads=1)
    for call in helpers.dispatched:
        assert pool.submit(call["id"])
    vendor.wait_for(1)  # "First" is being sent; the vendor holds its answer
    stopper = threading.Thread(target=lambda: left.extend(pool.stop(timeout=30)))
    left: list[str] = []
    stopper.start()
    vendor.release()  # the attempt in flight gets its answer and is recorded
    stopper.join(30)
    assert [r.query["_n"] for r in vendor.received] == ["First"]
    assert left == [c["id"] for c in helpers.dispatched[1:]]
    assert states() == ["sent", "pending", "pending"]
    inline.release(left)  # what the process does at exit
    _, second, _ = records()
    assert second.lease_until == second.next_attempt_at  # the next sweep takes them at once


def test_a_stopping_pool_does_not_wait_out_a_retry(
    stored: Any, vendor: FakeVendor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inline, "wait", lambda seconds, stopping: not stopping.wait(seconds))
    vendor.answer(503)
    record_kissmetrics_event("ada", "Paid")
    pool = inline.InlinePool(threads=1)
    pool.submit(helpers.dispatched[0]["id"])
    vendor.wait_for(1)
    wait_until(lambda: records()[0].state == "pending")  # the 503 is recorded; now it waits
    assert pool.stop(timeout=30) == [helpers.dispatched[0]["id"]]
    assert states() == ["pending"]


def test_the_next_process_sends_them_from_its_first_request(
    server_settings: Any, vendor: FakeVendor, clock: Clock
) -> None:
    set_server(server_settings, DISPATCH="tests.server.helpers.record_dispatch")
    record_kissmetrics_event("ada", "Paid")  # left pending by a process that stopped
    inline.release([helpers.dispatched[0]["id"]])
    set_server(server_settings, DISPATCH="inline", SWEEP=60)
    assert sweeper._thread is None
    Client().get("/")  # the first request starts the sweep, in the background
    assert sweeper._thread is not None
    assert [r.query["_n"] for r in vendor.wait_for(1)] == ["Paid"]
    sent(vendor)
    assert states() == ["sent"]


def test_a_site_without_server_settings_never_sweeps(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "warning"}
    Client().get("/")
    assert sweeper._thread is None


def test_sweep_zero_turns_the_background_sweep_off(server_settings: Any) -> None:
    Client().get("/")  # server_settings has SWEEP = 0
    assert sweeper._thread is None


def test_the_thread_count_is_read_when_the_pool_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inline, "THREADS", 1)  # as a process may set it before its first call
    pool = inline.InlinePool()
    try:
        assert len(pool._threads) == 1
    finally:
        pool.stop(timeout=5)
