/*
 * Google Analytics 4, as Google's gtag.js snippet sets it up: a `dataLayer` queue, a `gtag`
 * function that pushes its `arguments` object (gtag.js reads Arguments, not arrays), the
 * "js" and "config" commands, then gtag/js?id=<measurement id> loaded async.
 */
(function (window) {
  "use strict";

  var consentDefaultSent = false;
  var configSent = false;

  function ensureGtag() {
    window.dataLayer = window.dataLayer || [];
    if (typeof window.gtag !== "function") {
      window.gtag = function gtag() {
        window.dataLayer.push(arguments);
      };
    }
  }

  window.analytix.registerVendor("google", {
    load: function (measurementId, vendor) {
      ensureGtag();
      window.gtag("js", new Date());
      window.gtag("config", measurementId);
      configSent = true;
      vendor.loadScript(
        "https://www.googletagmanager.com/gtag/js?id=" + encodeURIComponent(measurementId)
      );
    },

    // Consent mode v2: the first call before "config" sets the defaults; any later one updates.
    // analytics_storage follows the analytics category; the ad_* signals follow marketing.
    consent: function (granted, vendor) {
      ensureGtag();
      var marketing = granted && (vendor.categories || []).indexOf("marketing") !== -1;
      var state = {
        analytics_storage: granted ? "granted" : "denied",
        ad_storage: marketing ? "granted" : "denied",
        ad_user_data: marketing ? "granted" : "denied",
        ad_personalization: marketing ? "granted" : "denied",
      };
      window.gtag("consent", consentDefaultSent || configSent ? "update" : "default", state);
      consentDefaultSent = true;
    },
  });
})(window);
