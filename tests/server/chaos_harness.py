"""The chaos test's harness (tests/server/test_chaos.py): one run's processes (a web process,
workers), the faulty vendor, the kills, and the clients that make the calls."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Queue
from typing import Any

import httpx
import pytest

from tests.server import processes
from tests.server.chaos_vendor import ChaosVendor, wait
from tests.server.processes import Service

SEED = int(os.environ.get("ANALYTIX_CHAOS_SEED") or random.SystemRandom().randrange(10**6))
CALLS = 300
KINDS = ("form", "contact", "event", "properties")
ROLLBACK_SHARE = 0.1
CLIENTS = 4
KILL, TERM = signal.SIGKILL, signal.SIGTERM


@dataclass(frozen=True)
class Run:
    dispatch: str
    database: str
    workers: int  # worker processes (celery: one worker with two pool processes)
    kills: tuple[tuple[str, int], ...]  # (what, signal), in order, spread over the run


@dataclass
class Chaos:
    """One run: its processes, the vendor, the kill in progress, what the test learnt."""

    run: Run
    tmp: Path
    env: dict[str, str]
    vendor: ChaosVendor | None = None
    web: Service | None = None
    workers: list[Service] = field(default_factory=list)
    port: int = 0
    kill_targets: set[int] = field(default_factory=set)  # pids a pending SIGKILL may hit
    killed: threading.Event = field(default_factory=threading.Event)
    # Clear while a killed process is being replaced: the clients wait, so that calls go on
    # being made after each restart and the next kill finds senders with work.
    running: threading.Event = field(default_factory=threading.Event)
    results: dict[str, str] = field(default_factory=dict)
    kills_done: list[str] = field(default_factory=list)
    extra: list[tuple[str, str, bool]] = field(default_factory=list)  # calls made to feed a kill

    # The vendor's hooks: hold a request of a kill target, and kill it while it is held.

    def want_hold(self, port: int) -> bool:
        return bool(self.kill_targets) and processes.pid_of_connection(port) in self.kill_targets

    def on_hold(self, port: int) -> None:
        targets = self.kill_targets
        pid = processes.pid_of_connection(port) if targets else None
        if pid is not None and pid in targets:
            self.kill_targets = set()
            os.kill(pid, signal.SIGKILL)
            self.killed.set()

    # Processes

    def start_web(self) -> None:
        command = [sys.executable, "-m", "tests.server.chaos_web", str(self.port)]
        self.web = Service("web", command, self.env, self.tmp / "web.log").start()
        processes.wait_for_port(self.port, self.web.process, "the chaos web process")

    def worker_command(self) -> list[str]:
        if self.run.dispatch == "celery":
            command = [sys.executable, "-m", "celery", "-A", "tests.server.celery_app", "worker"]
            command += ["--pool=prefork", "--concurrency=2", "--without-heartbeat"]
            return [*command, "--without-gossip", "--without-mingle", "--loglevel=WARNING"]
        command = [sys.executable, "-m", "django", "db_worker", "--interval", "0.05"]
        return [*command, "--no-startup-delay", "--no-reload", "--verbosity", "0"]

    def start_worker(self, index: int) -> None:
        log = self.tmp / f"worker-{index}.log"
        worker = Service(f"worker-{index}", self.worker_command(), self.env, log).start()
        if index < len(self.workers):
            self.workers[index] = worker
        else:
            self.workers.append(worker)

    def manage(self, *args: str) -> str:
        command = [sys.executable, "-m", "django", *args]
        env = {**os.environ, "PYTHONPATH": str(processes.ROOT), **self.env}
        done = subprocess.run(command, cwd=processes.ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def make_call(self, call: tuple[str, str, bool]) -> None:
        """One more call, outside the plan (the verdict counts it like the others)."""
        self.extra.append(call)
        n, kind, rollback = call
        data = {"n": n, "kind": kind, "rollback": "1" if rollback else "0"}
        try:
            answer = httpx.post(f"http://127.0.0.1:{self.port}/call", data=data, timeout=60)
            self.results[n] = answer.json()["result"]
        except (httpx.HTTPError, ValueError):
            pass  # the web process died under it: the database says whether it committed

    def state(self) -> dict[str, Any]:
        answer = httpx.get(f"http://127.0.0.1:{self.port}/state", timeout=60)
        answer.raise_for_status()
        data: dict[str, Any] = answer.json()
        return data

    # Kills

    def kill(self, what: str, signum: int) -> None:
        """SIGTERM: at once, to the main process. SIGKILL: to a process that sends nothing,
        at once; to a sender, while one of its requests is held at the vendor."""
        assert self.web is not None
        victim = self.web if what == "web" else random.Random(SEED).choice(self.workers)
        if signum == TERM:
            os.kill(victim.pid, signum)  # its main process stops gracefully
        elif what == "web" and self.run.dispatch != "inline":
            victim.signal_group(signum)  # a web process that sends nothing: at any moment
        else:  # a sender: while its request is held at the vendor
            targets = victim.group() - ({victim.pid} if what == "pool" else set())
            self.killed.clear()
            self.kill_targets = targets
            deadline = time.monotonic() + 120
            while not self.killed.wait(3):  # its senders have nothing to send: give them work
                if time.monotonic() > deadline:
                    pytest.fail(f"no request of {what} reached the vendor to kill it mid-send")
                self.make_call((f"x{len(self.extra)}", "event", False))
            if what == "pool":  # Celery's main process replaces its pool process
                self.kills_done.append(f"{what}:{signum}")
                return
            victim.signal_group(signal.SIGKILL)
        assert victim.process is not None
        self.running.clear()
        victim.process.wait(120)
        victim.signal_group(signal.SIGKILL)
        self.kills_done.append(f"{what}:{signum}")
        if victim is self.web:
            self.start_web()
        else:
            self.start_worker(self.workers.index(victim))
        self.running.set()

    def stop(self) -> None:
        for service in [self.web, *self.workers]:
            if service is not None:
                service.stop()
        if self.vendor is not None:
            self.vendor.close()


def plan() -> list[tuple[str, str, bool]]:
    draw = random.Random(SEED)
    calls = [(str(n), KINDS[n % len(KINDS)], draw.random() < ROLLBACK_SHARE) for n in range(CALLS)]
    draw.shuffle(calls)
    return calls


def drive(chaos: Chaos, calls: list[tuple[str, str, bool]]) -> None:
    """Makes every call through the web process, CLIENTS at a time, at a steady pace; a call
    whose answer was lost (the web process was killed) is made again until it is known to
    have committed, rolled back, or been committed by the earlier try."""
    work: Queue[tuple[str, str, bool]] = Queue()
    for call in calls:
        work.put(call)
    kill_at = sorted(random.Random(SEED + 1).sample(range(40, CALLS - 40), len(chaos.run.kills)))
    kills = list(chaos.run.kills)

    def client() -> None:
        with httpx.Client(timeout=60) as http:
            while True:
                chaos.running.wait(300)
                try:
                    n, kind, rollback = work.get_nowait()
                except Empty:
                    return
                while True:
                    try:
                        answer = http.post(
                            f"http://127.0.0.1:{chaos.port}/call",
                            data={"n": n, "kind": kind, "rollback": "1" if rollback else "0"},
                        )
                        if answer.status_code == 200:
                            chaos.results[n] = answer.json()["result"]
                            break
                    except httpx.HTTPError:
                        pass
                    time.sleep(0.2)  # the web process is down: it is being restarted
                time.sleep(random.Random(f"{SEED}:{n}").uniform(0.05, 0.35))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    while kills:
        wait(lambda: len(chaos.results) >= kill_at[0], timeout=600)
        chaos.kill(*kills.pop(0))
        kill_at.pop(0)
    for thread in threads:
        thread.join(600)


def start(run: Run, tmp: Path, stack: Any) -> Chaos:
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.server.chaos_settings",
        "ANALYTIX_CHAOS_DISPATCH": run.dispatch,
        "ANALYTIX_CHAOS_DB": str(tmp / "chaos.sqlite3"),
        "ANALYTIX_TEST_VISIBILITY": "5",
    }
    if run.database == "postgresql":
        server = stack.enter_context(processes.postgres_server())
        processes.create_database(server, "chaos")
        env["ANALYTIX_CHAOS_PG_PORT"] = server["PORT"]
    if run.dispatch == "celery":
        env["ANALYTIX_TEST_BROKER"] = stack.enter_context(processes.redis_server())
    chaos = Chaos(run, tmp, env, port=processes.free_port())
    chaos.running.set()
    chaos.vendor = ChaosVendor(SEED, chaos.want_hold, chaos.on_hold)
    env["ANALYTIX_CHAOS_VENDOR"] = chaos.vendor.url
    chaos.manage("migrate", "--verbosity", "0")
    chaos.start_web()
    for index in range(run.workers):
        chaos.start_worker(index)
    return chaos
