"""Fake vendor scripts that take over each vendor's stub as the real library does and record
every call they receive, so browser tests can check what reached which vendor.

Calls are kept in sessionStorage ("fakeVendorCalls": a JSON list of [service, args]), which
survives the same-tab navigation a tracked link starts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from tests.conftest import VENDOR_HOSTS, BrowserPage

RECORD = """
(window.__fakeVendorsRan = window.__fakeVendorsRan || []).push(%(host)r);
function record(service, args) {
  var calls = JSON.parse(sessionStorage.getItem("fakeVendorCalls") || "[]");
  calls.push([service, JSON.parse(JSON.stringify(Array.prototype.slice.call(args)))]);
  sessionStorage.setItem("fakeVendorCalls", JSON.stringify(calls));
}
"""

# Per host: how the real library drains its stub and then receives calls.
TAKE_OVER = {
    # gtag.js reads the dataLayer, then watches its push.
    "www.googletagmanager.com": """
var dataLayer = (window.dataLayer = window.dataLayer || []);
dataLayer.forEach(function (args) { record("google", args); });
dataLayer.push = function (args) {
  record("google", args);
  return Array.prototype.push.call(dataLayer, args);
};
""",
    # HubSpot's and Kissmetrics' libraries replace the queue array with an object with push.
    "js.hs-scripts.com": """
var queued = window._hsq || [];
window._hsq = { push: function (command) { record("hubspot", command); } };
queued.forEach(window._hsq.push);
""",
    "i.kissmetrics.io": """
var queued = window._kmq || [];
window._kmq = { push: function (command) { record("kissmetrics", command); } };
queued.forEach(window._kmq.push);
""",
    "scripts.kissmetrics.io": "",
    # Drift's library replaces the method-queue array with its API object.
    "js.driftt.com": """
var stub = window.drift || [];
var api = { init: function () {} };
["identify", "config", "track", "reset", "debug", "show", "ping", "page", "hide", "off", "on"]
  .forEach(function (method) {
    api[method] = function () {
      record("drift", [method].concat(Array.prototype.slice.call(arguments)));
    };
  });
window.drift = window.driftt = api;
stub.forEach(function (entry) { api[entry[0]].apply(api, entry.slice(1)); });
""",
    # fs.js answers through FS._api and drains FS.q.
    "edge.fullstory.com": """
var fs = window[window._fs_namespace || "FS"];
var queued = fs.q || [];
fs.q = null;
fs._api = function (operation, options) { record("fullstory", [operation, options]); };
queued.forEach(function (entry) { fs._api(entry[0], entry[1]); });
""",
    # fbevents.js defines fbq.callMethod and replays fbq.queue.
    "connect.facebook.net": """
var fbq = window.fbq;
fbq.callMethod = function () { record("facebook_pixel", arguments); };
fbq.queue.forEach(function (args) { fbq.callMethod.apply(fbq, args); });
fbq.queue.length = 0;
""",
}


def recording_vendor_script(host: str) -> str:
    return "(function () {" + RECORD % {"host": host} + TAKE_OVER.get(host, "") + "})();"


def answer_with_recording_fakes(
    browser_page: BrowserPage, *, hold: bool = False, blocked: Collection[str] = ()
) -> Callable[[], None]:
    """Routes the vendor hosts of an open_page() page to the recording fakes, over the
    fixture's own routes (Playwright runs the route added last first; everything else falls
    back to them). hold: answers wait until the returned release() is called; blocked: hosts
    aborted, as a blocker would. Returns release()."""
    held: list[Callable[[], None]] = []

    def route(route: Any) -> None:
        host = re.sub(r"^https?://([^/]+)/.*$", r"\1", route.request.url)
        if host not in VENDOR_HOSTS:
            route.fallback()
            return
        browser_page.vendor_requests.append(route.request.url)
        if host in blocked:
            route.abort()
            return

        def answer() -> None:
            body = recording_vendor_script(host)
            route.fulfill(status=200, content_type="application/javascript", body=body)

        if hold:
            held.append(answer)
        else:
            answer()

    def release() -> None:
        while held:
            held.pop(0)()

    browser_page.page.route("**/*", route)
    return release
