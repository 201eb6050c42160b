/*
 * Google Analytics 4, as Google's gtag.js snippet sets it up: a `dataLayer` queue, a `gtag`
 * function that pushes its `arguments` object (gtag.js reads Arguments, not arrays), the
 * "js" and "config" commands, then gtag/js?id=<measurement id> loaded async.
 */
(function (window) {
  "use strict";

  window.analytix.registerVendor("google", {
    load: function (measurementId, vendor) {
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
