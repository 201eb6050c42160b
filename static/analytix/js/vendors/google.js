/*
 * Google Analytics 4, as Google's gtag.js snippet sets it up: a `dataLayer` queue, a `gtag`
 * function that pushes its `arguments` object (gtag.js reads Arguments objects, not arrays),
 * the "js" and "config" commands, then www.googletagmanager.com/gtag/js?id=<measurement id>
 * loaded async. A gtag already on the page (e.g. from Google Tag Manager) is reused.
 *
 * Consent Mode v2, before "config": gtag("consent", "default", {the four signals}) with the
 * server's defaults for the visitor's region (the config's consent.google.defaults: the EEA,
 * the UK and Switzerland all denied; all denied without them) and `wait_for_update`; then
 * gtag("set", "ads_data_redaction", true) and gtag("set", "url_passthrough", true) where the
 * settings say so. Every change of consent is a gtag("consent", "update", ...). In advanced
 * mode this file runs before consent (boot.js): Google's tag loads under the denied defaults
 * and sends cookieless pings until the visitor answers. With the consent source "gcm" the
 * page's consent manager sends the defaults and updates itself, and this file sends none.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true) {
    return; // not our object: logger.js did not run (see there)
  }

  var configured = {}; // measurement id -> true: "config" sends a page view, so only once
  var defaultsSent = false;
  var configSent = false;
  var SIGNALS = ["ad_storage", "analytics_storage", "ad_user_data", "ad_personalization"];

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
      if (consentMode()) {
        sendDefaults(vendor.log);
      }
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

    // Consent Mode v2: the first call before "config" sends the defaults; any later one an
    // update. analytics_storage follows the analytics category, the ad_* signals marketing
    // (in basic mode only while Google may run at all: a withdrawn Google is denied everything).
    consent: function (granted, vendor) {
      ensureGtag(vendor.log);
      if (!defaultsSent && !configSent) {
        sendDefaults(vendor.log);
        if (!granted) {
          return;
        }
      }
      defaultsSent = true;
      if (cmpSetsConsent()) {
        return;
      }
      var running = granted || Boolean(vendor.record && vendor.record.advanced);
      var marketing = running && (vendor.categories || []).indexOf("marketing") !== -1 &&
        !(analytix.consentVendorDenied && analytix.consentVendorDenied("google")) && !gpcRefusesAds();
      window.gtag("consent", "update", {
        ad_storage: marketing ? "granted" : "denied",
        analytics_storage: granted ? "granted" : "denied",
        ad_user_data: marketing ? "granted" : "denied",
        ad_personalization: marketing ? "granted" : "denied",
      });
    },
  });

  // Consent Mode's settings for this visitor (consent.js), or null.
  function consentMode() {
    return typeof analytix.consentMode === "function" ? analytix.consentMode() : null;
  }

  // The page's consent manager sets Google's consent itself (the consent source "gcm").
  function cmpSetsConsent() {
    var consent = analytix.consent;
    return Boolean(consent && consent.state && consent.state.source === "gcm");
  }

  // Global Privacy Control covers "marketing" in this browser: the ad signals stay denied.
  function gpcRefusesAds() {
    return typeof analytix.consentGpcRefuses === "function" && analytix.consentGpcRefuses("marketing");
  }

  // Before "config": the region's defaults (all denied without them), then the two settings.
  function sendDefaults(log) {
    if (defaultsSent) {
      return;
    }
    defaultsSent = true;
    var settings = consentMode();
    if (cmpSetsConsent()) {
      log.verbose("Consent Mode: the page's consent manager sends the defaults and updates");
    } else {
      var defaults = {};
      SIGNALS.forEach(function (signal) {
        defaults[signal] = settings && !(signal !== "analytics_storage" && gpcRefusesAds()) ? settings.defaults[signal] : "denied";
      });
      if (settings && settings.waitForUpdate > 0) {
        defaults.wait_for_update = settings.waitForUpdate;
      }
      window.gtag("consent", "default", defaults);
      log.debug("Consent Mode defaults" + (settings && settings.region ? " for region " + settings.region : "") + ": " +
        SIGNALS.map(function (signal) {
          return signal + " " + defaults[signal];
        }).join(", ") + (settings && settings.mode === "advanced" ? " (advanced mode)" : ""));
    }
    if (settings && settings.adsDataRedaction) {
      window.gtag("set", "ads_data_redaction", true);
    }
    if (settings && settings.urlPassthrough) {
      window.gtag("set", "url_passthrough", true);
    }
  }

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
