"""Real parts for the server tests, started by the tests themselves and always stopped:
processes in their own process group, redis-server and a PostgreSQL server in temp dirs on
free ports, and which process holds a given TCP connection (to kill exactly the process
that is mid-send)."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes] | None, what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start on port {port}") from None
            time.sleep(0.05)


def require(binary: str, package: str) -> str:
    """A Debian binary the test needs: fails under CI when missing, else skips."""
    found = shutil.which(binary)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{binary} is missing; scripts/setup.sh must apt-get install {package}")
        pytest.skip(f"{binary} not installed (apt-get install {package})")
    return found


@dataclass
class Service:
    """A process in its own process group, its output in a log file."""

    name: str
    command: Sequence[str]
    env: Mapping[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Service:
        with self.log.open("ab") as out:
            out.write(f"\n=== start {self.name}\n".encode())
            out.flush()
            self.process = subprocess.Popen(
                list(self.command),
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT), **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def group(self) -> set[int]:
        """The pids of its process group (a Celery worker's pool children included)."""
        pids = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == self.pid:
                        pids.add(int(entry.name))
                except OSError:
                    continue
        return pids

    def signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.pid, signum)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM, then SIGKILL for the whole group; waits for it."""
        if self.process is None:
            return
        self.signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.process.wait(timeout)
        self.signal_group(signal.SIGKILL)  # a pool child the main process left behind

    def tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def pid_of_connection(client_port: int) -> int | None:
    """The process that holds the local end of a loopback TCP connection from this port."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == client_port and fields[9] != "0":
                inode = fields[9]
                break
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) == target:
                    return int(entry.name)
        except OSError:
            continue
    return None


@contextmanager
def redis_server() -> Iterator[str]:
    binary = require("redis-server", "redis-server")
    port = free_port()
    directory = tempfile.mkdtemp(prefix="analytix-redis-")
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--dir", directory]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, server, "redis-server")  # type: ignore[arg-type]
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(20)
        shutil.rmtree(directory, ignore_errors=True)


def postgres_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        require("initdb-missing", "postgresql")  # fails under CI, else skips
    return versions[-1].parent


@contextmanager
def postgres_server() -> Iterator[dict[str, str]]:
    """A PostgreSQL server of its own: initdb in a temp dir (as the `postgres` user when run
    as root, which PostgreSQL refuses to run as), on a free port; stopped and removed after."""
    bin_dir = postgres_bin()
    directory = Path(tempfile.mkdtemp(prefix="analytix-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(directory, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = directory / "data", free_port()
    run = [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run(
            [*as_user, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
            check=True,
            capture_output=True,
        )
        options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [*run, "-o", options, "-l", str(directory / "log"), "-w", "start"],
            check=True,
            capture_output=True,
        )
        yield {"HOST": "127.0.0.1", "PORT": str(port), "USER": "postgres"}
    finally:
        subprocess.run([*run, "-m", "immediate", "stop"], capture_output=True, check=False)
        shutil.rmtree(directory, ignore_errors=True)


def create_database(server: Mapping[str, str], name: str) -> None:
    import psycopg

    with psycopg.connect(
        host=server["HOST"], port=int(server["PORT"]), user=server["USER"], dbname="postgres",
        autocommit=True,
    ) as connection:  # fmt: skip
        connection.execute(f'CREATE DATABASE "{name}"')
