/*
 * HubSpot tracking code (the "embed code"): js.hs-scripts.com/<portal id>.js as the script
 * with id "hs-script-loader" (the id HubSpot's own code looks for), async. That loader inserts
 * the cookie banner script, the analytics script (js.hs-analytics.net), which sends the page
 * view as it runs, sets the `hubspotutk` visitor cookie and drains `_hsq`, the command queue
 * page code may push to before it arrives (HubSpot documents
 * `var _hsq = window._hsq = window._hsq || []`), and the portal's extras. Nothing of it waits
 * for the visitor, so it starts at "idle" by default (triggers.py). The analytics script is
 * not loaded on its own: it would insert this loader itself (docs/vendors.md). The embed
 * code's `defer` attribute is left out: it has no effect on a script inserted from JavaScript.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true) {
    return; // not our object: logger.js did not run (see there)
  }

  var revoked = false;

  analytix.registerVendor("hubspot", {
    load: function (portalId, vendor) {
      window._hsq = analytix.pageGlobal("_hsq", "object", vendor.log) || [];
      vendor.loadScript("https://js.hs-scripts.com/" + encodeURIComponent(portalId) + ".js", {
        id: "hs-script-loader",
      });
    },
    // Events: _hsq.push(["trackCustomBehavioralEvent", {name, properties}]), name being the
    // event's internal name "pe<portal id>_<name>" (Marketing Hub Enterprise custom events).
    // Identify: _hsq.push(["identify", {email, id, ...}]), sent with the next event or view.
    global: "_hsq",
    call: function (args) {
      return window._hsq.push(args);
    },
    track: function (name, properties, options) {
      var internalName = /^pe[0-9]+_/.test(name)
        ? name
        : "pe" + options.id + "_" + analytix.eventKey(name, 100);
      return [["trackCustomBehavioralEvent", { name: internalName, properties: properties }]];
    },
    identify: function (id, traits) {
      var identity = {};
      Object.keys(traits).forEach(function (key) {
        identity[key] = traits[key];
      });
      identity.id = id;
      return [["identify", identity]];
    },

    // Loaded only once consent is given, so there is nothing to switch before that. On
    // withdrawal: remove HubSpot's cookies and stop tracking; on a new grant, track again.
    consent: function (granted, vendor) {
      if (!analytix.pageGlobal("_hsq", "object", vendor.log) || granted === !revoked) {
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
