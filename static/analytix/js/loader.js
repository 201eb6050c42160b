/*
 * analytix loader: the vendor registry and the one way vendor scripts get on the page.
 *
 * Every vendor script is inserted with async, so it never blocks parsing, rendering or
 * DOMContentLoaded; a blocked or failing one logs a warning and never throws into the page.
 */
(function (window, document) {
  "use strict";

  var analytix = (window.analytix = window.analytix || {});
  if (analytix.registerVendor) {
    return;
  }

  var vendors = {}; // service name -> {load: function (id, vendor), ...}
  var scriptStates = {}; // url -> "loading" | "loaded" | "failed"

  analytix.vendors = vendors;
  analytix.scriptStates = scriptStates;

  analytix.registerVendor = function (name, definition) {
    if (!vendors[name]) {
      vendors[name] = definition;
    }
  };

  // Inserts one async vendor script, once per URL. options: {nonce, id, crossOrigin, onload, onerror}
  analytix.loadScript = function (url, log, options) {
    options = options || {};
    if (scriptStates[url]) {
      log.verbose("already requested", url);
      return null;
    }
    scriptStates[url] = "loading";
    var script = document.createElement("script");
    script.async = true;
    script.src = url;
    if (options.id) {
      script.id = options.id;
    }
    if (options.crossOrigin) {
      script.crossOrigin = options.crossOrigin;
    }
    if (options.nonce) {
      script.nonce = options.nonce;
    }
    // Each outcome is handled once, and a throwing callback is logged, never thrown.
    function settle(state, callback) {
      if (scriptStates[url] !== "loading") {
        return;
      }
      scriptStates[url] = state;
      if (state === "loaded") {
        log.verbose("loaded", url);
      } else {
        log.warning("failed to load (blocked or offline):", url);
      }
      if (callback) {
        try {
          callback();
        } catch (error) {
          log.warning("error after " + state + " " + url + ":", error && error.message);
        }
      }
    }
    script.onload = function () {
      settle("loaded", options.onload);
    };
    script.onerror = function () {
      settle("failed", options.onerror);
    };
    log.verbose("requesting", url);
    (document.head || document.documentElement).appendChild(script);
    return script;
  };
})(window, document);
