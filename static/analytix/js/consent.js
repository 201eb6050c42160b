/*
 * analytix consent: window.analytix.consent, the page's switch for the visitor's consent.
 *
 *   analytix.consent.grant(["analytics", "marketing"])  // omit the list to grant every category
 *   analytix.consent.withdraw()                          // or withdraw(["marketing"])
 *   analytix.consent.state  // {required, categories, decided}
 *
 * grant() writes the first-party consent cookie (read by the server on the next page), starts
 * the services of the page that were waiting for those categories (no reload), and turns on
 * each running vendor's own consent switch; withdraw() turns those switches off, and a vendor
 * whose consent is withdrawn requests no further scripts through analytix.
 * Runs before the vendor files and boot.js; boot.js calls configure() with the page's config.
 */
(function (window, document) {
  "use strict";

  var analytix = (window.analytix = window.analytix || {});
  if (analytix.consent) {
    return;
  }

  var CATEGORIES = ["analytics", "marketing", "functional"];
  var MAX_AGE_SECONDS = 180 * 24 * 60 * 60;
  var STARTED = { starting: true, loading: true, loaded: true, failed: true };
  var log = analytix.logger("Consent");
  var required = false;
  var cookieName = "analytix_consent";
  var granted = [];
  var decidedInPage = false;
  var decided = false; // the visitor has answered, in this page or before (the cookie is set)

  function known(categories) {
    var list = categories === undefined ? CATEGORIES : categories;
    if (typeof list === "string") {
      list = [list];
    }
    var result = [];
    for (var i = 0; list && i < list.length; i++) {
      if (CATEGORIES.indexOf(list[i]) === -1) {
        log.warning("unknown consent category ignored:", String(list[i]));
      } else if (result.indexOf(list[i]) === -1) {
        result.push(list[i]);
      }
    }
    return result;
  }

  function writeCookie() {
    var value = granted.length ? granted.join(",") : "none";
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie =
      cookieName + "=" + value + "; path=/; max-age=" + MAX_AGE_SECONDS + "; SameSite=Lax" + secure;
  }

  function allows(category) {
    return granted.indexOf(category) !== -1;
  }

  // Turns each running vendor's own consent switch to match the granted categories.
  function applyToRunningVendors() {
    var services = analytix.services || {};
    for (var name in services) {
      if (!Object.prototype.hasOwnProperty.call(services, name)) {
        continue;
      }
      var record = services[name];
      if (!STARTED[record.state]) {
        continue;
      }
      var allowed = allows(record.category);
      var vendorLog = analytix.logger(record.label || name);
      if (record.consented === allowed) {
        if (name !== "google") {
          continue; // Google's switch also depends on the other categories: always update it
        }
      }
      record.consented = allowed;
      var definition = analytix.vendors && analytix.vendors[name];
      if (!definition || typeof definition.consent !== "function") {
        if (!allowed) {
          vendorLog.debug("has no consent switch: it stops on the next page");
        }
        continue;
      }
      try {
        definition.consent(allowed, { log: vendorLog, record: record, categories: granted.slice() });
        vendorLog.debug("consent " + (allowed ? "granted" : "withdrawn"));
      } catch (error) {
        vendorLog.warning("consent switch failed:", error && error.message);
      }
    }
  }

  function startWaiting() {
    var services = analytix.services || {};
    for (var name in services) {
      if (Object.prototype.hasOwnProperty.call(services, name)) {
        var record = services[name];
        if (record.state === "waiting" && allows(record.category) && analytix.startService) {
          analytix.startService(name);
        }
      }
    }
  }

  analytix.consent = {
    grant: function (categories) {
      var adding = known(categories);
      for (var i = 0; i < adding.length; i++) {
        if (!allows(adding[i])) {
          granted.push(adding[i]);
        }
      }
      decidedInPage = decided = true;
      writeCookie();
      log.debug("granted: " + (granted.join(", ") || "nothing"));
      applyToRunningVendors();
      startWaiting();
    },
    withdraw: function (categories) {
      var removing = known(categories);
      granted = granted.filter(function (category) {
        return removing.indexOf(category) === -1;
      });
      decidedInPage = decided = true;
      writeCookie();
      log.debug("withdrawn: " + removing.join(", ") + "; still granted: " + (granted.join(", ") || "nothing"));
      applyToRunningVendors();
    },
    allows: allows,
    // Called by boot.js with the page config's "consent" part; consent given in this page wins.
    configure: function (pageConsent) {
      if (!pageConsent) {
        return;
      }
      required = pageConsent.required === true;
      if (typeof pageConsent.cookie === "string" && pageConsent.cookie) {
        cookieName = pageConsent.cookie;
      }
      if (!decidedInPage) {
        granted = known(pageConsent.granted || []);
        decided = pageConsent.decided === true;
      }
    },
  };

  Object.defineProperty(analytix.consent, "state", {
    enumerable: true,
    get: function () {
      return { required: required, categories: granted.slice(), decided: decided };
    },
  });
})(window, document);
