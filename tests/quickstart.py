"""Runs docs/quickstart.md as written: its shell lines, files and settings, in a new directory
with the built wheel's virtualenv, and compares what it shows (command output, the browser
console in Chromium) with what the page quotes.

The page marks each block with an HTML comment (invisible when rendered):
`<!-- quickstart: install -->` (not run: the wheel's virtualenv stands in for it),
`shell` (each line run by bash; a `runserver` line starts the server for the next `console`
block), `append FILE` / `create FILE`, `output` (the last command's output holds each line),
`console` / `console after interaction` (the console of the page at `/` holds each line).
In quoted lines, `…` stands for any text.

tests/test_wheel.py calls `run_quickstart` with its session virtualenv, so the slow build
happens once.
"""

from __future__ import annotations

import fnmatch
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import VENDOR_HOSTS, fake_vendor_script

QUICKSTART = Path(__file__).resolve().parent.parent / "docs" / "quickstart.md"
BLOCK = re.compile(
    r"<!-- quickstart: (?P<kind>[a-z]+)(?: (?P<arg>[^>]*?))? -->\n```[a-z]*\n(?P<body>.*?)```",
    re.S,
)
COMMENT = re.compile(r"\s+#.*$")
# Every service settled: none starting or loading, none waiting for a trigger that fires by
# itself (idle); "interaction" waits for the click the page asks for.
SETTLED = """(interacted) => window.analytix && window.analytix.services &&
  Object.values(window.analytix.services).every((s) =>
    !["starting", "loading"].includes(s.state) &&
    !(s.state === "scheduled" && (interacted || s.load !== "interaction")))"""


@dataclass
class Step:
    kind: str
    arg: str
    body: str


def steps(text: str | None = None) -> list[Step]:
    text = QUICKSTART.read_text(encoding="utf-8") if text is None else text
    return [Step(m["kind"], m["arg"] or "", m["body"]) for m in BLOCK.finditer(text)]


def holds(actual: list[str], expected: str) -> bool:
    """One actual line holds the expected one (`…` any text, leading spaces ignored)."""
    parts = [re.escape(part) for part in expected.strip().split("…")]
    pattern = re.compile(".*".join(parts))
    return any(pattern.fullmatch(line.strip()) for line in actual)


def _expected(step: Step) -> list[str]:
    return [line for line in step.body.splitlines() if line.strip() and line.strip() != "…"]


def console_text(message: Any) -> str:
    """A console message as DevTools shows it: a group header without its %c styles."""
    text = str(message.text)
    if message.type in ("startGroup", "startGroupCollapsed"):
        return text.replace("%c", "").split(" color:")[0]
    return text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(command: str, cwd: Path, env: dict[str, str]) -> Iterator[str]:
    """The page's runserver line, on a free port, until the block ends."""
    port = _free_port()
    log = cwd / f"runserver-{port}.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            ["bash", "-c", f"{command} --noreload 127.0.0.1:{port}"],
            cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):
            assert server.poll() is None, f"{command} exited:\n{log.read_text()}"
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        else:
            raise AssertionError(f"{command} never answered:\n{log.read_text()}")
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # bash and the server it started
        server.wait(timeout=20)


class Browser:
    """One Chromium page at the server's `/`, vendor hosts answered by fakes."""

    def __init__(self, browser: Any, url: str) -> None:
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.console.append(console_text(m)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def route(route: Any) -> None:
            host = re.sub(r"^https?://([^/]+)/.*$", r"\1", route.request.url)
            if route.request.url.startswith(url):
                route.continue_()
            elif host in VENDOR_HOSTS:
                body = fake_vendor_script(host)
                route.fulfill(status=200, content_type="application/javascript", body=body)
            else:
                route.abort()

        self.page.route("**/*", route)
        self.page.goto(url, wait_until="load")
        self.page.wait_for_function(SETTLED, arg=False)

    def interact(self) -> None:
        self.page.mouse.click(5, 5)
        self.page.wait_for_function(SETTLED, arg=True)


def run_quickstart(
    directory: Path, python: Path, wheel: Path, browser: Any, env: dict[str, str]
) -> None:
    """Each step of the page, in order, in `directory`, with `python`'s virtualenv (where
    `wheel` is installed) first on PATH, as after `. .venv/bin/activate`."""
    env = {
        **env,
        "PATH": f"{python.parent}{os.pathsep}{env.get('PATH', '')}",
        "VIRTUAL_ENV": str(python.parent.parent),
    }
    output = ""
    server: str | None = None
    page: Browser | None = None
    running = ExitStack()  # the current server and its browser page
    try:
        for step in steps():
            if step.kind == "install":  # not run; the wheel it names is the one installed
                for name in re.findall(r"\S+\.whl", step.body):
                    assert fnmatch.fnmatch(wheel.name, Path(name).name), (name, wheel.name)
            elif step.kind == "shell":
                for line in filter(
                    None, (COMMENT.sub("", x).strip() for x in step.body.split("\n"))
                ):
                    if "runserver" in line:
                        running.close()
                        server, page = line, None
                        continue
                    result = subprocess.run(
                        ["bash", "-c", line], cwd=directory, env=env,
                        capture_output=True, text=True, timeout=300,
                    )  # fmt: skip
                    assert result.returncode == 0, f"{line}:\n{result.stdout}\n{result.stderr}"
                    output = result.stdout + result.stderr
            elif step.kind in ("append", "create"):
                path = directory / step.arg
                with open(path, "a" if step.kind == "append" else "x", encoding="utf-8") as f:
                    f.write(("\n" if step.kind == "append" else "") + step.body)
            elif step.kind == "output":
                lines = output.splitlines()
                for expected in _expected(step):
                    assert holds(lines, expected), f"{expected!r} not in the output:\n{output}"
            elif step.kind == "console":
                if page is None:
                    assert server is not None, "a console block before any runserver line"
                    url = running.enter_context(_server(server, directory, env))
                    page = Browser(browser, url)
                    running.callback(page.context.close)
                if step.arg == "after interaction":
                    page.interact()
                for expected in _expected(step):
                    assert holds(page.console, expected), (
                        f"{expected!r} not in the console:\n" + "\n".join(page.console)
                    )
                assert page.errors == []
            else:
                raise AssertionError(f"unknown quickstart block {step.kind!r}")
    finally:
        running.close()
