/*
 * Drift, as its embed snippet does it: `window.drift` (alias `window.driftt`) starts as an
 * array that queues [method, ...args] for each API method, and drift.load(embedId) fetches
 * js.driftt.com/include/<time rounded up to 5 minutes>/<embed id>.js (the rounding lets
 * browsers cache the script for five minutes).
 */
(function (window) {
  "use strict";

  var METHODS = ["identify", "config", "track", "reset", "debug", "show", "ping", "page", "hide", "off", "on"];
  var CACHE_WINDOW_MS = 5 * 60 * 1000;

  window.analytix.registerVendor("drift", {
    load: function (embedId, vendor) {
      var drift = (window.driftt = window.drift = window.driftt || []);
      if (drift.init) {
        return; // the real library is already here
      }
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
          vendor.loadScript(
            "https://js.driftt.com/include/" + cacheKey + "/" + encodeURIComponent(id) + ".js",
            { crossOrigin: "anonymous" }
          );
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
