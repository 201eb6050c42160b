/*
 * Google Analytics 4, as Google's gtag.js snippet sets it up: a `dataLayer` queue, a `gtag`
 * function that pushes its `arguments` object (gtag.js reads Arguments objects, not arrays),
 * the "js" and "config" commands, then www.googletagmanager.com/gtag/js?id=<measurement id>
 * loaded async. A gtag already on the page (e.g. from Google Tag Manager) is reused.
 */
(function (window) {
  "use strict";

  var configured = {}; // measurement id -> true: "config" sends a page view, so only once

  window.analytix.registerVendor("google", {
    load: function (measurementId, vendor) {
      if (configured[measurementId]) {
        vendor.log.verbose("already configured on this page");
        return;
      }
      configured[measurementId] = true;
      window.dataLayer = window.dataLayer || [];
      if (typeof window.gtag !== "function") {
        window.gtag = function gtag() {
          window.dataLayer.push(arguments);
        };
      }
      window.gtag("js", new Date());
      window.gtag("config", measurementId);
      vendor.loadScript(
        "https://www.googletagmanager.com/gtag/js?id=" + encodeURIComponent(measurementId)
      );
    },
  });
})(window);
