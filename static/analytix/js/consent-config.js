/*
 * analytix consent config: checks the consent part's keys for the consent sources, the proof
 * records and Google Consent Mode (config.js reads the rest of the block, then calls
 * analytix.readConsentParts). Each value must have the format the server writes
 * (decide/consent.py, page/config.py); a bad one is left out with a warning, as config.js does.
 *
 *   version    the policy VERSION's tag: 8 hex digits, or "" (no VERSION)
 *   services   the tag of the site's service set: 8 hex digits
 *   id         the consent id the request's cookie carried (used only when the basis matches)
 *   source     "analytix" | "cookie_consent" | "tcf" | "gcm"
 *   record     the record endpoint: a path on this site ("/analytix/consent/")
 *   tcf        {purposes: {category: [purpose ids]}, vendors: {service: GVL vendor id}}
 *   google     {mode, region, defaults: {the four v2 signals}, waitForUpdate, urlPassthrough,
 *               adsDataRedaction}
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true ||
      analytix.readConsentParts) {
    return; // not ours (logger.js did not run: see there), or this file ran already
  }

  var TAG = /^[0-9a-f]{8}$/;
  var CONSENT_ID = /^[A-Za-z0-9_-]{22}$/;
  // A path on this site: one leading "/" (never "//host" or "/\host", which leave the site).
  var SITE_PATH = /^\/(?![/\\])[!#$%&'()*+,\-./0-9:;=?@A-Z[\]_a-z~]*$/;
  var SOURCES = ["analytix", "cookie_consent", "tcf", "gcm"];
  var MODES = ["basic", "advanced"];
  var REGION = /^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$/; // ISO 3166-1 alpha-2, or a subdivision
  var SIGNALS = ["ad_storage", "analytics_storage", "ad_user_data", "ad_personalization"];
  var STATES = ["granted", "denied"];
  var MAX_PURPOSE = 11; // TCF v2.2 defines purposes 1 to 11
  var MAX_WAIT_MS = 60000;

  function isObject(value) {
    return Boolean(value) && typeof value === "object" && !Array.isArray(value);
  }

  function own(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function wholeNumber(value, low, high) {
    return typeof value === "number" && value % 1 === 0 && value >= low && value <= high;
  }

  // {purposes: {category: [1..11]}, vendors: {service: vendor id}}, or null when malformed.
  function readTcf(raw, log) {
    if (!isObject(raw) || !isObject(raw.purposes)) {
      log.warning("invalid tcf table in the config ignored");
      return null;
    }
    var table = { purposes: {}, vendors: {} };
    var categories = analytix.knownCategories(undefined, log);
    for (var category in raw.purposes) {
      if (!own(raw.purposes, category)) {
        continue;
      }
      var ids = raw.purposes[category];
      var valid = categories.indexOf(category) !== -1 && Array.isArray(ids) && ids.length > 0 &&
        ids.every(function (id) {
          return wholeNumber(id, 1, MAX_PURPOSE);
        });
      if (!valid) {
        log.warning("invalid tcf purposes in the config ignored:", String(category));
        continue;
      }
      table.purposes[category] = ids.slice();
    }
    var vendors = isObject(raw.vendors) ? raw.vendors : {};
    for (var name in vendors) {
      if (!own(vendors, name)) {
        continue;
      }
      if (typeof analytix.categoryOf !== "function" || !analytix.categoryOf(name) || !wholeNumber(vendors[name], 1, 65535)) {
        log.warning("invalid tcf vendor in the config ignored:", String(name));
        continue;
      }
      table.vendors[name] = vendors[name];
    }
    return table;
  }

  // Consent Mode's settings for this visitor, or null when malformed.
  function readGoogle(raw, log) {
    if (!isObject(raw) || !isObject(raw.defaults)) {
      log.warning("invalid Consent Mode settings in the config ignored");
      return null;
    }
    var google = {
      mode: MODES.indexOf(raw.mode) !== -1 ? raw.mode : "basic",
      region: typeof raw.region === "string" && REGION.test(raw.region) ? raw.region : null,
      defaults: {},
      waitForUpdate: wholeNumber(raw.waitForUpdate, 0, MAX_WAIT_MS) ? raw.waitForUpdate : 0,
      urlPassthrough: raw.urlPassthrough === true,
      adsDataRedaction: raw.adsDataRedaction !== false,
    };
    if (raw.mode !== undefined && raw.mode !== google.mode) {
      log.warning("unknown Consent Mode mode in the config ignored (basic):", String(raw.mode));
    }
    for (var i = 0; i < SIGNALS.length; i++) {
      var value = raw.defaults[SIGNALS[i]];
      if (value !== undefined && STATES.indexOf(value) === -1) {
        log.warning("invalid Consent Mode default in the config ignored (denied):", SIGNALS[i]);
      }
      google.defaults[SIGNALS[i]] = value === "granted" ? "granted" : "denied"; // unknown: denied
    }
    return google;
  }

  // Adds the checked keys of `raw` (the block's consent part) to `consent` (config.js's copy).
  analytix.readConsentParts = function (raw, consent, log) {
    consent.version = "";
    if (raw.version !== undefined && raw.version !== "" && !(typeof raw.version === "string" && TAG.test(raw.version))) {
      log.warning("invalid consent version tag in the config ignored");
    } else if (raw.version) {
      consent.version = raw.version;
    }
    // The server that writes a services tag reads the cookie format with the tags.
    if (typeof raw.services === "string" && TAG.test(raw.services)) {
      consent.services = raw.services;
    } else if (raw.services !== undefined) {
      log.warning("invalid consent services tag in the config ignored");
    }
    if (typeof raw.id === "string" && CONSENT_ID.test(raw.id)) {
      consent.id = raw.id;
    } else if (raw.id !== undefined) {
      log.warning("invalid consent id in the config ignored");
    }
    consent.source = "analytix";
    if (SOURCES.indexOf(raw.source) !== -1) {
      consent.source = raw.source;
    } else if (raw.source !== undefined) {
      log.warning("unknown consent source in the config ignored (analytix):", String(raw.source));
    }
    if (typeof raw.record === "string" && SITE_PATH.test(raw.record)) {
      consent.record = raw.record;
    } else if (raw.record !== undefined) {
      log.warning("invalid consent record URL in the config ignored (not a path on this site):", String(raw.record));
    }
    if (raw.tcf !== undefined) {
      consent.tcf = readTcf(raw.tcf, log);
    }
    if (raw.google !== undefined) {
      consent.google = readGoogle(raw.google, log);
    }
    return consent;
  };
})(window);
