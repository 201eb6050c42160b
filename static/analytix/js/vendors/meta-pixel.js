/*
 * Meta (Facebook) Pixel, as its base code does it: `fbq` queues its arguments until
 * fbevents.js defines fbq.callMethod; then fbq("init", pixelId) and the PageView event.
 *
 * Events: fbq("track", name, properties) for Meta's standard events, fbq("trackCustom", name,
 * properties) for any other name. No identify: the Pixel takes user data only at "init"
 * (advanced matching), which this package does not send.
 */
(function (window) {
  "use strict";

  var STANDARD_EVENTS = [
    "AddPaymentInfo", "AddToCart", "AddToWishlist", "CompleteRegistration", "Contact",
    "CustomizeProduct", "Donate", "FindLocation", "InitiateCheckout", "Lead", "Purchase",
    "Schedule", "Search", "StartTrial", "SubmitApplication", "Subscribe", "ViewContent",
  ];

  window.analytix.registerVendor("facebook_pixel", {
    load: function (pixelId, vendor) {
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
    global: "fbq",
    call: function (args) {
      return window.fbq.apply(window, args);
    },
    track: function (name, properties) {
      var command = STANDARD_EVENTS.indexOf(name) >= 0 ? "track" : "trackCustom";
      return [[command, name, properties]];
    },
  });
})(window);
