/*
 * Meta (Facebook) Pixel, as its base code does it: `fbq` queues its arguments objects in
 * fbq.queue until fbevents.js defines fbq.callMethod; `_fbq` points at it too, with
 * fbq.push = fbq, fbq.loaded = true and fbq.version = "2.0". Then connect.facebook.net/en_US/
 * fbevents.js loads async, and fbq("init", pixelId) and fbq("track", "PageView") are sent.
 * An fbq already on the page is reused (no second stub, no second script), as the base code
 * does; each pixel is initialised once. The <noscript> image is written by the template tag.
 */
(function (window) {
  "use strict";

  var initialised = {}; // pixel id -> true: init + PageView once per page

  window.analytix.registerVendor("facebook_pixel", {
    load: function (pixelId, vendor) {
      if (initialised[pixelId]) {
        vendor.log.verbose("already initialised on this page");
        return;
      }
      initialised[pixelId] = true;
      if (!window.fbq) {
        var fbq = (window.fbq = function () {
          if (fbq.callMethod) {
            fbq.callMethod.apply(fbq, arguments);
          } else {
            fbq.queue.push(arguments);
          }
        });
        if (!window._fbq) {
          window._fbq = fbq;
        }
        fbq.push = fbq;
        fbq.loaded = true;
        fbq.version = "2.0";
        fbq.queue = [];
        vendor.loadScript("https://connect.facebook.net/en_US/fbevents.js");
      }
      window.fbq("init", pixelId);
      window.fbq("track", "PageView");
    },
  });
})(window);
