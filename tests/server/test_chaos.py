"""Chaos: 300 calls of every kind through a real web process and real workers, against a
vendor that fails at random, with processes killed (SIGKILL) and stopped (SIGTERM) mid-run
and restarted; for "inline", "tasks" on SQLite and on PostgreSQL, and "celery" on redis.

Per run: no committed call lost, no rolled-back call sent, nothing held twice by a vendor
except form submissions whose answer was lost, and those exactly as many as the package's
own "maybe sent twice" count (the records, and `manage.py analytix_calls`), and no call
dropped to a replay line. Reproducible: ANALYTIX_CHAOS_SEED=<the printed seed>.

A SIGKILL lands while the victim's one sending thread has a request held (and stored) at the
vendor, so whether the vendor holds that attempt is known; a kill between a claim and its
request can only make the package count one "maybe sent twice" more than the vendor holds
(tests/server/test_delivery.py shows that such an attempt is counted).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.chaos_harness import KILL, KINDS, SEED, TERM, Chaos, Run, drive, plan, start
from tests.server.chaos_vendor import FORM, wait

pytestmark = pytest.mark.chaos

DRAIN = 180.0  # seconds the senders get, after the last call, to finish every call


RUNS = {
    "inline": Run("inline", "sqlite", 0, (("web", KILL), ("web", TERM), ("web", KILL))),
    "tasks-sqlite": Run(
        "tasks", "sqlite", 1, (("worker", KILL), ("web", KILL), ("worker", TERM), ("worker", KILL))
    ),
    "tasks-postgresql": Run(
        "tasks",
        "postgresql",
        2,
        (("worker", KILL), ("worker", TERM), ("web", KILL), ("worker", KILL)),
    ),
    "celery": Run(
        "celery", "sqlite", 1, (("pool", KILL), ("worker", TERM), ("web", KILL), ("worker", KILL))
    ),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_chaos(name: str, tmp_path: Path) -> None:
    run = RUNS[name]
    print(f"\nchaos {name}: seed {SEED} (ANALYTIX_CHAOS_SEED={SEED} to run it again)")
    started = time.monotonic()
    calls = plan()
    with ExitStack() as stack:
        chaos = start(run, tmp_path, stack)
        stack.callback(chaos.stop)
        try:
            drive(chaos, calls)
            driven = time.monotonic()
            committed = {n for n, result in chaos.results.items() if result != "rolled back"}
            finished = wait(lambda: _drained(chaos, committed), timeout=DRAIN, step=0.5)
            print(f"chaos {name}: calls made in {driven - started:.0f} s, all sent "
                  f"{time.monotonic() - driven:.0f} s later")  # fmt: skip
            state = chaos.state()
            assert finished, f"calls not finished after {DRAIN:g} s: {_open(state)}"
            report = chaos.manage("analytix_calls", "--json")
            dropped = _replay_lines(chaos)
            if run.database == "postgresql":
                _without_the_table(chaos, dropped)
        except BaseException:
            _print_logs(chaos)
            raise
    calls += chaos.extra
    _verdict(name, chaos, calls, state, json.loads(report), time.monotonic() - started)
    assert dropped == [], f"calls dropped to replay lines: {dropped[:3]}"


def _replay_lines(chaos: Chaos) -> list[str]:
    return [
        line
        for service in [chaos.web, *chaos.workers]
        if service is not None
        for line in service.log.read_text(errors="replace").splitlines()
        if "Replay: " in line
    ]


def _without_the_table(chaos: Chaos, dropped: list[str]) -> None:
    """PostgreSQL aborts a transaction at a failed statement: a call that cannot be stored
    (no migrate) must still leave the caller's transaction whole, and be logged."""
    answer = httpx.get(f"http://127.0.0.1:{chaos.port}/without-the-table", timeout=60)
    assert answer.status_code == 200 and answer.json() == {"committed": 2}
    [line] = _replay_lines(chaos)[len(dropped) :]
    assert "Kissmetrics event not sent: the table analytix_frontend_not_migrated" in line


def _open(state: dict[str, Any]) -> list[Any]:
    return [c for c in state["calls"] if c["state"] in ("pending", "sending")]


def _drained(chaos: Chaos, committed: set[str]) -> bool:
    try:
        state = chaos.state()
    except httpx.HTTPError:
        return False
    return not _open(state) and committed <= set(state["users"])


def _print_logs(chaos: Chaos) -> None:
    for service in [chaos.web, *chaos.workers]:
        if service is not None:
            print(f"--- {service.name} log (last lines)\n{service.tail()}")


def _verdict(
    name: str,
    chaos: Chaos,
    calls: list[tuple[str, str, bool]],
    state: dict[str, Any],
    report: dict[str, Any],
    seconds: float,
) -> None:
    vendor = chaos.vendor
    assert vendor is not None
    kinds = {n: kind for n, kind, _ in calls}
    rolled_back = {n for n, _, rollback in calls if rollback}
    committed = set(state["users"])
    records = {call["marker"]: call for call in state["calls"]}
    assert len(records) == len(state["calls"]), "two records for one call"
    assert not committed & rolled_back, "a rolled-back transaction committed"
    assert set(records) == committed, "a record without its business row, or the reverse"
    lost = sorted(n for n in committed if vendor.held(n) == 0)
    rolled_back_sent = sorted(n for n in rolled_back if vendor.received[n])
    twice = {n: vendor.held(n) - 1 for n in committed if vendor.held(n) > 1}
    forms_twice = {n: k for n, k in twice.items() if kinds[n] == "form"}
    others_twice = {n: k for n, k in twice.items() if kinds[n] != "form"}
    counted = {n: c["maybe_sent_twice"] for n, c in records.items() if c["maybe_sent_twice"]}
    not_sent = sorted(n for n, call in records.items() if call["state"] != "sent")
    print(
        f"chaos {name}: {len(calls)} calls ({len(committed)} committed, {len(rolled_back)} "
        f"rolled back), {sum(vendor.received.values())} requests {dict(vendor.modes)}, kills "
        f"{chaos.kills_done}; lost {len(lost)}, rolled back and sent {len(rolled_back_sent)}, "
        f"held twice {sum(forms_twice.values())} forms / {sum(others_twice.values())} others, "
        f"maybe sent twice (package) {sum(counted.values())}; {seconds:.0f} s"
    )
    assert Counter(kinds[n] for n in committed).keys() == {*KINDS}
    assert len(chaos.kills_done) == len(chaos.run.kills)
    assert lost == [], f"committed calls the vendor never got: {lost}"
    assert rolled_back_sent == [], f"rolled-back calls sent: {rolled_back_sent}"
    assert others_twice == {}, f"held twice although the vendor deduplicates: {others_twice}"
    assert forms_twice == counted, "forms held twice != the package's 'maybe sent twice'"
    assert sum(report["maybe_sent_twice"].values()) == sum(forms_twice.values())
    assert not_sent == [], f"calls not sent: {not_sent}"
    assert FORM in vendor.kinds.values()
