"""What durable delivery costs: the time a server call adds to the request that makes it, and
how many calls per second one sender drains, per dispatch mode, on SQLite and PostgreSQL.

    python -m benchmarks.delivery [--calls 400] [--samples 300] [--no-postgresql]

The request: `with atomic(): User.objects.create(...)`, with no call (the baseline) and
with one `record_kissmetrics_event` in the same transaction, per mode, interleaved in one
process so that drift hits every variant alike; p50 and p99 of each, and what the call adds
at the p50 (the variant's p50 minus the baseline's). The drain: `--calls` calls stored and
handed over with no sender running, then one sender (a pool thread of the inline pool, one
`db_worker`, one Celery pool process) and then two, against a local fake vendor that answers
at once (what a call costs the sender), then one that answers after `--latency` seconds (a
real vendor's round trip: how senders scale); calls per second from the records' `sent_at`
spread (start-up excluded). Connections are kept (`CONN_MAX_AGE` 60). PostgreSQL and
redis-server are started by the benchmark (Debian's, as the tests use them). Numbers from a
shared machine: compare within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from tests.server import processes

MODES = ("inline", "tasks", "celery")


def drop(call: dict[str, Any]) -> None:
    """A dispatcher that hands the stored call to nobody: the record alone."""


# In the measuring subprocess (Django configured by tests.server.chaos_settings).


def measure_request(samples: int) -> dict[str, list[float]]:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.test.utils import override_settings

    from analytix_frontend.server import flush, record_kissmetrics_event

    variants = {"no call": "", "dotted path": "benchmarks.delivery.drop", "inline": "inline"}
    variants["tasks"] = "tasks"
    if os.environ.get("ANALYTIX_TEST_BROKER"):
        import tests.server.celery_app  # noqa: F401

        variants["celery"] = "celery"
    timings: dict[str, list[float]] = {name: [] for name in variants}
    for index in range(samples + 20):
        names = list(variants)
        names = names[index % len(names) :] + names[: index % len(names)]  # rotate the order
        for name in names:
            server = {**settings.ANALYTICS_CONFIG["SERVER"], "DISPATCH": variants[name] or "inline"}
            with override_settings(ANALYTICS_CONFIG={"SERVER": server}):
                started = time.perf_counter()
                with transaction.atomic():
                    User.objects.create(username=uuid.uuid4().hex)
                    if variants[name]:
                        record_kissmetrics_event(f"p{index}", "Benchmarked", {"n": index})
                took = time.perf_counter() - started
            if index >= 20:  # warm-up
                timings[name].append(took * 1000)
            flush()  # the inline pool's sends stay out of the next measurement
    return timings


def measure_drain(mode: str, senders: int, calls: int) -> float:
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    from analytix_frontend.server import flush, handover, inline, record_kissmetrics_event
    from analytix_frontend.server.config import read_server_settings
    from analytix_frontend.server.models import ServerCall

    if mode == "celery":
        import tests.server.celery_app  # noqa: F401
    server = settings.ANALYTICS_CONFIG["SERVER"]
    queued = "benchmarks.delivery.drop" if mode == "inline" else mode  # no sender runs yet
    with override_settings(ANALYTICS_CONFIG={"SERVER": {**server, "DISPATCH": queued}}):
        for n in range(calls):
            record_kissmetrics_event(f"d{n}", "Drained", {"n": n})
    ids = [str(pk) for pk in ServerCall.objects.values_list("pk", flat=True)]
    workers: list[processes.Service] = []
    if mode == "inline":
        inline.THREADS = senders
        inline.MAX_PENDING = calls  # the drain measures the senders, not the backlog's bound
        handover.hand_over(ids, read_server_settings())  # the pool of this one process
    else:
        for index in range(1 if mode == "celery" else senders):
            command = [sys.executable, "-m", "django", "db_worker", "--interval", "0.05"]
            command += ["--no-startup-delay", "--no-reload", "--verbosity", "0"]
            if mode == "celery":
                command = [sys.executable, "-m", "celery", "-A", "tests.server.celery_app"]
                command += ["worker", "--pool=prefork", f"--concurrency={senders}"]
                command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
            log = Path(tempfile.gettempdir()) / f"analytix-bench-{os.getpid()}-{index}.log"
            workers.append(processes.Service(f"worker-{index}", command, {}, log).start())
    deadline = time.monotonic() + 300
    try:
        while ServerCall.objects.filter(state="sent").count() < calls:
            assert time.monotonic() < deadline, "the senders did not drain the calls"
            time.sleep(0.2)
    finally:
        flush()
        for worker in workers:
            worker.stop()
    times = sorted(ServerCall.objects.values_list("sent_at", flat=True))
    return float((calls - 1) / (times[-1] - times[0]).total_seconds())


# The orchestrating process.


class SlowVendor:
    """A vendor that answers 200 after `latency` seconds, many requests at a time."""

    def __init__(self, latency: float) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                time.sleep(latency)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # the client closed its connection after its answer: expected

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def subprocess_json(env: dict[str, str], *args: str) -> Any:
    command = [sys.executable, "-m", "benchmarks.delivery", *args]
    full_env = {**os.environ, "PYTHONPATH": str(processes.ROOT), **env}
    done = subprocess.run(
        command, cwd=processes.ROOT, env=full_env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def fresh_database(
    server: dict[str, str] | None, database: str, env: dict[str, str]
) -> dict[str, str]:
    """A new, migrated database for one measurement: a SQLite file, or a database on the
    benchmark's PostgreSQL server."""
    env = dict(env)
    if database == "postgresql":
        assert server is not None
        name = f"bench_{uuid.uuid4().hex[:8]}"
        processes.create_database(server, name)
        env.update(ANALYTIX_CHAOS_PG_PORT=server["PORT"], ANALYTIX_CHAOS_PG_NAME=name)
    else:
        env["ANALYTIX_CHAOS_DB"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    command = [sys.executable, "-m", "django", "migrate", "--verbosity", "0"]
    full_env = {**os.environ, "PYTHONPATH": str(processes.ROOT), **env}
    subprocess.run(command, cwd=processes.ROOT, env=full_env, check=True)
    return env


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report_request(database: str, timings: dict[str, list[float]]) -> None:
    base = statistics.median(timings["no call"])
    print(
        f"\nWhat one call adds to the request, {database} (ms, {len(timings['no call'])} samples)"
    )
    print(f"  {'variant':<12} {'p50':>7} {'p99':>7} {'adds (p50)':>11} {'ratio':>6}")
    for name, values in timings.items():
        p50, p99 = statistics.median(values), percentile(values, 0.99)
        print(f"  {name:<12} {p50:7.3f} {p99:7.3f} {p50 - base:11.3f} {p50 / base:6.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", nargs="?", default="all", choices=["all", "request", "drain"])
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--mode", choices=MODES, default="inline")
    parser.add_argument("--senders", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.1, help="the slow vendor's, in s")
    parser.add_argument("--no-postgresql", action="store_true")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.server.chaos_settings")
    if options.step == "request":
        print(json.dumps(measure_request(options.samples)))
        return 0
    if options.step == "drain":
        print(json.dumps(measure_drain(options.mode, options.senders, options.calls)))
        return 0
    databases = ["sqlite"] + ([] if options.no_postgresql else ["postgresql"])
    fast, slow = SlowVendor(0.0), SlowVendor(options.latency)
    with ExitStack() as stack:
        env = {
            "DJANGO_SETTINGS_MODULE": "tests.server.chaos_settings",
            "ANALYTIX_CHAOS_VENDOR": fast.url,
            "ANALYTIX_CHAOS_LEASE": "3600",  # the drain's backlog is on purpose: no re-hand-over
            "ANALYTIX_CHAOS_SWEEP": "0",
            "ANALYTIX_CHAOS_CONN_MAX_AGE": "60",
        }
        env["ANALYTIX_TEST_BROKER"] = stack.enter_context(processes.redis_server())
        server = None
        if "postgresql" in databases:
            server = stack.enter_context(processes.postgres_server())
        rates: dict[tuple[float, str, str, int], float] = {}
        for database in databases:
            request_env = fresh_database(server, database, env)
            timings = subprocess_json(request_env, "request", "--samples", str(options.samples))
            report_request(database, timings)
            for latency, url in ((0.0, fast.url), (options.latency, slow.url)):
                calls = options.calls if not latency else max(50, options.calls // 2)
                for mode in MODES:
                    for senders in (1, 2):
                        drain_env = fresh_database(server, database, env)
                        drain_env["ANALYTIX_CHAOS_VENDOR"] = url
                        args = ["drain", "--mode", mode, "--senders", str(senders)]
                        rate = subprocess_json(drain_env, *args, "--calls", str(calls))
                        rates[(latency, database, mode, senders)] = rate
        for latency in (0.0, options.latency):
            answer = "at once" if not latency else f"after {latency * 1000:.0f} ms"
            print(f"\nCalls per second drained, the vendor answering {answer} (a sender is a")
            print("pool thread inline, a db_worker process, a Celery pool process)")
            print(f"  {'database':<11} {'mode':<7} {'1 sender':>9} {'2 senders':>10} {'x':>5}")
            for database in databases:
                for mode in MODES:
                    one = rates[(latency, database, mode, 1)]
                    two = rates[(latency, database, mode, 2)]
                    print(f"  {database:<11} {mode:<7} {one:9.0f} {two:10.0f} {two / one:5.2f}")
    fast.close()
    slow.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
