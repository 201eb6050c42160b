/*
 * The demo's local fake vendors: a service worker that answers each vendor script with the
 * package's recording fake (analytix_frontend.testing.browser, served by the demo at
 * /fake-vendor.js?host=...), so every service reaches "loaded" on a machine with no internet and
 * nothing leaves it. Every other request to another origin (beacons, pixels) gets an empty 204.
 * Real vendors: set DEMO_FAKE_VENDORS = False in demo_site/settings.py (the page then
 * unregisters this worker).
 */
"use strict";

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
  if (event.request.destination === "script") {
    event.respondWith(fetch("/fake-vendor.js?host=" + encodeURIComponent(url.hostname)));
  } else {
    event.respondWith(new Response(null, { status: 204 }));
  }
});
