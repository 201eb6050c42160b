"""DISPATCH = "celery": the task wiring in eager mode, then a real worker on a real broker
(Debian's redis-server, started here; required under CI) reading the records the test
commits to the test database (a file)."""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from analytix_frontend.server import celery as celery_mode
from analytix_frontend.server import handover, record_kissmetrics_event, update_hubspot_contact
from analytix_frontend.server.celery import send_call
from tests.server.celery_app import make_app
from tests.server.conftest import TOKEN, Clock, records, set_server, states
from tests.server.fake_vendor import Answer, FakeVendor

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def countdowns(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> list[float]:
    """Eager tasks run at once, countdown or not: the delivery clock moves on instead."""
    seen: list[float] = []
    real_enqueue = celery_mode.enqueue

    def enqueue(call_id: str, countdown: float = 0.0) -> None:
        if countdown:
            seen.append(countdown)
            clock.advance(countdown)
        real_enqueue(call_id, countdown)

    monkeypatch.setattr(celery_mode, "enqueue", enqueue)
    return seen


@pytest.fixture
def eager(server_settings: Any, countdowns: list[float]) -> Iterator[Any]:
    set_server(server_settings, DISPATCH="celery")
    yield make_app("memory://", task_always_eager=True)


def test_the_task_is_acknowledged_late_and_requeued_when_its_worker_dies() -> None:
    assert send_call.acks_late is True
    assert send_call.reject_on_worker_lost is True


def test_the_task_is_registered_under_a_stable_name() -> None:
    app = make_app("memory://")
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert "analytix_frontend.server.send_call" in app.tasks
    assert app.tasks["analytix_frontend.server.send_call"].name == send_call.name


def test_eager_task_sends_and_retries_transient_failures(eager: Any, vendor: FakeVendor) -> None:
    vendor.answer(503, Answer(429, {"Retry-After": "1"}))
    record_kissmetrics_event("ada", "Paid")
    first, second, third = vendor.received  # eager: done before the call returned
    assert first.query == second.query == third.query
    assert states() == ["sent"]


def test_a_redelivered_task_sends_nothing_twice(eager: Any, vendor: FakeVendor) -> None:
    record_kissmetrics_event("ada", "Paid")
    [record] = records()
    assert send_call.apply(args=[str(record.pk)]).get() == "it is sent"
    assert len(vendor.received) == 1


def test_eager_task_stops_after_retries(
    eager: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    vendor.answer(500, 500, 500, 500)
    update_hubspot_contact("ada@example.com", {"plan": "pro"})
    assert len(vendor.received) == 3
    assert "HubSpot contact update failed after 3 attempts: answered 500" in caplog.text
    assert TOKEN not in caplog.text


def test_eager_task_does_not_retry_a_client_error(eager: Any, vendor: FakeVendor) -> None:
    vendor.answer(400)
    record_kissmetrics_event("ada", "Paid")
    assert len(vendor.received) == 1


def test_celery_countdown_follows_retry_after_and_back_off(
    eager: Any, settings: Any, vendor: FakeVendor, countdowns: list[float]
) -> None:
    set_server(settings, BACKOFF=2.0, MAX_DELAY=30.0)
    vendor.answer(Answer(429, {"Retry-After": "12"}), 500)
    record_kissmetrics_event("ada", "Paid")
    assert len(vendor.received) == 3
    assert countdowns[0] == 12.0
    assert 2.0 <= countdowns[1] <= 4.0  # second retry: 2 * 2**1 with jitter in [half, full]


def test_a_retry_the_broker_refuses_stays_pending(
    eager: Any, vendor: FakeVendor, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    def refuse(call_id: str, countdown: float = 0.0) -> None:
        if countdown:
            raise ConnectionError("broker down")
        send_call.apply(args=[call_id])

    monkeypatch.setattr(celery_mode, "enqueue", refuse)
    vendor.answer(503)
    record_kissmetrics_event("ada", "Paid")
    assert states() == ["pending"]
    assert "its retry could not be queued (ConnectionError); it stays pending" in caplog.text


def test_a_broker_that_is_down_is_tried_once_then_calls_wait_for_the_sweep(
    server_settings: Any, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """A broker that refuses every connection: the first call's hand-over tries it (and says
    why, and where), the next calls wait for the sweep without trying (no time lost in the
    request) until the pause is over."""
    set_server(server_settings, DISPATCH="celery")
    tries = 0
    listener = socket.create_server(("127.0.0.1", 0))

    def refuse() -> None:
        nonlocal tries
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return  # closed: the test is over
            tries += 1
            connection.close()

    threading.Thread(target=refuse, daemon=True).start()
    port = listener.getsockname()[1]
    make_app(f"redis://:secret@127.0.0.1:{port}/0")
    try:
        record_kissmetrics_event("ada", "Paid")
        first = tries
        record_kissmetrics_event("bob", "Paid")
        record_kissmetrics_event("cyd", "Paid")
        assert first >= 1 and tries == first  # the later calls did not try the broker
        clock.advance(handover.PAUSE + 1)
        record_kissmetrics_event("dee", "Paid")
        assert tries > first
    finally:
        listener.close()
    assert states() == ["pending"] * 4
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"broker redis://:**@127.0.0.1:{port}/0" in lines[0]
    assert "could not be queued (dispatcher 'celery': OperationalError: " in lines[0]
    assert "a hand-over failed less than 10 s ago" in lines[1]
    assert "secret" not in caplog.text


# The real thing: redis-server and a celery worker in their own processes.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing; scripts/setup.sh must apt-get install it")
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    port = free_port()
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(10)


@pytest.fixture
def worker(redis_url: str, vendor: FakeVendor, tmp_path: Path) -> Iterator[Worker]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.server.worker_settings",
        "ANALYTIX_TEST_BROKER": redis_url,
        "ANALYTIX_TEST_TOKEN": TOKEN,
        "ANALYTIX_TEST_VENDOR_URL": vendor.url,
        "ANALYTIX_TEST_DB": connection.settings_dict["NAME"],
        "PYTHONPATH": str(ROOT),
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.server.celery_app",
                "worker",
                "--pool=solo",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=DEBUG",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    yield Worker(process, log)
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path


def wait_for_requests(vendor: FakeVendor, count: int, worker: Worker) -> list[Any]:
    """Waits, up to a generous deadline, for `count` requests; fails with the worker's log."""
    deadline = time.monotonic() + 60
    while len(vendor.received) < count:
        if worker.process.poll() is not None or time.monotonic() > deadline:
            log = worker.log.read_text(errors="replace")[-4000:]
            pytest.fail(f"{len(vendor.received)} of {count} requests arrived; worker log:\n{log}")
        vendor.wait_for(count, timeout=0.5)
    return list(vendor.received)


def test_a_real_worker_sends_retries_and_honours_retry_after(
    server_settings: Any, vendor: FakeVendor, redis_url: str, worker: Any
) -> None:
    set_server(server_settings, DISPATCH="celery")
    make_app(redis_url)
    vendor.answer(503, Answer(429, {"Retry-After": "1"}))
    update_hubspot_contact("ada@example.com", {"plan": "pro"})
    received = wait_for_requests(vendor, 3, worker)
    assert [r.path for r in received] == ["/crm/v3/objects/contacts/ada@example.com"] * 3
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in received)
    assert all(r.json() == {"properties": {"plan": "pro"}} for r in received)

    record_kissmetrics_event("ada", "Paid")
    received = wait_for_requests(vendor, 4, worker)
    assert received[3].path == "/e"
    assert received[3].query["_n"] == "Paid"
    log = worker.log.read_text(errors="replace")
    assert re.search(
        r"HubSpot contact update \(call [0-9a-f-]{36}\): answered 503; retry 1 of 2 in", log
    )
    assert re.search(
        r"contact update \(call [0-9a-f-]{36}\): answered 429; retry 2 of 2 in 1.00 s", log
    )
    assert TOKEN not in log  # the task messages carry the call's id, never the token
    # Nothing more arrives: the success ended each task (the worker is still running).
    vendor.wait_for(5, timeout=1.5)
    assert len(vendor.received) == 4
