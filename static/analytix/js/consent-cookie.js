/*
 * analytix consent cookie: the first-party cookie that carries the visitor's consent, in the
 * format decide/consent.py reads:
 *
 *   <categories>:<consent id>:<version tag>:<services tag>
 *   analytics,marketing:8gq3FJvC2x0Wd_9LbT-k1A:1a2b3c4d:9f8e7d6c
 *
 *   categories   comma-separated, or "none"
 *   consent id   22 characters [A-Za-z0-9_-] (16 random bytes, base64url), made at the
 *                visitor's first decision and kept after: it names the visitor's proof records
 *   tags         copied from the page config (the server computes them): a cookie whose tags
 *                differ from the current ones is undecided, so a new policy VERSION or a new
 *                set of services asks again
 *
 * A cookie in the old format (categories only) counts as before when the site has no VERSION,
 * and as undecided when it has one. A server that writes no services tag in the config reads
 * only the old format, so that is what is written for it.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true ||
      analytix.consentCookie) {
    return; // not ours (logger.js did not run: see there), or this file ran already
  }

  var MAX_AGE_SECONDS = 180 * 24 * 60 * 60;
  var CONSENT_ID = /^[A-Za-z0-9_-]{22}$/;
  var ID_BYTES = 16;

  // This browser's cookies, read as Django reads them (django.http.parse_cookie: split on
  // ";", trimmed, quotes and escapes undone, the last of a name wins), so that a value can be
  // compared with the raw value the server read. analytix.dom.cookie() reads the getter on the
  // prototype: an element named "cookie" cannot stand in for it.
  function read() {
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

  // The known categories a cookie lists, as consent.py reads them (unknown words ignored).
  function categoriesOf(text, log) {
    var words = text.replace(/ /g, "").split(",");
    return analytix.knownCategories(undefined, log).filter(function (category) {
      return words.indexOf(category) !== -1;
    });
  }

  /* What the cookie's raw value says: {categories, decided, id, why}. `tags`: the page's
     {version, services}; services is undefined for a server that writes no tags. `why` says,
     for the console, why a cookie that is there counts as undecided. */
  function parse(raw, tags, log) {
    var answer = { categories: [], decided: false, id: "", why: "" };
    if (typeof raw !== "string") {
      return answer;
    }
    var parts = raw.split(":");
    if (parts.length === 1) {
      if (tags.version && tags.services !== undefined) {
        answer.why = "it was written before the site's policy VERSION: ask again";
        return answer;
      }
      answer.categories = categoriesOf(raw, log);
      answer.decided = true;
      return answer;
    }
    if (parts.length !== 4) {
      answer.why = "its value is not in the consent cookie's format";
      return answer;
    }
    answer.id = CONSENT_ID.test(parts[1]) ? parts[1] : "";
    if (tags.services !== undefined && (parts[2] !== tags.version || parts[3] !== tags.services)) {
      answer.why = parts[2] !== tags.version
        ? "the site's policy VERSION changed since the visitor chose: ask again"
        : "the site's set of services changed since the visitor chose: ask again";
      return answer;
    }
    answer.categories = categoriesOf(parts[0], log);
    answer.decided = true;
    return answer;
  }

  // The cookie's value for these categories (the old format for a server without tags).
  function format(categories, id, tags) {
    var text = categories.length ? categories.join(",") : "none";
    if (tags.services === undefined) {
      return text;
    }
    return [text, id, tags.version || "", tags.services].join(":");
  }

  function write(name, value) {
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    analytix.dom.setCookie(name + "=" + value + "; path=/; max-age=" + MAX_AGE_SECONDS + "; SameSite=Lax" + secure);
  }

  // A new consent id: 16 random bytes, base64url without padding (22 characters).
  function newId() {
    var crypto = window.crypto;
    if (!crypto || typeof crypto.getRandomValues !== "function") {
      return "";
    }
    var bytes = crypto.getRandomValues(new window.Uint8Array(ID_BYTES));
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // The names of the basis cookies this browser does not have as the server read them
  // (null: there is no basis to compare).
  function basisDifferences(basis, cookies) {
    if (!basis) {
      return null;
    }
    return Object.keys(basis).filter(function (name) {
      return (Object.prototype.hasOwnProperty.call(cookies, name) ? cookies[name] : null) !== basis[name];
    });
  }

  /* The visitor's consent for this page: the server's answer (pageConsent.granted, .decided)
     when the cookies it came from (its basis) are this browser's, else this browser's own
     cookie. {categories, decided, id, own: what the cookie alone says, note: why the server's
     answer was not used}. */
  function answerFor(pageConsent, name, tags, log) {
    var cookies = read();
    var own = parse(Object.prototype.hasOwnProperty.call(cookies, name) ? cookies[name] : null, tags, log);
    var differences = basisDifferences(pageConsent.basis, cookies);
    if (own.why) {
      log.debug("the " + name + " cookie counts as undecided: " + own.why);
    }
    if (differences && !differences.length) {
      return { categories: pageConsent.granted.slice(), decided: pageConsent.decided === true, id: own.id, own: own, note: "" };
    }
    return {
      categories: own.categories,
      decided: own.decided,
      id: own.id,
      own: own,
      note: "the page's consent answer was not made from this browser's cookies (" +
        (differences ? differences.join(", ") + " differ: a cached page, or an HttpOnly cookie" : "no basis") +
        "); using this browser's " + name + " cookie: " + (own.categories.join(", ") || "nothing"),
    };
  }

  analytix.consentCookie = { read: read, parse: parse, format: format, write: write, newId: newId, answerFor: answerFor };
})(window);
