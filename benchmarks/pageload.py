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
import subprocess
import sys
from pathlib import Path
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
    deferPhase: nav.domContentLoadedEventStart - nav.domInteractive,
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


def _cached_static(app: Any) -> Any:
    """Static files with a day's Cache-Control, as a production site serves hashed files, so a
    warm visit reads them from the browser cache instead of asking the server again."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        def start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            if environ.get("PATH_INFO", "").startswith("/static/"):
                headers = [*headers, ("Cache-Control", "public, max-age=86400")]
            return start_response(status, headers, *exc)

        return app(environ, start)

    return wrapped


def serve_forever() -> None:
    """The benchmark site (pages and static files) on a free local port; prints the port.
    Runs in its own process, so the server never competes with the browser driver for the GIL."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1",
        0,
        _cached_static(StaticFilesHandler(get_wsgi_application())),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    print(server.server_port, flush=True)
    server.serve_forever()


def start_server() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.pageload", "--serve"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert process.stdout is not None
    port = int(process.stdout.readline())
    return process, f"http://127.0.0.1:{port}"


async def measure(
    runs: int, delay: float, base: str, warm: bool
) -> dict[str, list[dict[str, float]]]:
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
        # warm: one context per variant for all its runs (HTTP cache and connections kept,
        # as on a visitor's second page); cold: a fresh context per run.
        kept = {v: await browser.new_context() for v in VARIANTS} if warm else {}
        for run in range(runs + 1):  # run 0 warms the server and Chromium: not counted
            order = VARIANTS if run % 2 else tuple(reversed(VARIANTS))
            for variant in order:
                context = kept.get(variant) or await browser.new_context()
                page = await context.new_page()
                await page.add_init_script(OBSERVE_LONG_TASKS)
                await page.route(off_site, route)
                cdp = await context.new_cdp_session(page)
                await cdp.send("Performance.enable")
                await page.goto(f"{base}/page/{variant}/", wait_until="load")
                await page.wait_for_timeout(100)  # let late long-task entries arrive
                timings = await page.evaluate(READ_TIMINGS)
                # Main-thread time spent running JavaScript on this page (Chromium's count).
                metrics = (await cdp.send("Performance.getMetrics"))["metrics"]
                timings["scriptMs"] = 1000 * next(
                    m["value"] for m in metrics if m["name"] == "ScriptDuration"
                )
                await (page.close() if warm else context.close())
                if run:
                    results[variant].append(timings)
        for context in kept.values():
            await context.close()
        await browser.close()
    return results


def report(results: dict[str, list[dict[str, float]]], delay: float, warm: bool) -> None:
    def med(variant: str, key: str) -> float:
        return statistics.median(r[key] for r in results[variant])

    def paired(variant: str, key: str) -> str:
        """Median and quartiles of variant/plain, run by run (each pair loaded back to back)."""
        ratios = [a[key] / b[key] for a, b in zip(results[variant], results["plain"], strict=True)]
        low, mid, high = statistics.quantiles(ratios, n=4)
        return f"{mid:.2f} [{low:.2f}-{high:.2f}]"

    runs = len(results["plain"])
    print(
        f"== Page load in headless Chromium, median of {runs} alternating "
        f"{'warm (cached)' if warm else 'cold'} runs; vendors answer after {delay:.1f} s"
    )
    print(
        f"{'page':<11}{'DCL':>7}{'DCL-TTFB':>10}{'defer':>7}{'load':>8}{'JS ms':>7}"
        f"{'long tasks':>12}{'vendors':>9}{'DCL ratio':>20}{'DCL-TTFB ratio':>20}{'load ratio':>12}"
    )
    for variant in VARIANTS:
        print(
            f"{variant:<11}{med(variant, 'dcl'):>7.1f}"
            f"{med(variant, 'dclAfterBytes'):>10.1f}{med(variant, 'deferPhase'):>7.1f}"
            f"{med(variant, 'load'):>8.1f}{med(variant, 'scriptMs'):>7.1f}"
            f"{med(variant, 'longTasks'):>7.0f} /{med(variant, 'longTaskMs'):>3.0f}"
            f"{med(variant, 'vendorsRan'):>9.0f}"
            f"{paired(variant, 'dcl'):>20}{paired(variant, 'dclAfterBytes'):>20}"
            f"{med(variant, 'load') / med('plain', 'load'):>12.2f}"
        )
    print(
        "ms from navigation start: DCL = domContentLoadedEventEnd; DCL-TTFB = the same less "
        "responseStart (the browser's own share); defer = domContentLoadedEventStart less "
        "domInteractive (running the deferred scripts); load = loadEventEnd; JS ms = Chromium's "
        "ScriptDuration (main-thread time running JS, all scripts); long tasks = count / total "
        "ms. Ratios: against the plain page loaded next to it, median [quartiles] over the "
        "runs: within noise when the quartiles straddle 1."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Page load A/B with and without the tag")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--vendor-delay", type=float, default=1.0)
    parser.add_argument("--warm", action="store_true", help="cached repeat visits")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    setup()
    if args.serve:
        serve_forever()
        return 0
    if not os.path.exists(CHROMIUM):
        print(f"Chromium not found at {CHROMIUM} (set ANALYTIX_CHROMIUM)", file=sys.stderr)
        return 2
    server, base = start_server()
    try:
        results = asyncio.run(measure(args.runs, args.vendor_delay, base, args.warm))
    finally:
        server.terminate()
        server.wait()
    report(results, args.vendor_delay, args.warm)
    return 0


if __name__ == "__main__":
    sys.exit(main())
