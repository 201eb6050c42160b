/*
 * analytix consent source "gcm": a consent manager that sets Google Consent Mode on the page
 * (CONSENT["SOURCE"] = "gcm"), read as the source of truth for every service.
 *
 * Such a CMP (Cookiebot, OneTrust, Usercentrics... in their page-script set-ups) calls
 * gtag("consent", "default", {...}) as the page loads and gtag("consent", "update", {...})
 * with the visitor's choice, each a push of an Arguments object onto window.dataLayer. This
 * file reads what the dataLayer already holds, then each later push: the push function is
 * wrapped, and stays wrapped when gtag.js or Tag Manager replace it (the replacement is
 * called inside ours). Google's tag itself then hears the CMP alone: the Google loader sends
 * no consent commands of its own with this source.
 *
 *   analytics    analytics_storage granted
 *   marketing    ad_storage granted, and ad_user_data not denied
 *   functional   functionality_storage granted
 *
 * A "default" lets services start (a region where the CMP grants by default) but is not the
 * visitor's answer: nothing is written or recorded for it. A default limited to regions
 * (`region: ["DE", "US-CA"]`) counts only when the server's region for this visitor (the
 * config's google.region) is one of them, and wins over the general default, as in gtag.js.
 * Each "update" is the visitor's answer. Consent set only through Tag Manager's template APIs
 * never reaches the dataLayer as a gtag command, so it cannot be read here.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true) {
    return; // not ours (logger.js did not run: see there)
  }
  var sources = (analytix.consentSources = analytix.consentSources || {});
  if (sources.gcm) {
    return; // this file ran already
  }

  var SIGNALS = ["ad_storage", "analytics_storage", "ad_user_data", "ad_personalization", "functionality_storage"];
  var STATES = { granted: true, denied: true };

  // ["consent", "default" | "update", {...}] as gtag pushes it (an Arguments object), or null.
  function consentCommand(entry) {
    if (!entry || typeof entry !== "object" || typeof entry.length !== "number" || entry.length < 3 ||
        entry[0] !== "consent" || (entry[1] !== "default" && entry[1] !== "update") ||
        !entry[2] || typeof entry[2] !== "object") {
      return null;
    }
    return { kind: entry[1], signals: entry[2] };
  }

  function regionMatches(regions, region) {
    if (!region) {
      return false;
    }
    var list = Array.isArray(regions) ? regions : [regions];
    var country = region.split("-")[0];
    return list.some(function (entry) {
      var code = String(entry).toUpperCase();
      return code === region || code === country;
    });
  }

  sources.gcm = function (context) {
    var log = context.log;
    var region = context.google && context.google.region;
    var general = {};
    var regional = {};
    var updates = {};
    var updated = false;

    function copy(signals, into) {
      for (var i = 0; i < SIGNALS.length; i++) {
        var value = signals[SIGNALS[i]];
        if (typeof value === "string" && STATES[value]) {
          into[SIGNALS[i]] = value;
        }
      }
    }

    function current(name) {
      return updates[name] || regional[name] || general[name] || "";
    }

    function report(kind) {
      var categories = [];
      if (current("analytics_storage") === "granted") {
        categories.push("analytics");
      }
      if (current("ad_storage") === "granted" && current("ad_user_data") !== "denied") {
        categories.push("marketing");
      }
      if (current("functionality_storage") === "granted") {
        categories.push("functional");
      }
      log.debug("gtag consent " + kind + ": " + (categories.join(", ") || "no category") + " granted");
      context.answer(categories, { decision: updated, userAction: false });
    }

    // Reads one dataLayer entry; true when it was a consent command.
    function read(entry) {
      var command = consentCommand(entry);
      if (!command) {
        return false;
      }
      if (command.kind === "update") {
        copy(command.signals, updates);
        updated = true;
      } else if (command.signals.region === undefined) {
        copy(command.signals, general);
      } else if (regionMatches(command.signals.region, region)) {
        copy(command.signals, regional);
      } else {
        return false; // a default for other regions
      }
      return true;
    }

    function watch(layer) {
      var inner = layer.push;
      var inside = false;
      function push() {
        if (inside) { // a replacement that calls the push it found (ours) as its original
          return Array.prototype.push.apply(layer, arguments);
        }
        inside = true;
        var result;
        try {
          result = inner.apply(layer, arguments);
        } finally {
          inside = false;
        }
        var seen = "";
        for (var i = 0; i < arguments.length; i++) {
          if (read(arguments[i])) {
            seen = arguments[i][1];
          }
        }
        if (seen) {
          report(seen);
        }
        return result;
      }
      Object.defineProperty(layer, "push", {
        configurable: true,
        get: function () {
          return push;
        },
        set: function (replacement) {
          inner = typeof replacement === "function" ? replacement : inner;
        },
      });
    }

    var layer = analytix.pageGlobal("dataLayer", "array", log);
    if (!layer) {
      layer = window.dataLayer = [];
    }
    var found = false;
    for (var i = 0; i < layer.length; i++) {
      found = read(layer[i]) || found;
    }
    watch(layer);
    if (found) {
      report(updated ? "update" : "default");
    } else {
      log.debug("no gtag consent command on the page yet: services that need consent wait for the consent manager");
    }
  };
})(window);
