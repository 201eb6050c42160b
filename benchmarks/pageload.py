"""Page load A/B in headless Chromium: the benchmark page without and with the tag.

    python -m benchmarks.pageload [--runs 9] [--vendor-delay 1.0]

Serves benchmarks/ (Django, threaded WSGI) on 127.0.0.1 and opens /page/plain/ (no tag),
/page/analytix/ ({% analytics_scripts "signup" %}: six vendors) and /page/analytical/
(django-analytical's four), alternating the order run by run, each run in a fresh browser
context (cold cache). Every vendor request is answered by a local fake after
`--vendor-delay` seconds. Reports DOMContentLoaded, load, and main-thread long tasks
(PerformanceObserver "longtask"): medians, and each variant's ratio to the plain page.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from benchmarks.page import setup
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS  # the flags the browser tests use

VARIANTS = ("plain", "analytix", "analytical")
# Collects long tasks from the start of the page (buffered), before any page script runs.
OBSERVE_LONG_TASKS = """
window.__longTasks = [];
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { window.__longTasks.push(e.duration); });
  }).observe({ type: "longtask", buffered: true });
} catch (e) {}
"""
READ_TIMINGS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    dcl: nav.domContentLoadedEventEnd,
    dclAfterBytes: nav.domContentLoadedEventEnd - nav.responseStart,
    load: nav.loadEventEnd,
    longTasks: window.__longTasks.length,
    longTaskMs: window.__longTasks.reduce((a, b) => a + b, 0),
    vendorsRan: (window.__fakeVendorsRan || []).length,
  };
}"""


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve() -> tuple[Any, str]:
    """The benchmark site (pages and static files) on a free local port, in a thread."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1", 0, StaticFilesHandler(get_wsgi_application()),
        server_class=_ThreadingServer, handler_class=_QuietHandler,
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


async def measure(runs: int, delay: float, base: str) -> dict[str, list[dict[str, float]]]:
    from playwright.async_api import async_playwright

    # Only off-site requests are intercepted; the site's own are never held by the route.
    off_site = re.compile(r"^https?://(?!" + re.escape(base.split("://", 1)[1]) + "/)")

    async def route(route: Any) -> None:
        await asyncio.sleep(delay)  # a slow vendor: the page must not wait for it
        await route.fulfill(
            status=200,
            content_type="application/javascript",
            body="(window.__fakeVendorsRan = window.__fakeVendorsRan || []).push(1);",
        )

    results: dict[str, list[dict[str, float]]] = {v: [] for v in VARIANTS}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        for run in range(runs + 1):  # run 0 warms the server and Chromium: not counted
            order = VARIANTS if run % 2 else tuple(reversed(VARIANTS))
            for variant in order:
                context = await browser.new_context()
                page = await context.new_page()
                await page.add_init_script(OBSERVE_LONG_TASKS)
                await page.route(off_site, route)
                await page.goto(f"{base}/page/{variant}/", wait_until="load")
                await page.wait_for_timeout(100)  # let late long-task entries arrive
                timings = await page.evaluate(READ_TIMINGS)
                await context.close()
                if run:
                    results[variant].append(timings)
        await browser.close()
    return results


def report(results: dict[str, list[dict[str, float]]], delay: float) -> None:
    def med(variant: str, key: str) -> float:
        return statistics.median(r[key] for r in results[variant])

    runs = len(results["plain"])
    print(
        f"== Page load in headless Chromium, median of {runs} alternating cold runs; "
        f"vendors answer after {delay:.1f} s"
    )
    print(
        f"{'page':<11}{'DCL':>7}{'DCL min':>9}{'DCL-TTFB':>10}{'load':>8}{'long tasks':>12}"
        f"{'vendors':>9}{'DCL ratio':>11}{'DCL-TTFB ratio':>16}{'load ratio':>12}"
    )
    for variant in VARIANTS:
        print(
            f"{variant:<11}{med(variant, 'dcl'):>7.1f}"
            f"{min(r['dcl'] for r in results[variant]):>9.1f}"
            f"{med(variant, 'dclAfterBytes'):>10.1f}{med(variant, 'load'):>8.1f}"
            f"{med(variant, 'longTasks'):>7.0f} /{med(variant, 'longTaskMs'):>3.0f}"
            f"{med(variant, 'vendorsRan'):>9.0f}"
            f"{med(variant, 'dcl') / med('plain', 'dcl'):>11.3f}"
            f"{med(variant, 'dclAfterBytes') / med('plain', 'dclAfterBytes'):>16.3f}"
            f"{med(variant, 'load') / med('plain', 'load'):>12.3f}"
        )
    # Noise: the plain page against itself (its odd runs against its even runs).
    plain = results["plain"]
    halves = [
        statistics.median(r[key] for r in plain[0::2])
        / statistics.median(r[key] for r in plain[1::2])
        for key in ("dcl", "dclAfterBytes")
    ]
    print(
        "ms from navigation start: DCL = domContentLoadedEventEnd; DCL-TTFB = the same less "
        "responseStart (the browser's own share); load = loadEventEnd; long tasks = count / "
        f"total ms. Noise: the plain page's odd runs over its even runs: DCL {halves[0]:.3f}, "
        f"DCL-TTFB {halves[1]:.3f}."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Page load A/B with and without the tag")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--vendor-delay", type=float, default=1.0)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    setup()
    if not os.path.exists(CHROMIUM):
        print(f"Chromium not found at {CHROMIUM} (set ANALYTIX_CHROMIUM)", file=sys.stderr)
        return 2
    server, base = serve()
    try:
        results = asyncio.run(measure(args.runs, args.vendor_delay, base))
    finally:
        server.shutdown()
    report(results, args.vendor_delay)
    return 0


if __name__ == "__main__":
    sys.exit(main())
