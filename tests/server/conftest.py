from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from analytix_frontend.server import delivery, dispatch, handover, inline, sweeper
from analytix_frontend.server.models import ServerCall
from tests.server import helpers
from tests.server.fake_vendor import FakeVendor

# Private-app tokens look like this; the tests check it never shows up in logs or messages.
TOKEN = "pat-na1-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
FORM_GUID = "0f6e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"


@pytest.fixture
def vendor() -> Iterator[FakeVendor]:
    fake = FakeVendor()
    yield fake
    fake.release()
    assert dispatch.flush(timeout=30), "background sends still running after the test"
    fake.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Calls are stored: every server test has a real database whose commits are real (the
    sending threads see only what is committed), unless marked `in_test_transaction` (it
    runs in a transaction that never commits, as Django's TestCase does)."""
    for item in items:
        if "tests/server/" in item.nodeid and not item.get_closest_marker("django_db"):
            in_transaction = item.get_closest_marker("in_test_transaction") is not None
            item.add_marker(pytest.mark.django_db(transaction=not in_transaction))


@pytest.fixture(autouse=True)
def _nothing_left_running() -> Iterator[None]:
    """Nothing runs in the background after a test: its calls are flushed and the sweeper
    is stopped."""
    yield
    assert dispatch.flush(timeout=30), "background sends still running after the test"
    sweeper.stop()
    handover.forget_failures()


@pytest.fixture
def server_settings(settings: Any, vendor: FakeVendor) -> Any:
    """Every base URL pointed at the fake, two retries, and no background sweep."""
    settings.ANALYTICS_IDS = {**settings.ANALYTICS_IDS, "HUBSPOT_ACCESS_TOKEN": TOKEN}
    settings.ANALYTICS_CONFIG = {
        "LOG_LEVEL": "warning",
        "SERVER": {
            "TIMEOUT": 5.0,  # the fake answers at once; hang tests set a short one
            "RETRIES": 2,
            "SWEEP": 0,
            "HUBSPOT_API_URL": vendor.url,
            "HUBSPOT_FORMS_URL": vendor.url,
            "KISSMETRICS_URL": vendor.url,
        },
    }
    return settings


def set_server(settings: Any, **values: Any) -> None:
    """Changes keys of ANALYTICS_CONFIG["SERVER"] (assigning, so setting_changed fires)."""
    config = dict(settings.ANALYTICS_CONFIG)
    config["SERVER"] = {**config.get("SERVER", {}), **values}
    settings.ANALYTICS_CONFIG = config


class Clock:
    """The delivery clock, moved by the waits instead of real time passing."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return timezone.now() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(delivery, "now", fake.now)
    return fake


@pytest.fixture(autouse=True)
def waits(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> list[float]:
    """The retry waits, recorded instead of slept (the clock moves on instead): tests assert
    the delays chosen, never how long anything took."""
    delays: list[float] = []

    def wait(seconds: float, stopping: Any) -> bool:
        delays.append(seconds)
        clock.advance(seconds)
        return True

    monkeypatch.setattr(inline, "wait", wait)
    return delays


@pytest.fixture(autouse=True)
def _clear_dispatched() -> Iterator[None]:
    helpers.dispatched.clear()
    yield
    helpers.dispatched.clear()


def sent(vendor: FakeVendor) -> list[Any]:
    """The requests the fake received, once every queued call has finished."""
    assert dispatch.flush(timeout=30)
    return list(vendor.received)


SERVER_LOGGER = "analytix_frontend.server"
REPLAY_LOGGER = "analytix_frontend.server.replay"


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The ordinary ERROR lines (free of personal data), not the replay lines."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name != REPLAY_LOGGER
    ]


def replays(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == REPLAY_LOGGER]


def replayed_call(line: str) -> Any:
    """The call a replay line carries, as the docs' recipe reads it."""
    return json.loads(line.split("Replay: ", 1)[1])


def records() -> list[ServerCall]:
    return list(ServerCall.objects.order_by("created_at"))


def states() -> list[str]:
    return [record.state for record in records()]


def wait_until(predicate: Callable[[], object], timeout: float = 30) -> None:
    """Polls, up to a generous deadline (never a measurement), until `predicate` holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.02)
