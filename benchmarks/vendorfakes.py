"""The vendor stand-ins of `python -m benchmarks.vendorcost`: one fake script per vendor host,
transferring the vendor's size and burning its main-thread time.

Main-thread times: HTTP Archive's third-party-web (March 2026, Lighthouse on mobile), divided
by ten for a desktop machine: Drift 4,394 ms, HubSpot 1,226, gtag.js 1,066, FullStory 911, Meta
Pixel 514, Kissmetrics 86 per page. Sizes: gtag.js 155 KB and Meta's fbevents.js 97 KB
compressed (same source); the others are estimates of what each vendor's scripts transfer.

HubSpot is more than one script. Its embed code loads a small loader (js.hs-scripts.com/<portal
id>.js) that inserts, each as its own async script: the cookie banner (js.hs-banner.com), which
decides whether the tracking code may set its cookies; the analytics script
(js.hs-analytics.net/analytics/<time>/<portal id>.js), which sends the page view and writes
hubspotutk as it runs; and what the portal turns on, such as collected forms
(js.hscollectedforms.net) and the chat widget (js.usemessages.com). HubSpot's 122.6 ms are split
over those scripts in proportion to third-party-web's per-origin averages (the 2022-01 data,
the last it published per origin: banner 62 ms, analytics 88, collected forms 118, chat 169;
the loader registers on under 2 % of pages: 1 ms here). A portal with collected forms and chat
is heavier than most (65 % and 31 % of pages with HubSpot's analytics had them in the 2025-04
crawl), so HubSpot at idle costs no less here than on a typical site.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FakeVendor:
    service: str
    main_thread_ms: float
    transfer_bytes: int
    queue: str = "null"  # JS expression of the queue the real script takes over (drained)
    page_view: bool = False  # the script that sends the vendor's page view
    inserts: tuple[str, ...] = ()  # scripts it inserts, as HubSpot's loader does


HUBSPOT_PORTAL = "1234567"
HUBSPOT_PARTS = (
    f"https://js.hs-banner.com/v2/{HUBSPOT_PORTAL}/banner.js",
    f"https://js.hs-analytics.net/analytics/1767225600000/{HUBSPOT_PORTAL}.js",
    "https://js.hscollectedforms.net/collectedforms.js",
    "https://js.usemessages.com/conversations-embed.js",
)
_HUBSPOT_MS = 122.6 - 1.0  # less the loader, split by the per-origin averages below
_HUBSPOT_SHARE = {"banner": 62, "analytics": 88, "forms": 118, "chat": 169}


def _hubspot_ms(part: str) -> float:
    return round(_HUBSPOT_MS * _HUBSPOT_SHARE[part] / sum(_HUBSPOT_SHARE.values()), 1)


FAKES = {
    "www.googletagmanager.com": FakeVendor("google", 106.6, 155_000, "w.dataLayer", True),
    "js.hs-scripts.com": FakeVendor("hubspot", 1.0, 2_000, inserts=HUBSPOT_PARTS),
    "js.hs-banner.com": FakeVendor("hubspot", _hubspot_ms("banner"), 14_000),
    "js.hs-analytics.net": FakeVendor(
        "hubspot", _hubspot_ms("analytics"), 25_000, "w._hsq", page_view=True
    ),
    "js.hscollectedforms.net": FakeVendor("hubspot", _hubspot_ms("forms"), 14_000),
    "js.usemessages.com": FakeVendor("hubspot", _hubspot_ms("chat"), 15_000),
    "js.driftt.com": FakeVendor("drift", 439.4, 230_000, "w.drift"),
    "edge.fullstory.com": FakeVendor("fullstory", 91.1, 60_000, "(w.FS && w.FS.q)"),
    "connect.facebook.net": FakeVendor(
        "facebook_pixel", 51.4, 97_000, "(w.fbq && w.fbq.queue)", True
    ),
    "i.kissmetrics.io": FakeVendor("kissmetrics", 4.3, 2_000, "w._kmq", True),
    "scripts.kissmetrics.io": FakeVendor("kissmetrics", 4.3, 10_000, "w._kmq"),
}
FIRST_TASK_MS = 120.0  # parsing and running a script: one long task first
LATER_TASK_MS = 80.0  # then its start-up work, in tasks of up to this long,
TASK_GAP_MS = 150  # spread out as timers and network answers spread a real library's work


def fake_script(vendor: FakeVendor) -> bytes:
    """A stand-in for one vendor script: drains its queue, inserts what it inserts, burns its
    main-thread time in several tasks, says it ran (and whether it sent the page view), and
    weighs what the real one transfers."""
    tasks = [round(min(vendor.main_thread_ms, FIRST_TASK_MS), 1)]
    left = vendor.main_thread_ms - tasks[0]
    while left > 0:
        tasks.append(round(min(left, LATER_TASK_MS), 1))
        left -= tasks[-1]
    code = (
        "(function (w) {\n"
        "  function burn(ms) {\n"
        "    var end = performance.now() + ms;\n"
        "    while (performance.now() < end) {}\n"
        "  }\n"
        f"  var queue = {vendor.queue};\n"
        "  if (queue && typeof queue.push === 'function') {\n"
        "    queue.length = 0; queue.push = function () { return 0; };\n"
        "  }\n"
        f"  {list(vendor.inserts)!r}.forEach(function (src) {{\n"
        "    var s = document.createElement('script'); s.src = src; s.async = true;\n"
        "    document.head.appendChild(s);\n"
        "  });\n"
        f"  var tasks = {tasks!r};\n"
        "  burn(tasks.shift());\n"
        "  function next() {\n"
        f"    if (tasks.length) {{ burn(tasks.shift()); setTimeout(next, {TASK_GAP_MS}); }}\n"
        f"  }}\n  setTimeout(next, {TASK_GAP_MS});\n"
        f"  (w.__vendorCost = w.__vendorCost || []).push({vendor.service!r});\n"
        + (
            f"  (w.__pageViews = w.__pageViews || []).push({vendor.service!r});\n"
            if vendor.page_view
            else ""
        )
        + "})(window);\n"
    ).encode()
    padding = max(0, vendor.transfer_bytes - len(code) - 6)
    return code + b"/*" + b"x" * padding + b"*/\n"
