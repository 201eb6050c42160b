"""The retry policy: a pure function of (attempt, answer), tested without a clock."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from analytix_frontend.server.policy import Outcome, RetryPolicy, parse_retry_after, retry_in

POLICY = RetryPolicy(retries=3, backoff=1.0, max_delay=5.0)
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


def test_back_off_doubles_from_half_to_all_of_its_ceiling() -> None:
    # jitter 0 is the bottom of the range, jitter near 1 its top
    assert [retry_in(n, Outcome(500), POLICY, 0.0) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert [retry_in(n, Outcome(None), POLICY, 0.999999) for n in (1, 2, 3)] == pytest.approx(
        [1.0, 2.0, 4.0], rel=1e-5
    )


def test_max_delay_caps_the_back_off_and_retry_after() -> None:
    long_policy = RetryPolicy(retries=10, backoff=1.0, max_delay=5.0)
    assert retry_in(9, Outcome(500), long_policy, 0.0) == 2.5  # 256 s capped to 5, halved
    assert retry_in(1, Outcome(429, retry_after=2.0), POLICY, 0.9) == 2.0
    assert retry_in(1, Outcome(429, retry_after=99.0), POLICY, 0.9) == 5.0


def test_retry_after_wins_over_the_back_off_even_on_a_5xx() -> None:
    assert retry_in(3, Outcome(503, retry_after=0.0), POLICY, 0.5) == 0.0


def test_give_up_after_the_last_retry() -> None:
    assert retry_in(3, Outcome(503), POLICY, 0.5) is not None  # attempt 3 of 4
    assert retry_in(4, Outcome(503), POLICY, 0.5) is None  # the 3 retries are spent
    assert retry_in(1, Outcome(503), RetryPolicy(0, 1.0, 5.0), 0.5) is None


@pytest.mark.parametrize("outcome", [Outcome(200), Outcome(204), Outcome(400), Outcome(404)])
def test_a_success_or_a_final_answer_is_never_retried(outcome: Outcome) -> None:
    assert retry_in(1, outcome, POLICY, 0.5) is None


def test_a_refusal_is_never_retried() -> None:
    assert retry_in(1, Outcome(None, "no token", refused=True), POLICY, 0.5) is None
