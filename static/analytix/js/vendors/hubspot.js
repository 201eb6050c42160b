/*
 * HubSpot tracking code: the `_hsq` queue, then js.hs-scripts.com/<portal id>.js as the
 * script with id "hs-script-loader" (the id HubSpot's own code looks for). That script
 * loads the analytics library, which sets the `hubspotutk` visitor cookie.
 */
(function (window) {
  "use strict";

  window.analytix.registerVendor("hubspot", {
    load: function (portalId, vendor) {
      window._hsq = window._hsq || [];
      vendor.loadScript("https://js.hs-scripts.com/" + encodeURIComponent(portalId) + ".js", {
        id: "hs-script-loader",
      });
    },
  });
})(window);
