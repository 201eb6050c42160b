from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from analytix_frontend.server import http as server_http
from analytix_frontend.server import (
    record_kissmetrics_event,
    send,
    update_hubspot_contact,
)
from analytix_frontend.server.calls import Call
from analytix_frontend.server.config import read_server_settings
from analytix_frontend.server.http import BODY_EXCERPT, MAX_BODY_BYTES
from tests.server.conftest import (
    REPLAY_LOGGER,
    TOKEN,
    failures,
    replayed_call,
    replays,
    sent,
    set_server,
)
from tests.server.fake_vendor import Answer, FakeVendor


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


# TIMEOUT bounds the whole attempt (connect, send, read), counted by what the fake wrote.

DRIP = 0.05  # seconds between bytes; TIMEOUT 0.5 s lets about ten through


@pytest.mark.parametrize(
    "answer",
    [
        Answer(200, {"X-Pad": "p" * 300}, drip=DRIP),  # even the status line and headers drip
        Answer(503, body="e" * 300, drip=DRIP, drip_head=False),  # an error body drips
    ],
    ids=["headers", "body"],
)
def test_timeout_bounds_the_whole_attempt_against_a_dripping_vendor(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture, answer: Answer
) -> None:
    set_server(server_settings, TIMEOUT=0.5, RETRIES=0)
    vendor.answer(answer)
    record_kissmetrics_event("ada", "Paid")
    assert len(sent(vendor)) == 1
    assert vendor.wait_finished(1) == 1  # the fake's writes failed: the client hung up
    # About 10 bytes arrive in 0.5 s; the answer is over 300. Generous: 5x.
    assert vendor.written < 50
    assert vendor.answered == 0
    [error] = failures(caplog)
    assert error.startswith("Kissmetrics event failed: ")


