from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from analytix_frontend.server import dispatch, http
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


@pytest.fixture
def server_settings(settings: Any, vendor: FakeVendor) -> Any:
    """Every base URL pointed at the fake, and two retries."""
    settings.ANALYTICS_IDS = {**settings.ANALYTICS_IDS, "HUBSPOT_ACCESS_TOKEN": TOKEN}
    settings.ANALYTICS_CONFIG = {
        "LOG_LEVEL": "warning",
        "SERVER": {
            "TIMEOUT": 5.0,  # the fake answers at once; hang tests set a short one
            "RETRIES": 2,
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


@pytest.fixture(autouse=True)
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The inline retry waits, recorded instead of slept: tests assert the delays chosen,
    never how long anything took."""
    delays: list[float] = []
    monkeypatch.setattr(http, "sleep", delays.append)
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
