/*
 * Drift, as its embed snippet (SNIPPET_VERSION "0.3.1") does it: `window.drift` (alias
 * `window.driftt`) starts as an array; each API method (identify, config, track, ...) pushes
 * [method, ...args] onto it and returns drift, and drift.load(embedId) fetches
 * js.driftt.com/include/<time rounded up to 5 minutes>/<embed id>.js async (the rounding lets
 * browsers cache the script for five minutes). The snippet sets `o.crossorigin`, a property
 * the DOM ignores, so its request is a plain (no-CORS) one: no crossorigin attribute here
 * either. If the real library is already here (drift.init), nothing is done.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true) {
    return; // not our object: logger.js did not run (see there)
  }

  var METHODS = ["identify", "config", "track", "reset", "debug", "show", "ping", "page", "hide", "off", "on"];
  var CACHE_WINDOW_MS = 5 * 60 * 1000;
  var started = {}; // embed id -> true, so a second load never crosses into a new cache window

  analytix.registerVendor("drift", {
    load: function (embedId, vendor) {
      var drift = analytix.pageGlobal("driftt", "object", vendor.log) || [];
      window.driftt = window.drift = drift;
      if (drift.init) {
        vendor.log.verbose("the Drift library is already on this page");
        return;
      }
      if (started[embedId]) {
        vendor.log.verbose("already loading");
        return;
      }
      started[embedId] = true;
      if (!drift.invoked) {
        drift.invoked = true;
        drift.methods = METHODS;
        drift.factory = function (method) {
          return function () {
            var args = Array.prototype.slice.call(arguments);
            args.unshift(method);
            drift.push(args);
            return drift;
          };
        };
        METHODS.forEach(function (method) {
          drift[method] = drift.factory(method);
        });
        drift.load = function (id) {
          var cacheKey = Math.ceil(Date.now() / CACHE_WINDOW_MS) * CACHE_WINDOW_MS;
          vendor.loadScript("https://js.driftt.com/include/" + cacheKey + "/" + encodeURIComponent(id) + ".js");
        };
        drift.SNIPPET_VERSION = "0.3.1";
      }
      drift.load(embedId);
    },
    // Events: drift.track(name, attributes); identify: drift.identify(id, attributes).
    global: "drift",
    // call("track", name, attributes) -> drift.track(name, attributes): Drift's API is methods.
    call: function (args) {
      var drift = window.drift;
      var method = args[0];
      // Only Drift's own methods: not what every object (or the stub, an array) inherits.
      var builtIn = typeof method !== "string" || method in Object.prototype || method in Array.prototype;
      if (builtIn || typeof drift[method] !== "function") {
        throw new Error("drift has no method " + String(method));
      }
      return drift[method].apply(drift, args.slice(1));
    },
    track: function (name, properties) {
      return [["track", name, flat(properties)]];
    },
    identify: function (id, traits) {
      return [["identify", id, flat(traits)]];
    },
  });

  // Drift takes flat attributes only: nested values are sent as their JSON text.
  function flat(properties) {
    var attributes = {};
    Object.keys(properties).forEach(function (key) {
      var value = properties[key];
      attributes[key] = value !== null && typeof value === "object" ? JSON.stringify(value) : value;
    });
    return attributes;
  }
})(window);