def test_a_huge_error_body_is_not_read_whole(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    set_server(server_settings, RETRIES=0)
    vendor.answer(Answer(500, size=32 * 2**20))
    record_kissmetrics_event("ada", "Paid")
    assert len(sent(vendor)) == 1
    assert vendor.wait_finished(1) == 1
    # The client stops after MAX_BODY_BYTES and hangs up; only socket buffers (a few MiB at
    # most on loopback) took more of the 32 MiB body.
    assert vendor.written < 8 * 2**20
    [replay] = replays(caplog)
    assert "x" * BODY_EXCERPT in replay
    assert "x" * (BODY_EXCERPT + 1) not in replay


def test_the_token_never_shows_even_partly_wherever_it_falls_near_a_cut(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    set_server(server_settings, RETRIES=0)
    around = range(-len(TOKEN) - 2, 3)
    # "x" filler: the character cut at BODY_EXCERPT falls in the token; spaces are folded
    # away, so with them the byte cut at MAX_BODY_BYTES is the one that falls in it.
    bodies = [("x" * (BODY_EXCERPT + d)) + TOKEN + "x" * 50 for d in around]
    bodies += [(" " * (MAX_BODY_BYTES + d)) + TOKEN + " x" for d in around]
    for body in bodies:
        vendor.answer(Answer(400, body=body))
        update_hubspot_contact("ada@example.com", {"plan": "pro"})
        sent(vendor)
    assert len(replays(caplog)) == len(bodies)
    for record in caplog.records:
        message = record.getMessage()
        assert TOKEN[:4] not in message  # no start of the token, of any length >= 4
    assert "[token]" in caplog.text  # where it fitted whole, it was redacted


# Every failure path ends in one ordinary line without secrets and one replay line.

ZERO_WIDTH_TOKEN = TOKEN[:12] + "\u200b" + TOKEN[12:]


def assert_one_failure_without_secrets(caplog: pytest.LogCaptureFixture, person: str) -> None:
    [failure] = failures(caplog)
    [replay] = replays(caplog)
    assert person not in failure
    assert replayed_call(replay)["url"].endswith(person)
    for record in caplog.records:
        message = record.getMessage()
        assert TOKEN[:4] not in message
        assert "\u200b" not in message


def test_a_token_with_an_invisible_character_is_a_logged_failure_not_an_exception(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    server_settings.ANALYTICS_IDS = {
        **server_settings.ANALYTICS_IDS,
        "HUBSPOT_ACCESS_TOKEN": ZERO_WIDTH_TOKEN,
    }
    update_hubspot_contact("ada@example.com", {"plan": "pro"})  # inline, in the pool
    assert sent(vendor) == []
    assert_one_failure_without_secrets(caplog, "ada@example.com")
    assert "not printable ASCII" in failures(caplog)[0]
    caplog.clear()
    assert send(contact_update(vendor)) is False  # a replay: returns, never raises
    assert_one_failure_without_secrets(caplog, "ada@example.com")


def contact_update(vendor: FakeVendor) -> dict[str, Any]:
    return Call(
        "HubSpot",
        "contact update",
        "PATCH",
        f"{vendor.url}/crm/v3/objects/contacts/ada@example.com",
        params={"idProperty": "email"},
        json={"properties": {"plan": "pro"}},
        bearer="HUBSPOT_ACCESS_TOKEN",
    ).as_dict()


class Surprise(Exception):
    """An exception whose message, like httpx's UnicodeEncodeError, quotes secrets."""


def raise_surprise(*args: Any, **kwargs: Any) -> Any:
    raise Surprise(f"Bearer {TOKEN} for ada@example.com")


def raise_unicode_error(*args: Any, **kwargs: Any) -> Any:
    raise UnicodeEncodeError("ascii", f"Bearer {ZERO_WIDTH_TOKEN}", 19, 20, "not ASCII")


@pytest.mark.parametrize(
    ("target", "name", "answer"),
    [
        (httpx.Client, "build_request", 200),  # building the request
        (httpx.HTTPTransport, "handle_request", 200),  # sending it
        (httpx.Response, "iter_raw", 500),  # reading the answer
        (server_http, "parse_retry_after", 429),  # parsing it
    ],
    ids=["build", "send", "read", "parse"],
)
@pytest.mark.parametrize("raiser", [raise_surprise, raise_unicode_error], ids=["other", "unicode"])
def test_any_exception_in_an_attempt_ends_in_one_line_and_one_replay(
    server_settings: Any,
    vendor: FakeVendor,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    target: Any,
    name: str,
    answer: int,
    raiser: Any,
) -> None:
    vendor.answer(answer, answer, answer)  # for the three sends below
    monkeypatch.setattr(target, name, raiser)
    update_hubspot_contact("ada@example.com", {"plan": "pro"})
    sent(vendor)
    assert_one_failure_without_secrets(caplog, "ada@example.com")
    assert "failed unexpectedly: " in failures(caplog)[0]
    # The same for a direct send() (a replay, a custom dispatcher's worker) and for the
    # single attempt the Celery task makes: they return, never raise.
    caplog.clear()
    call = contact_update(vendor)
    assert send(call) is False
    assert_one_failure_without_secrets(caplog, "ada@example.com")
    outcome = server_http.send_once(Call.from_dict(call), read_server_settings())
    assert not outcome.ok and not outcome.transient


# No dependency's log line carries personal data; the replay lines have a logger of their own.


def test_no_log_line_but_the_replay_line_carries_personal_data(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    person = "ada@example.com"
    echo = Answer(500, {"X-Echo": person}, body=f'{{"error": "no such person {person}"}}')
    vendor.answer(echo, 200, echo, echo, echo)
    with caplog.at_level(logging.DEBUG):  # the root logger: every library's lines
        record_kissmetrics_event(person, "Paid", {"Plan": "secret-plan"})  # a retry, then sent
        assert len(sent(vendor)) == 2
        record_kissmetrics_event(person, "Paid", {"Plan": "secret-plan"})  # fails for good
        assert len(sent(vendor)) == 5
    personal = (person, "ada%40example.com", "secret-plan")
    ordinary = [r for r in caplog.records if r.name != REPLAY_LOGGER]
    assert {"analytix_frontend.server"} <= {r.name for r in ordinary}
    for record in ordinary:
        assert not any(data in record.getMessage() for data in personal), record.name
    [replay] = replays(caplog)
    assert replayed_call(replay)["params"]["_p"] == person  # the replay line carries the call
    assert "no such person" in replay  # and the vendor's answer


def test_the_sites_own_httpx_lines_are_left_alone(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    record_kissmetrics_event("ada", "Paid")
    sent(vendor)
    with caplog.at_level(logging.DEBUG):
        httpx.get(f"{vendor.url}/the-sites-own-request")
    assert any(
        r.name == "httpx" and "the-sites-own-request" in r.getMessage() for r in caplog.records
    )
    assert any(r.name.startswith("httpcore.") for r in caplog.records)


def test_the_tls_set_up_is_built_once_per_process(
    server_settings: Any, vendor: FakeVendor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading the CA bundle costs some 30 ms of CPU: once, not per attempt."""
    built: list[object] = []
    real = httpx.create_ssl_context

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(server_http, "_tls", None)
    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    vendor.answer(503)
    record_kissmetrics_event("ada", "Paid")  # two attempts
    record_kissmetrics_event("bob", "Paid")
    assert len(sent(vendor)) == 3
    assert len(built) == 1
