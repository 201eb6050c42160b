/*
 * HubSpot tracking code: the `_hsq` queue, then js.hs-scripts.com/<portal id>.js as the
 * script with id "hs-script-loader" (the id HubSpot's own code looks for). That script
 * loads the analytics library, which sets the `hubspotutk` visitor cookie.
 */
(function (window) {
  "use strict";

  var revoked = false;

  window.analytix.registerVendor("hubspot", {
    load: function (portalId, vendor) {
      window._hsq = window._hsq || [];
      vendor.loadScript("https://js.hs-scripts.com/" + encodeURIComponent(portalId) + ".js", {
        id: "hs-script-loader",
      });
    },

    // Loaded only once consent is given, so there is nothing to switch before that. On
    // withdrawal: remove HubSpot's cookies and stop tracking; on a new grant, track again.
    consent: function (granted) {
      if (!window._hsq || granted === !revoked) {
        return;
      }
      if (granted) {
        window._hsq.push(["doNotTrack", { track: true }]);
      } else {
        window._hsq.push(["revokeCookieConsent"]);
        window._hsq.push(["doNotTrack"]);
      }
      revoked = !granted;
    },
  });
})(window);
