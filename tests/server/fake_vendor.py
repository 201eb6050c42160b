"""A fake HubSpot/Kissmetrics on loopback: real HTTP (http.server in a thread) that records
every request and answers from a script: a status, headers such as Retry-After, "hold"
(no answer until released, which the client sees as a hang), a huge body, or an answer
dripped one byte at a time. It counts the bytes it managed to write, so a test can tell
how much the client read before it gave up, without measuring time."""

from __future__ import annotations

import json
import threading
import time
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
    size: int = 0  # a body of this many bytes instead of `body`, written in 64 KiB pieces
    drip: float = 0.0  # seconds between single bytes of the answer
    drip_head: bool = True  # drip the status line and headers too, else only the body


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
    def __init__(self, port: int = 0) -> None:
        self.received: list[Received] = []
        self.answered = 0
        self.written = 0  # bytes of answers written (for `size` and `drip` answers: counted)
        self.finished = 0  # answers whose writing ended, completely or cut off by the client
        self._answers: deque[Answer] = deque()
        self._changed = threading.Condition()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

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

    def wait_finished(self, count: int, timeout: float = 30) -> int:
        """Waits (a deadline, not a measurement) until `count` answers stopped being written."""
        with self._changed:
            self._changed.wait_for(lambda: self.finished >= count, timeout)
            return self.finished

    def close(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        vendor = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 30  # a client that stops reading cannot hold the fake forever

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
                try:
                    complete = self._write(answer)
                except OSError:
                    complete = False  # the client gave up waiting (a timeout test)
                with vendor._changed:
                    vendor.answered += complete
                    vendor.finished += 1
                    vendor._changed.notify_all()

            def _write(self, answer: Answer) -> bool:
                body = answer.body.encode()
                length = answer.size or len(body)
                head = [f"HTTP/1.1 {answer.status} {self.responses.get(answer.status, ('',))[0]}"]
                headers = {**answer.headers, "Content-Type": "application/json"}
                head += [f"{name}: {value}" for name, value in headers.items()]
                head += [f"Content-Length: {length}", "", ""]
                raw = "\r\n".join(head).encode()
                if answer.drip:
                    if not answer.drip_head:
                        self.wfile.write(raw)
                        raw = b""
                    raw += body
                    for offset in range(len(raw)):
                        self._count(self.wfile.write(raw[offset : offset + 1]))
                        time.sleep(answer.drip)
                    return True
                self.wfile.write(raw if answer.size else raw + body)
                left = answer.size
                while left > 0:
                    piece = min(left, 65536)
                    self.wfile.write(b"x" * piece)
                    self._count(piece)
                    left -= piece
                return True

            def _count(self, written: int | None) -> None:
                with vendor._changed:
                    vendor.written += written or 0

            do_GET = do_POST = do_PATCH = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
