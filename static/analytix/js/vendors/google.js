/*
 * Google Analytics 4, as Google's gtag.js snippet sets it up: a `dataLayer` queue, a `gtag`
 * function that pushes its `arguments` object (gtag.js reads Arguments objects, not arrays),
 * the "js" and "config" commands, then www.googletagmanager.com/gtag/js?id=<measurement id>
 * loaded async. A gtag already on the page (e.g. from Google Tag Manager) is reused.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true) {
    return; // not our object: logger.js did not run (see there)
  }

  var configured = {}; // measurement id -> true: "config" sends a page view, so only once
  var consentDefaultSent = false;
  var configSent = false;

  // The page's own dataLayer and gtag (Google Tag Manager's) are reused; an element that
  // clobbers either name is not.
  function ensureGtag(log) {
    window.dataLayer = analytix.pageGlobal("dataLayer", "array", log) || [];
    if (!analytix.pageGlobal("gtag", "function", log)) {
      window.gtag = function gtag() {
        window.dataLayer.push(arguments);
      };
    }
  }

  analytix.registerVendor("google", {
    load: function (measurementId, vendor) {
      if (configured[measurementId]) {
        vendor.log.verbose("already configured on this page");
        return;
      }
      configured[measurementId] = true;
      ensureGtag(vendor.log);
      window.gtag("js", new Date());
      window.gtag("config", measurementId);
      configSent = true;
      vendor.loadScript(
        "https://www.googletagmanager.com/gtag/js?id=" + encodeURIComponent(measurementId)
      );
    },
    // Events: gtag("event", name, params); identify: gtag("set", ...). GA4's naming rules and
    // limits are applied by the helpers below.
    global: "gtag",
    beacon: true, // gtag.js sends hits with navigator.sendBeacon when asked: links need not wait
    call: function (args) {
      return window.gtag.apply(window, args);
    },
    track: function (name, properties, options) {
      var params = mapped(properties, NAME_MAX, VALUE_MAX);
      if (options.beacon) {
        params.transport_type = "beacon";
      }
      return [["event", analytix.eventKey(name, NAME_MAX), params]];
    },
    identify: function (id, traits) {
      var calls = [["set", { user_id: id }]];
      if (Object.keys(traits).length) {
        calls.push(["set", "user_properties", mapped(traits, USER_PROPERTY_NAME_MAX, USER_PROPERTY_VALUE_MAX)]);
      }
      return calls;
    },

    // Consent mode v2: the first call before "config" sets the defaults; any later one updates.
    // analytics_storage follows the analytics category; the ad_* signals follow marketing.
    consent: function (granted, vendor) {
      ensureGtag(vendor.log);
      var marketing = granted && (vendor.categories || []).indexOf("marketing") !== -1;
      var state = {
        analytics_storage: granted ? "granted" : "denied",
        ad_storage: marketing ? "granted" : "denied",
        ad_user_data: marketing ? "granted" : "denied",
        ad_personalization: marketing ? "granted" : "denied",
      };
      window.gtag("consent", consentDefaultSent || configSent ? "update" : "default", state);
      consentDefaultSent = true;
    },
  });

  // GA4 wants event and parameter names of letters, digits and underscores starting with a
  // letter (at most 40 characters), at most 25 parameters, text values of at most 100
  // characters; user properties 24 / 36. (Declared below, used only once events are sent.)
  var NAME_MAX = 40;
  var PARAMS_MAX = 25;
  var VALUE_MAX = 100;
  var USER_PROPERTY_NAME_MAX = 24;
  var USER_PROPERTY_VALUE_MAX = 36;

  // GA4 keeps numbers and text; anything else is sent as its JSON text ("items" stays a list).
  function value(key, raw, maxLength) {
    if (typeof raw === "number" || (key === "items" && Array.isArray(raw))) {
      return raw;
    }
    var text = typeof raw === "string" ? raw : JSON.stringify(raw);
    return text.slice(0, maxLength);
  }

  function mapped(properties, nameMax, valueMax) {
    var params = {};
    var keys = Object.keys(properties).slice(0, PARAMS_MAX);
    keys.forEach(function (key) {
      if (properties[key] !== null) {
        var name = analytix.eventKey(key, nameMax);
        params[name] = value(name, properties[key], valueMax);
      }
    });
    return params;
  }
})(window);
