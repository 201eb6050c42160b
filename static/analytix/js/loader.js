/*
 * analytix loader: the vendor registry and the one way vendor scripts get on the page.
 *
 * Each script URL goes through start.js's Trusted Types policy "analytix" (analytix.__scriptURL__),
 * which passes only the vendor URLs our loaders build; a refused one fails with a warning.
 * Every vendor script is inserted with async, so it never blocks parsing, rendering or
 * DOMContentLoaded; a blocked or failing one logs a warning and never throws into the page.
 * Before DOMContentLoaded the insertions wait for a task after it: inserting a <script>
 * starts its request on the main thread (about 1 ms each, measured), which would delay the
 * event. Vendor stubs and analytix.scriptStates ("loading") are set at once all the same.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true ||
      analytix.registerVendor) {
    return; // not ours (logger.js did not run: see there), or this file ran already
  }
  var dom = analytix.dom;

  var vendors = {}; // service name -> {load: function (id, vendor), ...}
  var scriptStates = {}; // url -> "loading" | "loaded" | "failed"

  analytix.vendors = vendors;
  analytix.scriptStates = scriptStates;

  // Scripts to insert after DOMContentLoaded, or null once it has passed. Without Navigation
  // Timing (old browsers, jsdom) it counts as passed: scripts go in at once, as before.
  var queued = domContentLoadedPending() ? [] : null;
  if (queued) {
    dom.listen("DOMContentLoaded", function () {
      window.setTimeout(insertQueued, 0);
    });
  }

  function domContentLoadedPending() {
    var timing = window.performance;
    var entry = timing && timing.getEntriesByType && timing.getEntriesByType("navigation")[0];
    return Boolean(entry) && entry.domContentLoadedEventEnd === 0;
  }

  function insertQueued() {
    var scripts = queued;
    queued = null;
    for (var i = 0; i < scripts.length; i++) {
      dom.appendToHead(scripts[i]);
    }
  }

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
    var script = dom.create("script");
    script.async = true;
    try {
      // Through start.js's Trusted Types policy "analytix" (a string where there is none).
      script.src = typeof analytix.__scriptURL__ === "function" ? analytix.__scriptURL__(url) : url;
    } catch (refused) {
      settle("failed", options.onerror, "refused by Trusted Types (" + (refused && refused.message) + "):");
      return null;
    }
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
    function settle(state, callback, why) {
      if (scriptStates[url] !== "loading") {
        return;
      }
      scriptStates[url] = state;
      if (state === "loaded") {
        log.verbose("loaded", url);
      } else {
        log.warning(why || "failed to load (blocked or offline):", url);
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
    if (queued) {
      queued.push(script);
    } else {
      dom.appendToHead(script);
    }
    return script;
  };
})(window);
