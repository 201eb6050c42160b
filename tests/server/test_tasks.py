"""DISPATCH = "tasks": Django's Tasks framework (django.tasks on Django 6, the django-tasks
backport on 5.2). In-process with its dummy and immediate backends, then django-tasks-db's
real `db_worker`, killed mid-send and replaced, on the test database (a file)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from analytix_frontend.server import record_kissmetrics_event, sweeper
from analytix_frontend.server import tasks as tasks_mode
from analytix_frontend.server.models import ServerCall
from tests.server.conftest import TOKEN, Clock, records, set_server, states, wait_until
from tests.server.fake_vendor import HOLD, FakeVendor

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK = "django.tasks" if find_spec("django.tasks") else "django_tasks"


def use_backend(settings: Any, backend: str) -> None:
    settings.TASKS = {"default": {"BACKEND": backend}}
    set_server(settings, DISPATCH="tasks")


def run_queued(backend: Any, clock: Clock) -> None:
    """What a worker does with the dummy backend's queue: each task once, in order, when
    due (the clock moves to its run_after)."""
    while backend.results:
        result = backend.results.pop(0)
        if result.task.run_after is not None:
            clock.offset = max(clock.offset, result.task.run_after - timezone.now())
        context = tasks_mode.TaskContext(task_result=result)
        result.task.call(context, *result.args)


@pytest.fixture
def dummy(server_settings: Any) -> Any:
    use_backend(server_settings, f"{FRAMEWORK}.backends.dummy.DummyBackend")
    backend = tasks_mode.task_backends["default"]
    backend.clear()
    return backend


def test_one_task_per_call_with_the_call_id_only(dummy: Any, vendor: FakeVendor) -> None:
    with transaction.atomic():
        record_kissmetrics_event("ada", "Paid")
        assert dummy.results == []  # a non-database backend: enqueued once committed
    [queued] = dummy.results
    assert queued.task.module_path == "analytix_frontend.server.tasks.send_call"
    assert queued.args == [str(records()[0].pk)]
    assert TOKEN not in str(queued.args)


def test_a_rolled_back_call_enqueues_nothing(dummy: Any, vendor: FakeVendor) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        record_kissmetrics_event("ada", "Paid")
        raise RuntimeError
    assert dummy.results == [] and records() == []


def test_a_transient_failure_enqueues_the_task_again_after_the_back_off(
    dummy: Any, vendor: FakeVendor, clock: Clock, settings: Any
) -> None:
    set_server(settings, BACKOFF=4.0)
    vendor.answer(503, 503)
    record_kissmetrics_event("ada", "Paid")
    started = timezone.now()
    [first] = dummy.results
    assert first.task.run_after is None
    run_queued_once = dummy.results.pop(0)
    run_queued_once.task.call(tasks_mode.TaskContext(task_result=run_queued_once), first.args[0])
    [retry] = dummy.results
    delay = retry.task.run_after - started
    assert timedelta(seconds=2) <= delay <= timedelta(seconds=5)  # 4 s, jitter in [half, full]
    run_queued(dummy, clock)
    assert len(vendor.received) == 3 and states() == ["sent"]


def test_a_backend_that_cannot_defer_waits_in_the_task(
    server_settings: Any, vendor: FakeVendor, waits: list[float]
) -> None:
    use_backend(server_settings, f"{FRAMEWORK}.backends.immediate.ImmediateBackend")
    vendor.answer(503, 503)
    record_kissmetrics_event("ada", "Paid")  # runs at once, after the commit
    assert len(vendor.received) == 3 and states() == ["sent"]
    assert len(waits) == 2


def test_an_unknown_backend_alias_leaves_the_call_pending(
    dummy: Any, vendor: FakeVendor, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    set_server(settings, TASKS_BACKEND="missing")
    record_kissmetrics_event("ada", "Paid")
    assert states() == ["pending"]
    assert "could not be queued (dispatcher 'tasks'" in caplog.text


# The real worker: django-tasks-db's db_worker in its own process.


@pytest.fixture
def database_backend(server_settings: Any) -> Any:
    use_backend(server_settings, "django_tasks_db.DatabaseBackend")
    return server_settings


def test_a_sweep_queues_no_second_task_for_a_call_whose_task_still_waits(
    database_backend: Any, vendor: FakeVendor, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """No db_worker running: the call waits, and each sweep (every LEASE) finds it due again;
    its READY task still stands for it, so no second one is queued."""
    from django_tasks_db.models import DBTaskResult

    caplog.set_level(logging.INFO, logger="analytix_frontend.server")
    record_kissmetrics_event("ada", "Paid")
    assert DBTaskResult.objects.count() == 1
    for _ in range(3):
        clock.advance(10_000)  # long past its LEASE: the sweep finds it due again
        assert sweeper.sweep_once() == 0
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["READY"]
    assert "is `manage.py db_worker` running for TASKS_BACKEND 'default'" in caplog.text
    DBTaskResult.objects.update(status="FAILED")  # the task was lost: queue it again
    clock.advance(10_000)
    assert sweeper.sweep_once() == 1
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert states() == ["pending"]


def start_worker(vendor: FakeVendor, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.server.worker_settings",
        "ANALYTIX_TEST_DISPATCH": "tasks",
        "ANALYTIX_TEST_DB": connection.settings_dict["NAME"],
        "ANALYTIX_TEST_TOKEN": TOKEN,
        "ANALYTIX_TEST_VENDOR_URL": vendor.url,
        "ANALYTIX_TEST_TIMEOUT": "30",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "django", "db_worker", "--interval", "0.05"]
    command += ["--no-startup-delay", "--no-reload", "--verbosity", "2"]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(20)


def test_a_real_worker_sends_in_the_callers_transaction_and_recovers_a_killed_task(
    database_backend: Any,
    vendor: FakeVendor,
    workers: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    from django_tasks_db.models import DBTaskResult

    log = tmp_path / "worker.log"
    with transaction.atomic():
        User.objects.create(username="ada")
        record_kissmetrics_event("ada", "Paid")
        # The task's row is written in the caller's transaction, next to the record.
        [task_row] = DBTaskResult.objects.all()
    vendor.answer(HOLD)  # the first attempt hangs: the worker is mid-send
    workers.append(start_worker(vendor, log))
    vendor.wait_for(1, timeout=60)
    assert states() == ["sending"]
    workers[0].send_signal(signal.SIGKILL)
    workers[0].wait(20)
    task_row.refresh_from_db()
    assert task_row.status == "RUNNING"  # django-tasks #46: left RUNNING for ever
    # The killed worker's claim runs out (the worker's clock is real: move its end instead).
    ServerCall.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    assert sweeper.sweep_once() == 1  # e.g. from a web process: the call goes back in line
    task_row.refresh_from_db()
    assert task_row.status == "FAILED"
    assert task_row.exception_class_path == "analytix_frontend.server.tasks.WorkerLost"
    workers.append(start_worker(vendor, log))
    wait_until(lambda: states() == ["sent"], timeout=60)
    first, second = vendor.received
    assert first.query == second.query  # the same _t: Kissmetrics keeps one
    record = ServerCall.objects.get()
    assert (record.attempts, record.maybe_sent_twice) == (2, 0)
    assert "interrupted" in record.problem or record.problem == ""
    assert TOKEN not in log.read_text(errors="replace")
