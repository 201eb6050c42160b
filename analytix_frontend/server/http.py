"""Sending one `Call` over HTTP (httpx): one attempt, whose `Outcome` (server/policy.py) says
whether it is worth retrying and whether the vendor may have stored it although no answer
came back (a timeout or reset after the whole request was written).

An attempt never raises, whatever fails (building the request, sending, reading, parsing).
`TIMEOUT` bounds the whole attempt, connect to last byte read: every network read and write
waits at most until the attempt's deadline, so a vendor that drips its answer cannot hold a
thread. Of an error answer at most `MAX_BODY_BYTES` are read, and a success's body is never
read. httpx's and httpcore's own log lines are dropped for these requests only (they print
the URL, which holds a Kissmetrics person and properties); the site's own httpx use is
untouched.
"""

from __future__ import annotations

import contextvars
import logging
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from analytix_frontend import __version__
from analytix_frontend.server.calls import Call
from analytix_frontend.server.config import (
    ACCESS_TOKEN_SETTING,
    ServerSettings,
    access_token,
    is_printable_ascii,
)
from analytix_frontend.server.logs import REPLAY_MARK
from analytix_frontend.server.policy import Outcome, parse_retry_after

BODY_EXCERPT = 300  # characters of a vendor's error answer worth logging
MAX_BODY_BYTES = 4 * BODY_EXCERPT  # what is read of an error answer (UTF-8: up to 4 bytes each)
USER_AGENT = f"analytix-frontend/{__version__}"
DEPENDENCY_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


def excerpt(body: bytes, token: str) -> str:
    """An error answer fit for the replay line: the token redacted before anything is cut,
    whitespace folded, at most BODY_EXCERPT characters, and no cut-off start of the token at
    the end (where the byte limit or the character limit fell inside it)."""
    text = body.decode("utf-8", "replace")
    if token:
        text = text.replace(token, "[token]")
    text = " ".join(text.split())[:BODY_EXCERPT]
    for length in range(min(len(token), len(text)), 0, -1):
        if text.endswith(token[:length]):
            text = text[:-length]
            break
    return text.replace(REPLAY_MARK, "Replay - ")  # the replay line's JSON follows the first


# Network I/O that keeps the attempt's deadline.


def _time_left(deadline: float, timeout: float | None, error: type[Exception]) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the attempt's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(
            max_bytes, _time_left(self._deadline, timeout, httpcore.ReadTimeout)
        )

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _time_left(self._deadline, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        left = _time_left(self._deadline, timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, left), self._deadline
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, deadline: float) -> None:
        self._backend = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(self._deadline, timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, left, local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _transport(url: str, deadline: float) -> httpx.HTTPTransport:
    """httpx's own transport (the environment's proxy for this URL, as httpx would use it),
    over a network backend that keeps the deadline. httpx has no parameter for the backend,
    so it is set on the connection pool it builds; tests/server/test_http.py's drip tests
    fail if that ever stops working."""
    parts = urlsplit(url)
    proxy = None
    if not urllib.request.proxy_bypass(parts.hostname or ""):
        proxies = urllib.request.getproxies()
        proxy = proxies.get(parts.scheme) or proxies.get("all")
    transport = httpx.HTTPTransport(proxy=proxy, verify=_tls_context())
    transport._pool._network_backend = _DeadlineBackend(deadline)
    return transport


_tls: ssl.SSLContext | None = None
_tls_lock = threading.Lock()


def _tls_context() -> ssl.SSLContext:
    """httpx's default TLS set-up (certifi, or SSL_CERT_FILE / SSL_CERT_DIR), made once per
    process: building it loads the CA bundle, some 30 ms of CPU, which per attempt was most
    of what a call cost (benchmarks/delivery.py). A context is safe to share across threads."""
    global _tls
    with _tls_lock:
        if _tls is None:
            _tls = httpx.create_ssl_context()
        return _tls


# Our requests leave no line in httpx's or httpcore's loggers.

_sending = contextvars.ContextVar("analytix_frontend_server_sending", default=False)


class _OwnRequestsOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _sending.get()


_quiet = _OwnRequestsOnly()
for _name in DEPENDENCY_LOGGERS:
    logging.getLogger(_name).addFilter(_quiet)


@contextmanager
def _quiet_dependencies() -> Iterator[None]:
    reset = _sending.set(True)
    try:
        yield
    finally:
        _sending.reset(reset)


def send_once(call: Call, config: ServerSettings) -> Outcome:
    """One HTTP attempt, bounded as a whole by TIMEOUT. Never raises; the token is added
    here only."""
    headers = {
        "Accept": "application/json",
        "Accept-Encoding": "identity",  # an error answer is read raw, and only its start
        "User-Agent": USER_AGENT,
    }
    token = ""
    if call.bearer:
        # Only the one known secret, and only to the configured HubSpot API host, so an
        # edited queue message or replay line can never send the token elsewhere.
        if call.bearer != ACCESS_TOKEN_SETTING or not call.url.startswith(
            config.hubspot_api_url + "/"
        ):
            return Outcome(None, "refused: the token is only sent to HUBSPOT_API_URL", refused=True)
        token = access_token()
        if not token:
            return Outcome(
                None, f"ANALYTICS_IDS[{ACCESS_TOKEN_SETTING!r}] is not set", refused=True
            )
        if not is_printable_ascii(token):
            return Outcome(
                None,
                f"ANALYTICS_IDS[{ACCESS_TOKEN_SETTING!r}] is not printable ASCII "
                "(see manage.py check)",
                refused=True,
            )
        headers["Authorization"] = f"Bearer {token}"
    try:
        with _quiet_dependencies():
            return _attempt(call, config, headers, token)
    except httpx.TimeoutException as exc:
        return Outcome(
            None, f"no answer within {config.timeout:g} s", maybe_delivered=_was_sent(exc)
        )
    except httpx.HTTPError as exc:
        return Outcome(
            None, f"request failed: {type(exc).__name__}", maybe_delivered=_was_sent(exc)
        )
    except Exception as exc:
        # A surprise (e.g. a value httpx cannot encode): final, and only its type is told,
        # since its message or repr can quote the token or the call's personal data.
        return Outcome(None, f"failed unexpectedly: {type(exc).__name__}", refused=True)


def _was_sent(exc: Exception) -> bool:
    """The request went out whole and then the answer was lost (reading it timed out, the
    connection was reset or closed while waiting): the vendor may have stored the call. A
    failure to connect or to write the request means it was not (a vendor acts on a whole
    request only)."""
    return isinstance(exc, (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError))


def _attempt(call: Call, config: ServerSettings, headers: dict[str, str], token: str) -> Outcome:
    deadline = time.monotonic() + config.timeout
    transport = _transport(call.url, deadline)
    with (
        httpx.Client(transport=transport, timeout=config.timeout) as client,
        client.stream(
            call.method, call.url, params=dict(call.params), json=call.json, headers=headers
        ) as response,
    ):
        status = response.status_code
        if 200 <= status < 300:
            return Outcome(status)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        body = b""
        try:
            for chunk in response.iter_raw():
                body += chunk
                if len(body) >= MAX_BODY_BYTES:
                    break
        except httpx.HTTPError:
            pass  # the deadline passed or the answer broke off: log what came
    return Outcome(
        status, f"answered {status}", retry_after, detail=excerpt(body[:MAX_BODY_BYTES], token)
    )
