/*
 * The demo's local fake vendors: a service worker that answers each vendor host with a small
 * script, so every service reaches "loaded" on a machine with no internet, and nothing leaves
 * it. Each fake takes over its vendor's queue and reports every call it receives to the page
 * (window.demoVendorCalls, shown in the demo's table). Beacons and pixels get an empty 204.
 * Real vendors: set DEMO_FAKE_VENDORS = False in demo_site/settings.py (the page then
 * unregisters this worker).
 */
"use strict";

var SCRIPT_HOSTS = {
  "www.googletagmanager.com": "google",
  "js.hs-scripts.com": "hubspot",
  "js.driftt.com": "drift",
  "edge.fullstory.com": "fullstory",
  "connect.facebook.net": "facebook_pixel",
  "i.kissmetrics.io": "kissmetrics",
  "scripts.kissmetrics.io": "kissmetrics",
};
var BEACON_HOSTS = /(^|\.)(google-analytics\.com|googletagmanager\.com|hubspot\.com|hs-analytics\.net|hubapi\.com|drift\.com|driftt\.com|fullstory\.com|facebook\.com|facebook\.net|kissmetrics\.io)$/;

// The body of one fake: record(service, call) for each queued and later call.
function fakeScript(service) {
  return (
    "(function (w) {\n" +
    "  var calls = (w.demoVendorCalls = w.demoVendorCalls || {});\n" +
    "  var list = (calls[" + JSON.stringify(service) + "] = calls[" + JSON.stringify(service) + "] || []);\n" +
    "  function record(args) { list.push(Array.prototype.slice.call(args)); }\n" +
    "  function takeOver(queue) {\n" +
    "    if (!queue || typeof queue.push !== 'function') { return; }\n" +
    "    for (var i = 0; i < queue.length; i++) { record(queue[i]); }\n" +
    "    queue.length = 0;\n" +
    "    queue.push = function () { for (var j = 0; j < arguments.length; j++) { record(arguments[j]); } return 0; };\n" +
    "  }\n" +
    "  var service = " + JSON.stringify(service) + ";\n" +
    "  if (service === 'google') { takeOver(w.dataLayer); }\n" +
    "  if (service === 'hubspot') { takeOver(w._hsq); }\n" +
    "  if (service === 'kissmetrics') { takeOver(w._kmq); }\n" +
    "  if (service === 'drift' && w.drift && !w.drift.init) { w.drift.init = function () {}; takeOver(w.drift); }\n" +
    "  if (service === 'fullstory') { var fs = w[w._fs_namespace || 'FS'];\n" +
    "    if (fs) { var q = fs.q || []; fs.q = null; fs._api = function (op, options) { record([op, options]); };\n" +
    "      for (var k = 0; k < q.length; k++) { record([q[k][0], q[k][1]]); } } }\n" +
    "  if (service === 'facebook_pixel' && w.fbq && !w.fbq.callMethod) { var fq = w.fbq.queue || [];\n" +
    "    w.fbq.callMethod = function () { record(arguments); };\n" +
    "    for (var m = 0; m < fq.length; m++) { record(fq[m]); } fq.length = 0; }\n" +
    "})(window);\n"
  );
}

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (url.origin === self.location.origin) {
    return; // the demo's own pages and files: the network as usual
  }
  var service = SCRIPT_HOSTS[url.hostname];
  if (service && event.request.destination === "script") {
    event.respondWith(
      new Response(fakeScript(service), { headers: { "Content-Type": "text/javascript" } })
    );
  } else if (BEACON_HOSTS.test(url.hostname)) {
    event.respondWith(new Response(null, { status: 204 }));
  }
});
