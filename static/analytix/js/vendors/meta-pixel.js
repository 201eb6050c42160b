/*
 * Meta (Facebook) Pixel, as its base code does it: `fbq` queues its arguments until
 * fbevents.js defines fbq.callMethod; then fbq("init", pixelId) and the PageView event.
 */
(function (window) {
  "use strict";

  // The base code's queue stub; true when it is ours (so fbevents.js is ours to load).
  function ensureFbq() {
    if (window.fbq) {
      return window.fbq.analytixStub === true;
    }
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
    fbq.analytixStub = true;
    return true;
  }

  window.analytix.registerVendor("facebook_pixel", {
    load: function (pixelId, vendor) {
      if (ensureFbq()) {
        vendor.loadScript("https://connect.facebook.net/en_US/fbevents.js");
      }
      window.fbq("init", pixelId);
      window.fbq("track", "PageView");
    },

    // Meta's consent API: "revoke" before init holds the pixel back, "grant" releases it.
    consent: function (granted) {
      ensureFbq();
      window.fbq("consent", granted ? "grant" : "revoke");
    },
  });
})(window);
