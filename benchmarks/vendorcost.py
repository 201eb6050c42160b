"""What the vendors cost the page, in headless Chromium: `python -m benchmarks.vendorcost`.

    python -m benchmarks.vendorcost [--runs 5] [--idle-seconds 8]

The same realistic page (benchmarks/templates/bench/content.html) in four variants:

- none: no analytics;
- snippets: each vendor's official snippet pasted into <head> (what sites do today: the baseline);
- defaults: {% analytics_scripts "signup" %} at the package's defaults (all six vendors);
- fastest: the same tag with the package's fastest documented settings (FASTEST_CONFIG in
  benchmarks/settings.py).

Every vendor host is answered by a local fake (benchmarks/vendorfakes.py) that transfers the
vendor's size and burns main-thread time in proportion to HTTP Archive's third-party-web figures
(March 2026, Lighthouse on mobile, divided by ten for a desktop machine), in several tasks as
real libraries do, and drains its queue; HubSpot's loader inserts its banner, analytics,
collected-forms and chat scripts as the real one does. Two loads per variant and run, in fresh
browser contexts, variants alternating: one left alone for --idle-seconds (total blocking time,
bytes, the page views sent, DOMContentLoaded, LCP), one clicked 1 s after `load` (the click's
input delay, what was fetched before that first interaction, and the total blocking time of the
same --idle-seconds with that click). Medians with [min-max] over the runs; nothing here is a
test: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import re
import statistics
import sys
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from benchmarks.page import setup
from benchmarks.pageload import start_server
from benchmarks.vendorfakes import FAKES, fake_script
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS

VARIANTS = {
    "none": "/page/plain/",
    "snippets": "/page/snippets/",
    "defaults": "/page/analytix/",
    "fastest": "/page/analytix-fastest/",
}


OBSERVE = """
window.__perf = { longTasks: [], lcp: 0, firstInput: null };
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) {
      window.__perf.longTasks.push([e.startTime, e.duration]);
    });
  }).observe({ type: "longtask", buffered: true });
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { window.__perf.lcp = e.startTime; });
  }).observe({ type: "largest-contentful-paint", buffered: true });
  new PerformanceObserver(function (list) {
    var e = list.getEntries()[0];
    window.__perf.firstInput = e.processingStart - e.startTime;
  }).observe({ type: "first-input", buffered: true });
} catch (e) {}
"""
READ = """(until) => {
  const nav = performance.getEntriesByType("navigation")[0];
  const blocking = window.__perf.longTasks
    .filter(([start]) => start < until)
    .reduce((sum, [, duration]) => sum + Math.max(0, duration - 50), 0);
  return {
    tbt: blocking,
    dcl: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
    lcp: window.__perf.lcp,
    inputDelay: window.__perf.firstInput,
    vendorsRan: (window.__vendorCost || []).length,
    pageViews: new Set(window.__pageViews || []).size,
  };
}"""


@dataclass
class Load:
    """What one page load fetched: third-party bytes (by service), and the first-party
    scripts requested (their URLs; sized afterwards, the same way for every variant)."""

    third_party: dict[str, int]
    first_party_scripts: list[str] = field(default_factory=list)


_GZIPPED: dict[str, int] = {}


def gzipped_size(url: str) -> int:
    """A first-party file's size gzipped (level 9), fetched once from the benchmark server:
    what a visitor's first page downloads, whatever the browser cache did in a run."""
    if url not in _GZIPPED:
        with urllib.request.urlopen(url) as response:
            _GZIPPED[url] = len(gzip.compress(response.read(), 9))
    return _GZIPPED[url]


async def _open(browser: Any, base: str, bodies: dict[str, bytes]) -> tuple[Any, Any, Load]:
    context = await browser.new_context()
    page = await context.new_page()
    load = Load(third_party={})
    await page.add_init_script(OBSERVE)
    own = re.compile(r"^" + re.escape(base) + r"/")

    async def route(route: Any) -> None:
        url = route.request.url
        host = re.sub(r"^https?://([^/]+)/.*$", r"\1", url)
        fake = FAKES.get(host)
        if fake is None or route.request.resource_type != "script":
            await route.fulfill(status=204, body="")  # beacons, pixels, other vendor calls
            return
        load.third_party[fake.service] = load.third_party.get(fake.service, 0) + len(bodies[host])
        await route.fulfill(status=200, content_type="application/javascript", body=bodies[host])

    def on_request(request: Any) -> None:
        if own.match(request.url) and request.resource_type == "script":
            if "/static/analytix/" in request.url:
                load.first_party_scripts.append(request.url)

    await page.route(
        re.compile(r"^https?://(?!" + re.escape(base.split("://", 1)[1]) + "/)"), route
    )
    page.on("request", on_request)
    return context, page, load


