from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from importlib.util import find_spec
from typing import Any

import pytest

from analytix_frontend.testing.browser import SCRIPT_HOSTS

# Playwright's sync API leaves an event loop running in this thread; pytest-django's database
# set-up would then refuse to run (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# tests/test_debug_toolbar.py needs django-debug-toolbar 8 (the [debug-toolbar] extra, Django
# 5.2+), which scripts/setup.sh installs for the main run; the nox sessions install [test] only.
collect_ignore = [] if find_spec("debug_toolbar") else ["test_debug_toolbar.py"]

# The package's own opt-in plugin (recording vendor fakes), as a project would enable it.
pytest_plugins = ["analytix_frontend.testing.pytest_plugin"]


@pytest.fixture(autouse=True)
def _no_server_sweep_outlives_a_test() -> Iterator[None]:
    """A test whose settings have ANALYTICS_CONFIG["SERVER"] starts the background sweep for
    server calls left behind (analytix_frontend.server.sweeper): stop it with the test."""
    yield
    from analytix_frontend.server import sweeper

    sweeper.stop()


@pytest.fixture(scope="session")
def live_server(django_db_setup: None, live_server: Any) -> Any:
    """pytest-django's live server, started only once the test database exists. Started
    before it (a browser test run alone, or first), the server would see the ":memory:" name
    of DATABASES, and share this thread's connection with its own thread; the test database
    then opens on that shared connection, and the two threads close it under each other
    ("Cannot operate on a closed database", "database is locked", a segfault at teardown)."""
    return live_server


CHROMIUM = os.environ.get("ANALYTIX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Each vendor host we load from (the package's table for its recording fakes), and a tiny fake
# of its script that records that it ran.
VENDOR_HOSTS = SCRIPT_HOSTS


def fake_vendor_script(host: str) -> str:
    return f"(window.__fakeVendorsRan = window.__fakeVendorsRan || []).push({host!r});"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(
                f"Chromium is missing at {CHROMIUM}; CI must install it (apt-get install chromium)"
            )
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@dataclass
class BrowserPage:
    """A Chromium page whose off-site requests are recorded and faked, blocked or held."""

    page: Any
    base_url: str
    console: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    vendor_requests: list[str] = field(default_factory=list)

    def goto(self, path: str, wait_until: str = "load") -> Any:
        return self.page.goto(self.base_url + path, wait_until=wait_until)

    def console_lines(self) -> list[str]:
        """Console text, less Chromium's own lines for requests our routes aborted."""
        return [
            m.text
            for m in self.console
            if not m.text.startswith("Failed to load resource")
            # the page's summary table (debug and above) is read on its own
            and m.type not in ("startGroup", "startGroupCollapsed", "endGroup", "table")
        ]

    def requested_hosts(self) -> set[str]:
        return {re.sub(r"^https?://([^/]+)/.*$", r"\1", url) for url in self.vendor_requests}


@pytest.fixture
def open_page(browser: Any, live_server: Any) -> Iterator[Callable[..., BrowserPage]]:
    contexts: list[Any] = []

    def make(vendors: str = "fake", block_hosts: Collection[str] = ()) -> BrowserPage:
        """vendors: "fake" answers with a fake script, "block" aborts, "hang" never answers.

        block_hosts: hosts aborted whatever `vendors` says (one blocked vendor among fakes).
        """
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        result = BrowserPage(page=page, base_url=live_server.url)
        page.on("console", lambda message: result.console.append(message))
        page.on("pageerror", lambda error: result.errors.append(str(error)))

        def route(route: Any) -> None:
            url = route.request.url
            if url.startswith(live_server.url):
                route.continue_()
                return
            result.vendor_requests.append(url)
            host = re.sub(r"^https?://([^/]+)/.*$", r"\1", url)
            if host in block_hosts:
                route.abort()
            elif vendors == "fake" and host in VENDOR_HOSTS:
                route.fulfill(
                    status=200,
                    content_type="application/javascript",
                    body=fake_vendor_script(host),
                )
            elif vendors == "hang":
                return  # never answered: a vendor host that does not respond
            else:
                route.abort()

        page.route("**/*", route)
        return result

    yield make
    for context in contexts:
        context.close()
