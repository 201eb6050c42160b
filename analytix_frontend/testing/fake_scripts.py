"""The recording fakes' scripts: what `route_vendor_fakes` answers for each vendor's script
host (analytix_frontend.testing.browser reads what they recorded).

Each fake takes over the vendor's stub the way the real library does and records every call
in the tab's sessionStorage (CALLS_KEY), and every page view the vendor would count
(PAGE_VIEWS_KEY). A page view is recorded where the vendor's own documentation says its
library sends one: gtag.js for each "config" command (unless `send_page_view` is false) and
each "page_view" event; Meta's fbevents.js for `fbq("track", "PageView")`; HubSpot's tracking
code as it loads (its analytics script calls `trackPageView` itself) and for each later
`trackPageView`; Kissmetrics' library as it starts ("Visited Site", and "Page View" where the
account turns it on). The fakes count these hits; they do not imitate what a hit carries.
"""

from __future__ import annotations

import json

# Every host the vendor loaders request a script from -> the service.
SCRIPT_HOSTS: dict[str, str] = {
    "www.googletagmanager.com": "google",
    "js.hs-scripts.com": "hubspot",
    "js.driftt.com": "drift",
    "edge.fullstory.com": "fullstory",
    "connect.facebook.net": "facebook_pixel",
    "i.kissmetrics.io": "kissmetrics",
    "scripts.kissmetrics.io": "kissmetrics",
}
CALLS_KEY = "analytix.fakeVendorCalls"  # sessionStorage: JSON list of [service, args]
PAGE_VIEWS_KEY = "analytix.fakeVendorPageViews"  # sessionStorage: JSON list of [service, url]
LOADED_GLOBAL = "__analytixFakeVendors"  # window: {hosts: [...], services: [...]}

_RECORD = """
var loaded = (window.%(loaded)s = window.%(loaded)s || { hosts: [], services: [] });
loaded.hosts.push(%(host)s);
if (loaded.services.indexOf(%(service)s) < 0) loaded.services.push(%(service)s);
function record(service, args) {
  var calls = JSON.parse(sessionStorage.getItem(%(key)s) || "[]");
  calls.push([service, JSON.parse(JSON.stringify(Array.prototype.slice.call(args)))]);
  sessionStorage.setItem(%(key)s, JSON.stringify(calls));
}
function pageView(service) {
  var views = JSON.parse(sessionStorage.getItem(%(views)s) || "[]");
  views.push([service, location.pathname + location.search]);
  sessionStorage.setItem(%(views)s, JSON.stringify(views));
}
"""

# Per service: how the real library drains its stub and then receives calls.
_TAKE_OVER = {
    # gtag.js reads the dataLayer, then watches its push; "config" sends a page view.
    "google": """
function take(args) {
  record("google", args);
  var options = args[2] || {};
  if ((args[0] === "config" && options.send_page_view !== false) ||
      (args[0] === "event" && args[1] === "page_view")) {
    pageView("google");
  }
}
var dataLayer = (window.dataLayer = window.dataLayer || []);
dataLayer.forEach(take);
dataLayer.push = function (args) {
  take(args);
  return Array.prototype.push.call(dataLayer, args);
};
""",
    # HubSpot's and Kissmetrics' libraries replace the queue array with an object with push.
    # HubSpot's tracking code (the loader and the analytics script it inserts, one fake here)
    # counts the page view as it loads and keeps the visitor's token in the hubspotutk cookie.
    "hubspot": """
var queued = window._hsq || [];
window._hsq = { push: function (command) {
  record("hubspot", command);
  if (command && command[0] === "trackPageView") pageView("hubspot");
} };
if (!/(^|; )hubspotutk=/.test(document.cookie)) {
  var token = "";
  for (var i = 0; i < 32; i++) token += Math.floor(Math.random() * 16).toString(16);
  document.cookie = "hubspotutk=" + token + "; path=/; max-age=15552000; SameSite=Lax";
}
queued.forEach(window._hsq.push);
pageView("hubspot");
""",
    # Kissmetrics' library records the visit as it starts (i.js and the account's script
    # share one fake: the first to run takes over).
    "kissmetrics": """
if (!window._kmq || Array.isArray(window._kmq)) {
  var queued = window._kmq || [];
  window._kmq = { push: function (command) { record("kissmetrics", command); } };
  queued.forEach(window._kmq.push);
  pageView("kissmetrics");
}
""",
    # Drift's library replaces the method-queue array with its API object.
    "drift": """
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
    "fullstory": """
var fs = window[window._fs_namespace || "FS"];
var queued = fs.q || [];
fs.q = null;
fs._api = function (operation, options) { record("fullstory", [operation, options]); };
queued.forEach(function (entry) { fs._api(entry[0], entry[1]); });
""",
    # fbevents.js defines fbq.callMethod and replays fbq.queue; "track PageView" is a page view.
    "facebook_pixel": """
var fbq = window.fbq;
fbq.callMethod = function () {
  record("facebook_pixel", arguments);
  if (arguments[0] === "track" && arguments[1] === "PageView") pageView("facebook_pixel");
};
fbq.queue.forEach(function (args) { fbq.callMethod.apply(fbq, args); });
fbq.queue.length = 0;
""",
}


def fake_vendor_script(host: str) -> str:
    """The fake script served for one of SCRIPT_HOSTS."""
    service = SCRIPT_HOSTS[host]
    names = {
        "loaded": LOADED_GLOBAL,
        "key": json.dumps(CALLS_KEY),
        "views": json.dumps(PAGE_VIEWS_KEY),
    }
    record = _RECORD % {**names, "host": json.dumps(host), "service": json.dumps(service)}
    return "(function () {" + record + _TAKE_OVER[service] + "})();"
