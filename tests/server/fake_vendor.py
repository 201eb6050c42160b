"""A fake HubSpot/Kissmetrics on loopback: real HTTP (http.server in a thread) that records
every request and answers from a script: a status, headers such as Retry-After, or "hold"
(no answer until released, which the client sees as a hang)."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str = "{}"
    hold: bool = False  # wait for `release()` before answering


HOLD = Answer(hold=True)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class FakeVendor:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answered = 0
        self._answers: deque[Answer] = deque()
        self._changed = threading.Condition()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, *answers: Answer | int) -> None:
        """Queues the next answers, in order; once they run out, every request gets 200."""
        self._answers.extend(Answer(a) if isinstance(a, int) else a for a in answers)

    def release(self) -> None:
        self._released.set()

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        """Waits (a deadline, not a measurement) until `count` requests have arrived."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)

    def wait_answered(self, count: int, timeout: float = 30) -> int:
        """Waits (a deadline, not a measurement) until `count` answers were written: the
        client can have read an answer a moment before the fake counts it."""
        with self._changed:
            self._changed.wait_for(lambda: self.answered >= count, timeout)
            return self.answered

    def close(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        vendor = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                url = urlsplit(self.path)
                received = Received(
                    method=self.command,
                    path=url.path,
                    query=dict(parse_qsl(url.query, keep_blank_values=True)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                with vendor._changed:
                    vendor.received.append(received)
                    answer = vendor._answers.popleft() if vendor._answers else Answer()
                    vendor._changed.notify_all()
                if answer.hold:
                    vendor._released.wait(60)
                body = answer.body.encode()
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    return  # the client gave up waiting (a timeout test)
                with vendor._changed:
                    vendor.answered += 1
                    vendor._changed.notify_all()

            do_GET = do_POST = do_PATCH = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
