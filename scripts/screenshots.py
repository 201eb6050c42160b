"""Retakes the documentation's screenshots from the demo, so they show what the code does now.

    .venv/bin/python scripts/screenshots.py      # after `bash scripts/setup.sh`

Starts the demo (demo/, its own settings) on a free port, opens it in headless Chromium
(Debian's /usr/bin/chromium) and writes:

- docs/images/demo-signup.png: the signup page with every service loaded (README);
- docs/images/debug-toolbar-panel.png: the analytix panel of the debug toolbar on the
  prelogin page (docs/testing.md).

A tool for people, not a test: tests/test_demo.py checks the same pages.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
CHROMIUM = os.environ.get("ANALYTIX_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


@contextmanager
def demo_server() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT / "demo",
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if server.poll() is not None:
                raise SystemExit("the demo server stopped; run `cd demo && manage.py check`")
            try:
                urllib.request.urlopen(url + "/", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> int:
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(parents=True, exist_ok=True)
    with demo_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        # The demo's service worker answers the vendor hosts; a first visit reloads itself.
        page.goto(url + "/area/signup/")
        page.wait_for_selector("body[data-fake-vendors-ready]", state="attached", timeout=30000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('#services tbody tr td:nth-child(2)')]"
            ".filter(c => c.textContent === 'loaded').length === 6",
            timeout=30000,
        )
        page.screenshot(path=IMAGES / "demo-signup.png", full_page=True)
        print("wrote", IMAGES / "demo-signup.png")

        page.goto(url + "/area/prelogin/")
        page.wait_for_selector("body[data-fake-vendors-ready]", state="attached", timeout=30000)
        page.click("#djShowToolBarButton")
        page.click("#djdt-AnalytixPanel")
        panel = page.locator("#AnalytixPanel")
        panel.locator(".djdt-scroll table").first.wait_for()
        panel.screenshot(path=IMAGES / "debug-toolbar-panel.png")
        print("wrote", IMAGES / "debug-toolbar-panel.png")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
