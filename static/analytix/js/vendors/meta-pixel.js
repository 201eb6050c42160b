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

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true) {
    return; // not our object: logger.js did not run (see there)
  }

  var initialised = {}; // pixel id -> true: init + PageView once per page

  // The base code's queue stub; true when it is ours (so fbevents.js is ours to load).
  function ensureFbq(log) {
    var existing = analytix.pageGlobal("fbq", "function", log);
    if (existing) {
      return existing.analytixStub === true;
    }
    var fbq = (window.fbq = function () {
      if (fbq.callMethod) {
        fbq.callMethod.apply(fbq, arguments);
      } else {
        fbq.queue.push(arguments);
      }
    });
    if (!analytix.pageGlobal("_fbq", "function", log)) {
      window._fbq = fbq;
    }
    fbq.push = fbq;
    fbq.loaded = true;
    fbq.version = "2.0";
    fbq.queue = [];
    fbq.analytixStub = true;
    return true;
  }

  analytix.registerVendor("facebook_pixel", {
    load: function (pixelId, vendor) {
      if (initialised[pixelId]) {
        vendor.log.verbose("already initialised on this page");
        return;
      }
      initialised[pixelId] = true;
      if (ensureFbq(vendor.log)) {
        vendor.loadScript("https://connect.facebook.net/en_US/fbevents.js");
      }
      window.fbq("init", pixelId);
      window.fbq("track", "PageView");
    },
    // Events: fbq("track", ...) for Meta's standard events, fbq("trackCustom", ...) for others.
    // No identify: the Pixel takes user data only at "init" (advanced matching), not sent here.
    global: "fbq",
    call: function (args) {
      return window.fbq.apply(window, args);
    },
    track: function (name, properties) {
      var command = STANDARD_EVENTS.indexOf(name) >= 0 ? "track" : "trackCustom";
      return [[command, name, properties]];
    },

    // Meta's consent API: "revoke" before init holds the pixel back, "grant" releases it.
    consent: function (granted, vendor) {
      ensureFbq(vendor.log);
      window.fbq("consent", granted ? "grant" : "revoke");
    },
  });

  // Meta's standard event names (declared here, used once events are sent).
  var STANDARD_EVENTS = [
    "AddPaymentInfo", "AddToCart", "AddToWishlist", "CompleteRegistration", "Contact",
    "CustomizeProduct", "Donate", "FindLocation", "InitiateCheckout", "Lead", "Purchase",
    "Schedule", "Search", "StartTrial", "SubmitApplication", "Subscribe", "ViewContent",
  ];
})(window);
