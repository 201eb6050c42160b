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
 *
 * The server's answer in the config is used only when the cookies it came from (its "basis")
 * are the ones this browser has; otherwise (a page from a shared cache, rendered for another
 * visitor) the visitor's own consent cookie alone decides.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true || typeof analytix.knownCategories !== "function" ||
      (analytix.consent && analytix.consent.state)) {
    return;
  }

  var MAX_AGE_SECONDS = 180 * 24 * 60 * 60;
  var STARTED = { starting: true, loading: true, loaded: true, failed: true };
  var log = analytix.logger("Consent");
  var required = false;
  var cookieName = "analytix_consent";
  var granted = [];
  var decidedInPage = false;
  var decided = false; // the visitor has answered, in this page or before (the cookie is set)

  function known(categories) {
    return analytix.knownCategories(categories, log);
  }

  // This browser's cookies, read as Django reads them (django.http.parse_cookie: split on
  // ";", trimmed, quotes and escapes undone, the last of a name wins), so that a value can be
  // compared with the raw value the server read. The getter on the prototype: an element
  // named "cookie" cannot stand in for it.
  function browserCookies() {
    var text = analytix.dom.cookie();
    var cookies = {};
    var chunks = typeof text === "string" ? text.split(";") : [];
    for (var i = 0; i < chunks.length; i++) {
      var at = chunks[i].indexOf("=");
      var name = (at === -1 ? "" : chunks[i].slice(0, at)).trim();
      var value = (at === -1 ? chunks[i] : chunks[i].slice(at + 1)).trim();
      if (name || value) {
        cookies[name] = unquote(value);
      }
    }
    return cookies;
  }

  // Python's http.cookies._unquote, which Django applies to every cookie value.
  function unquote(value) {
    if (value.length < 2 || value.charAt(0) !== '"' || value.charAt(value.length - 1) !== '"') {
      return value;
    }
    return value.slice(1, -1).replace(/\\(?:([0-3][0-7][0-7])|([\s\S]))/g, function (all, octal, plain) {
      return octal ? String.fromCharCode(parseInt(octal, 8)) : plain;
    });
  }

  // The categories our own cookie lists, as consent.py reads it (unknown words ignored).
  function cookieCategories(raw) {
    var words = raw.replace(/ /g, "").split(",");
    return known(undefined).filter(function (category) {
      return words.indexOf(category) !== -1;
    });
  }

  // The names of the basis cookies this browser does not have as the server read them
  // (null: there is no basis to compare).
  function basisDifferences(basis, cookies) {
    if (!basis) {
      return null;
    }
    var differences = [];
    for (var name in basis) {
      if (Object.prototype.hasOwnProperty.call(basis, name)) {
        var own = Object.prototype.hasOwnProperty.call(cookies, name) ? cookies[name] : null;
        if (own !== basis[name]) {
          differences.push(name);
        }
      }
    }
    return differences;
  }

  function writeCookie() {
    var value = granted.length ? granted.join(",") : "none";
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    analytix.dom.setCookie(
      cookieName + "=" + value + "; path=/; max-age=" + MAX_AGE_SECONDS + "; SameSite=Lax" + secure
    );
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
    // Called by boot.js with the page config's "consent" part (checked by config.js); consent
    // given in this page wins.
    configure: function (pageConsent) {
      if (!pageConsent) {
        return;
      }
      required = pageConsent.required === true;
      if (pageConsent.cookie) {
        cookieName = pageConsent.cookie;
      }
      if (decidedInPage) {
        return;
      }
      var cookies = browserCookies();
      var differences = basisDifferences(pageConsent.basis, cookies);
      if (differences && !differences.length) {
        granted = pageConsent.granted.slice();
        decided = pageConsent.decided === true;
        return;
      }
      var own = Object.prototype.hasOwnProperty.call(cookies, cookieName) ? cookies[cookieName] : null;
      granted = own === null ? [] : cookieCategories(own);
      decided = own !== null;
      if (required) {
        log.debug(
          "the page's consent answer was not made from this browser's cookies (" +
            (differences ? differences.join(", ") + " differ: a cached page, or an HttpOnly cookie" : "no basis") +
            "); using this browser's " + cookieName + " cookie: " + (granted.join(", ") || "nothing")
        );
      }
    },
  };

  Object.defineProperty(analytix.consent, "state", {
    enumerable: true,
    get: function () {
      return { required: required, categories: granted.slice(), decided: decided };
    },
  });
})(window);
