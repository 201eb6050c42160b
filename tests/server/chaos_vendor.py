"""A faulty HubSpot + Kissmetrics on loopback for the chaos test, and what it ended up
holding.

Each request is answered by a plan drawn from the seed, per call and attempt (so a run is
reproducible whatever the timing): at most `MAX_FAILURES` failures per call, each one of
5xx, 429 with Retry-After, a reset, a hang past the client's timeout, or "stored, then the
answer lost" (the connection closed with no answer).

What the vendor holds follows each vendor's own rules: Kissmetrics keeps one event per
person, name and `_t` (with `_d=1`), setting properties or updating a contact twice to the
same values changes nothing, and HubSpot's Forms API stores every submission it reads.

When the client cannot tell whether a request was stored (a reset, a hang, a lost answer),
this vendor has stored it when it is a form submission: the client must then count it as
maybe stored, and the test checks the package's count against what the vendor holds. (For
the other calls a reset comes before or after storing, at random: they must be
deduplicated either way.) A 5xx or a 429 is never stored.
"""

from __future__ import annotations

import json
import random
import socket
import struct
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

OK, ERROR, THROTTLE, RESET, HANG, LOST = "ok", "5xx", "429", "reset", "hang", "lost"
FAILURES = (ERROR, THROTTLE, RESET, LOST, HANG)
WEIGHTS = (2, 2, 2, 2, 1)  # a hang holds a sender for the client's whole timeout: fewer
MAX_FAILURES = 2
FAILURE_RATE = 0.25
FORM = "form submission"


def marker_and_kind(method: str, path: str, query: dict[str, str], body: bytes) -> tuple[str, str]:
    """The test's marker for the call this request carries, and the call's kind."""
    if path == "/e":
        return query.get("n", "?"), "event"
    if path == "/s":
        return query.get("n", "?"), "properties"
    data = json.loads(body or b"{}")
    if method == "POST":
        fields = {f["name"]: f["value"] for f in data.get("fields", [])}
        return fields.get("n", "?"), FORM
    return str(data.get("properties", {}).get("n", "?")), "contact update"


def effect_key(kind: str, method: str, path: str, query: dict[str, str], body: bytes) -> Any:
    """What the vendor keeps of a stored request: equal keys are one thing at the vendor."""
    if kind == "event":
        return (query["_p"], query["_n"], query["_t"]) if query.get("_d") == "1" else object()
    if kind in ("properties", "contact update"):
        return (path, tuple(sorted(query.items())), body)  # idempotent: the same values
    return object()  # a form submission: each one stored is one more


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a reset or a killed client: expected here


class ChaosVendor:
    def __init__(
        self,
        seed: int,
        want_hold: Callable[[int], bool] = lambda port: False,
        on_hold: Callable[[int], None] = lambda port: None,
    ) -> None:
        """`want_hold(client_port)`: hold this request (stored, no answer) although the plan
        says answer it; `on_hold(client_port)`: a request is held now. The test kills the
        sender there, when its request is at the vendor and stored."""
        self.seed = seed
        self.want_hold, self.on_hold = want_hold, on_hold
        self.lock = threading.Lock()
        self.received: Counter[str] = Counter()  # requests per marker
        self.failures: Counter[str] = Counter()
        self.effects: dict[str, set[Any]] = defaultdict(set)
        self.kinds: dict[str, str] = {}
        self.modes: Counter[str] = Counter()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def held(self, marker: str) -> int:
        """How many copies (distinct effects) of this call the vendor holds."""
        with self.lock:
            return len(self.effects.get(marker, ()))

    def _plan(self, marker: str, attempt: int) -> str:
        draw = random.Random(f"{self.seed}:{marker}:{attempt}")
        if self.failures[marker] >= MAX_FAILURES or draw.random() >= FAILURE_RATE:
            return OK
        return draw.choices(FAILURES, WEIGHTS)[0]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        vendor = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 60

            def _handle(self) -> None:
                url = urlsplit(self.path)
                query = dict(parse_qsl(url.query, keep_blank_values=True))
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                marker, kind = marker_and_kind(self.command, url.path, query, body)
                key = effect_key(kind, self.command, url.path, query, body)
                port = int(self.client_address[1])
                with vendor.lock:
                    vendor.received[marker] += 1
                    vendor.kinds[marker] = kind
                    attempt = vendor.received[marker]
                    mode = vendor._plan(marker, attempt)
                    if mode == OK and vendor.want_hold(port):
                        mode = HANG  # the test kills the sender while its request is held
                    if mode != OK:
                        vendor.failures[marker] += 1
                    vendor.modes[mode] += 1
                    coin = random.Random(f"{vendor.seed}:{marker}:{attempt}:reset").random()
                    stored_first = kind == FORM or coin < 0.5
                    if mode in (OK, HANG, LOST) or (mode == RESET and stored_first):
                        vendor.effects[marker].add(key)
                self._answer(mode, port)

            def _answer(self, mode: str, port: int) -> None:
                self.close_connection = True
                if mode in (OK, ERROR, THROTTLE):
                    status = {OK: 200, ERROR: 503, THROTTLE: 429}[mode]
                    extra = "Retry-After: 1\r\n" if mode == THROTTLE else ""
                    head = f"HTTP/1.1 {status} X\r\n{extra}Content-Length: 2\r\n\r\n{{}}"
                    self.wfile.write(head.encode())
                    return
                try:
                    if mode == HANG:
                        vendor.on_hold(port)  # held now: the moment to kill its sender
                        self.connection.settimeout(30)
                        while self.connection.recv(1024):  # until the client gives up
                            pass
                    elif mode == RESET:
                        linger = struct.pack("ii", 1, 0)  # close with RST, not FIN
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                        self.connection.close()
                    else:  # LOST: stored, then the connection closes with no answer
                        self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            do_GET = do_POST = do_PATCH = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def wait(predicate: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True