async def measure(runs: int, idle_seconds: float, base: str) -> dict[str, list[dict[str, Any]]]:
    from playwright.async_api import async_playwright

    bodies = {host: fake_script(vendor) for host, vendor in FAKES.items()}
    results: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        for run in range(runs + 1):  # run 0 warms the server and Chromium: not counted
            order = list(VARIANTS) if run % 2 else list(reversed(VARIANTS))
            for variant in order:
                row: dict[str, Any] = {}
                # 1. Left alone: what the vendors cost a visitor who only reads.
                context, page, load = await _open(browser, base, bodies)
                await page.goto(base + VARIANTS[variant], wait_until="load")
                until = idle_seconds * 1000
                await page.wait_for_function(f"() => performance.now() > {until}", timeout=0)
                idle = await page.evaluate(READ, until)
                row.update(idle)
                row["bytes"] = sum(load.third_party.values())
                await context.close()
                # 2. A click 1 s after load: its input delay, and what came before it.
                context, page, load = await _open(browser, base, bodies)
                await page.goto(base + VARIANTS[variant], wait_until="load")
                # The critical path: what the page fetched to run before its load event.
                row["firstPartyGzipAtLoad"] = sum(
                    gzipped_size(url) for url in set(load.first_party_scripts)
                )
                await page.wait_for_timeout(1000)
                row["bytesBeforeClick"] = sum(load.third_party.values())
                row["driftBytesBeforeClick"] = load.third_party.get("drift", 0)
                row["firstPartyGzipBeforeClick"] = sum(
                    gzipped_size(url) for url in set(load.first_party_scripts)
                )
                await page.click("h1")
                await page.wait_for_function("() => window.__perf.firstInput !== null")
                row["inputDelay"] = (await page.evaluate(READ, until))["inputDelay"]
                # What the services that wait for the visitor cost once they start.
                await page.wait_for_function(f"() => performance.now() > {until}", timeout=0)
                row["tbtClicked"] = (await page.evaluate(READ, until))["tbt"]
                await context.close()
                if run:
                    results[variant].append(row)
        await browser.close()
    return results


METRICS = (
    ("tbt", "TBT ms", "total blocking time in the first {idle} s, no input"),
    ("pageViews", "page views", "services whose page view was sent then, no input (of 4)"),
    ("inputDelay", "click delay ms", "input delay of a click 1 s after load"),
    ("tbtClicked", "TBT clicked ms", "total blocking time in the first {idle} s, that click"),
    ("bytesBeforeClick", "3rd-party KB", "third-party bytes fetched before that click"),
    ("driftBytesBeforeClick", "Drift KB", "Drift's bytes before that click"),
    ("firstPartyGzipAtLoad", "crit. path gz B", "first-party JS by the load event, gzipped"),
    ("firstPartyGzipBeforeClick", "1st-party JS gz B", "first-party JS before the click, gzipped"),
    ("dcl", "DCL ms", "DOMContentLoaded"),
    ("lcp", "LCP ms", "largest contentful paint"),
)
SCALE = {"bytesBeforeClick": 1 / 1000, "driftBytesBeforeClick": 1 / 1000}


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} [{min(values):.0f}-{max(values):.0f}]"


def report(results: dict[str, list[dict[str, Any]]], idle: float) -> None:
    runs = len(results["none"])
    print(
        f"== Vendor cost in headless Chromium: signup, six vendors; median [min-max] of {runs} runs"
    )
    width = 20
    print("variant".ljust(11) + "".join(label.rjust(width) for _, label, _ in METRICS))
    for variant in VARIANTS:
        cells = []
        for key, _, _ in METRICS:
            values = [float(r[key] or 0) * SCALE.get(key, 1) for r in results[variant]]
            cells.append(_spread(values).rjust(width))
        print(variant.ljust(11) + "".join(cells))
    print("; ".join(f"{label}: {text.format(idle=idle)}" for _, label, text in METRICS))

    def median(variant: str, key: str) -> float:
        return statistics.median(float(r[key] or 0) for r in results[variant])

    print("\nGoals (issue 14), at the defaults:")
    base_tbt = median("snippets", "tbt") or 1.0
    base_clicked = median("snippets", "tbtClicked") or 1.0

    def ratios(variant: str, key: str) -> str:
        pairs = zip(results[variant], results["snippets"], strict=True)
        each = [(a[key] or 0) / (b[key] or 1) for a, b in pairs]
        return f"[{min(each):.2f}-{max(each):.2f}]"

    for variant in ("defaults", "fastest"):
        delay = median(variant, "inputDelay") - median("none", "inputDelay")
        tbt = median(variant, "tbt")
        clicked = median(variant, "tbtClicked")
        drift = median(variant, "driftBytesBeforeClick")
        critical = median(variant, "firstPartyGzipAtLoad")
        first_party = median(variant, "firstPartyGzipBeforeClick")
        print(
            f"  {variant}: TBT {tbt:.0f} ms = {tbt / base_tbt:.2f} of the pasted snippets' "
            f"(run by run {ratios(variant, 'tbt')}; goal <= 0.20); with the click "
            f"{clicked:.0f} ms = {clicked / base_clicked:.2f} (run by run "
            f"{ratios(variant, 'tbtClicked')}); page views sent with no input "
            f"{median(variant, 'pageViews'):.0f} of 4 (goal 4); "
            f"click delay {delay:+.0f} ms against no analytics (goal <= 50); "
            f"Drift bytes before the click {drift:.0f} (goal 0); "
            f"first-party JS on the critical path (by load) {critical:.0f} B gzipped "
            f"(goal <= 3072), {first_party:.0f} B with what idle time brought before the click"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="What the vendors cost the page")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle-seconds", type=float, default=8.0)
    args = parser.parse_args(argv)
    setup()
    if not os.path.exists(CHROMIUM):
        print(f"Chromium not found at {CHROMIUM} (set ANALYTIX_CHROMIUM)", file=sys.stderr)
        return 2
    server, base = start_server()
    try:
        results = asyncio.run(measure(args.runs, args.idle_seconds, base))
    finally:
        server.terminate()
        server.wait()
    report(results, args.idle_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
