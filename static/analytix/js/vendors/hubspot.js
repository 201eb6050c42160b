/*
 * HubSpot tracking code (the "embed code"): js.hs-scripts.com/<portal id>.js as the script
 * with id "hs-script-loader" (the id HubSpot's own code looks for), async. That script loads
 * the analytics library, which sets the `hubspotutk` visitor cookie and drains `_hsq`, the
 * command queue page code may push to before it arrives (HubSpot documents
 * `var _hsq = window._hsq = window._hsq || []`). The embed code's `defer` attribute is left
 * out: it has no effect on a script inserted from JavaScript.
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
