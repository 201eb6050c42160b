from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

import pytest

from analytix_frontend.server import record_kissmetrics_event
from analytix_frontend.server.config import read_server_settings
from analytix_frontend.server.http import Outcome, parse_retry_after, retry_delay
from tests.server.conftest import sent
from tests.server.fake_vendor import FakeVendor

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 0 ", 0.0),
        ("Wed, 25 Nov 2026 12:00:30 GMT", 30.0),
        ("Wed, 25 Nov 2026 11:00:00 GMT", 0.0),  # in the past: at once
        ("soon", None),
        ("-3", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_header(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize(
    ("status", "transient"),
    [(None, True), (429, True), (500, True), (503, True), (400, False), (404, False), (200, False)],
)
def test_which_outcomes_are_retried(status: int | None, transient: bool) -> None:
    assert Outcome(status).transient is transient
    assert Outcome(None, refused=True).transient is False


def test_retry_delay_prefers_retry_after_and_caps_everything(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"SERVER": {"BACKOFF": 1.0, "MAX_DELAY": 5.0}}
    config = read_server_settings()
    assert retry_delay(0, Outcome(429, retry_after=2.0), config) == 2.0
    assert retry_delay(0, Outcome(429, retry_after=99.0), config) == 5.0
    assert 0.5 <= retry_delay(0, Outcome(500), config) <= 1.0
    assert 2.5 <= retry_delay(9, Outcome(500), config) <= 5.0


def test_celery_waits_longer_by_default(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"SERVER": {"DISPATCH": "celery"}}
    config = read_server_settings()
    assert (config.backoff, config.max_delay) == (5.0, 300.0)
    settings.ANALYTICS_CONFIG = {"SERVER": {}}
    config = read_server_settings()
    assert (config.backoff, config.max_delay) == (0.5, 10.0)


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("user data in a message: ada@example.com")


def test_a_public_call_never_raises_and_logs_no_data(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, "analytix_frontend.server"):
        record_kissmetrics_event("ada", "Paid", {"bad": Unprintable()})
    assert sent(vendor) == []
    assert caplog.messages == [
        "record_kissmetrics_event failed unexpectedly (RuntimeError); nothing sent."
    ]
