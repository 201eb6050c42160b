/*
 * analytix consent: window.analytix.consent, the page's switch for the visitor's consent.
 *
 *   analytix.consent.grant(["analytics", "marketing"], {source: "banner"}) // omit the list: every category
 *   analytix.consent.withdraw({source: "banner"})         // or withdraw(["marketing"], options)
 *   analytix.consent.reject({source: "banner"})           // "reject all": nothing granted
 *   analytix.consent.state   // {required, categories, decided, id, source}
 *   analytix.consent.onChange(function (state, change) {...})  // change: {action, source}
 *   analytix.consent.privacyStatus()   // {gpc, honored, text}
 *
 * Each decision (in the page, or from the site's consent manager: cmp-tcf.js, cmp-gcm.js)
 * writes the consent cookie (consent-cookie.js), starts the waiting services it allows and
 * stops the running ones it no longer allows, without a reload: the vendor's own switch,
 * its cookies removed (vendor-cookies.js), no further scripts or calls. It is sent to the
 * site's record endpoint when there is one (consent-record.js).
 * Runs before the vendor files and boot.js; boot.js calls configure() with each config block.
 *
 * The server's answer in the config is used only when the cookies it came from (its "basis")
 * are the ones this browser has; otherwise (a page from a shared cache, rendered for another
 * visitor) the visitor's own consent cookie alone decides. With a consent manager as the
 * source, its answer in this page decides, and services wait for it.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true ||
      typeof analytix.knownCategories !== "function" || !analytix.consentCookie || !analytix.vendorCookies ||
      !analytix.consentRecord || (analytix.consent && analytix.consent.state)) {
    return;
  }

  var STARTED = { starting: true, loading: true, loaded: true, failed: true }; // a scheduled one is checked at its trigger
  var SOURCES = ["api", "banner", "cookie_consent", "tcf", "gcm"]; // a decision's source, as recorded
  var CMP_LABELS = { tcf: "IAB TCF", gcm: "Consent Mode" }; // the consent managers we listen to
  var DELETE_AGAIN_MS = 500; // a second pass, for a vendor script that writes once more as it stops
  var log = analytix.logger("Consent");
  var jar = analytix.consentCookie;

  var site = { required: false, cookie: "analytix_consent", source: "analytix", tags: { version: "" },
    record: "", google: null, tcf: null, gpc: [] };
  var granted = [];
  var decided = false; // the visitor has answered, in this page or before (the cookie says so)
  var decidedInPage = false;
  var consentId = "";
  var stored = { categories: [], decided: false }; // what the cookie said last: a CMP's restored answer is recorded only when it differs
  var deniedServices = {}; // service -> true: the consent manager refused that vendor (TCF)
  var listeners = [];
  var cmpStarted = false;
  var gpcRecorded = false;

  function known(categories) {
    return analytix.knownCategories(categories, log);
  }

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function allows(category, service) {
    return granted.indexOf(category) !== -1 && !(service && deniedServices[service] === true);
  }

  function declinedServices() {
    return Object.keys(analytix.vendorCookies.table).filter(function (name) {
      return !allows(analytix.categoryOf(name), name);
    });
  }

  // Turns each running vendor's own switch to match the consent; a vendor without one gets no
  // further scripts or calls (record.consented false), and its cookies go with the others.
  function applyToRunningVendors() {
    var services = analytix.services || {};
    for (var name in services) {
      var record = has(services, name) ? services[name] : null;
      if (!record || !STARTED[record.state]) {
        continue;
      }
      var allowed = allows(record.category, name);
      if (record.consented === (allowed || record.advanced === true) && name !== "google") {
        continue; // Google's signals also follow the other categories: always updated
      }
      record.consented = allowed || record.advanced === true; // advanced: Google keeps running, denied
      var definition = analytix.vendors && analytix.vendors[name];
      var vendorLog = analytix.logger(record.label || name);
      if (!definition || typeof definition.consent !== "function") {
        vendorLog.debug(allowed ? "consent granted" : "stopped: no further scripts or calls (it has no consent switch of its own)");
        continue;
      }
      try {
        definition.consent(allowed, { log: vendorLog, record: record, categories: granted.slice() });
        vendorLog.debug("consent " + (allowed ? "granted" : "withdrawn") + ": its own switch is " + (allowed ? "on" : "off"));
      } catch (error) {
        vendorLog.warning("consent switch failed:", error && error.message);
      }
    }
  }

  function startWaiting() {
    var services = analytix.services || {};
    for (var name in services) {
      if (has(services, name) && services[name].state === "waiting" && allows(services[name].category, name) &&
          analytix.startService) {
        analytix.startService(name);
      }
    }
  }

  // Removes the first-party cookies of every vendor whose category is not granted.
  function removeDeclined(why) {
    var result = analytix.vendorCookies.remove(declinedServices());
    if (result.removed.length) {
      log.debug("removed cookies (" + why + "): " + result.removed.join(", "));
    }
    if (result.left.length) {
      log.warning("could not remove cookies (set by the server as HttpOnly, or on another path): " + result.left.join(", "));
    }
  }

  // One record for the site's endpoint (when it has one): `id` and `categories` default to the
  // visitor's consent id and granted categories.
  function record(action, source, tcString, id, categories) {
    if (!site.record) {
      return;
    }
    id = id || consentId;
    if (!id) {
      log.warning("consent record not sent: this browser cannot make a consent id (no crypto.getRandomValues)");
      return;
    }
    var entry = { id: id, action: action, categories: (categories || granted).slice(), version: site.tags.version || "",
      services: site.tags.services || "", source: source, page: window.location.pathname };
    if (typeof tcString === "string" && tcString) {
      entry.tcString = tcString;
    }
    analytix.consentRecord.send(site.record, entry, log);
  }

  function state() {
    return { required: site.required, categories: granted.slice(), decided: decided, id: consentId, source: site.source };
  }

  function notify(change) {
    for (var i = 0; i < listeners.length; i++) {
      try {
        listeners[i](state(), change);
      } catch (error) {
        log.warning("an onChange callback failed:", error && error.message);
      }
    }
  }

  function sameCategories(a, b) {
    return a.length === b.length && a.every(function (category) {
      return b.indexOf(category) !== -1;
    });
  }

  // grant / withdraw / reject from what changed (a consent manager's answer names no action).
  function actionOf(previous, next) {
    if (!next.length) {
      return previous.length ? "withdraw" : "reject";
    }
    return previous.some(function (category) {
      return next.indexOf(category) === -1;
    }) ? "withdraw" : "grant";
  }

  /* One decision. details: {action, source, tcString, services (TCF's refused vendors),
     userAction (false: a consent manager's stored answer, recorded only when new to this
     browser), decision (false: a consent manager's default, not the visitor's answer)}. */
  function decide(next, details) {
    // What the visitor had chosen: in this page, else what the cookie said (a CMP's first answer)
    var previous = decided ? granted.slice() : stored.decided ? stored.categories : [];
    granted = known(undefined).filter(function (category) {
      return next.indexOf(category) !== -1;
    });
    if (details.services) {
      deniedServices = details.services;
    }
    var action = details.action || actionOf(previous, granted);
    var answer = details.decision !== false;
    var news = !stored.decided || !sameCategories(stored.categories, granted);
    if (answer) {
      decided = decidedInPage = true;
      consentId = consentId || jar.newId();
      jar.write(site.cookie, jar.format(granted, consentId, site.tags));
      stored = { categories: granted.slice(), decided: true };
    }
    log.debug(action + " (source " + details.source + "): " + (granted.join(", ") || "nothing") + " granted" +
      (answer ? "" : " by default, until the visitor answers"));
    applyToRunningVendors();
    startWaiting();
    if (answer) {
      removeDeclined(action);
      window.setTimeout(removeDeclined, DELETE_AGAIN_MS, action + ", second pass");
      if (details.userAction !== false || news) {
        record(action, details.source, details.tcString);
      }
    }
    notify({ action: answer ? action : "default", source: details.source });
  }

  // (categories, options) or (options): the list is optional.
  function split(args) {
    var first = args[0];
    var options = first && typeof first === "object" && !Array.isArray(first) ? first : args[1];
    var source = options && options.source !== undefined ? options.source : "api";
    if (SOURCES.indexOf(source) === -1) {
      log.warning("unknown consent source ignored (api):", String(source));
      source = "api";
    }
    if (site.source === "tcf" || site.source === "gcm") {
      log.debug("this site's consent comes from its consent manager (" + CMP_LABELS[site.source] + "): its next answer replaces this one");
    }
    return { categories: first === options ? undefined : first, source: source };
  }

  // Reads the visitor's consent for this page (consent-cookie.js); with a consent manager,
  // nothing counts until it answers.
  function readVisitor(pageConsent) {
    var answer = jar.answerFor(pageConsent, site.cookie, site.tags, log);
    consentId = answer.id || consentId;
    stored = { categories: answer.own.categories, decided: answer.own.decided };
    if (CMP_LABELS[site.source]) {
      granted = [];
      decided = false;
      log.debug("waiting for the site's consent manager (" + CMP_LABELS[site.source] + ")");
      return;
    }
    granted = answer.categories;
    decided = answer.decided;
    if (site.required && answer.note) {
      log.debug(answer.note);
    }
  }

  function startConsentManager() {
    var start = analytix.consentSources && analytix.consentSources[site.source];
    if (cmpStarted || !CMP_LABELS[site.source]) {
      return;
    }
    cmpStarted = true;
    if (typeof start !== "function") {
      log.warning("the consent source is " + site.source + " but cmp-" + site.source + ".js is not on this page: services that need consent keep waiting");
      return;
    }
    start({
      log: analytix.logger(CMP_LABELS[site.source]),
      tcf: site.tcf,
      google: site.google,
      answer: function (categories, details) {
        details.source = site.source;
        decide(categories, details);
      },
      // The consent manager says no consent is needed for this visitor (TCF: gdprApplies false).
      notNeeded: function (why) {
        site.required = false;
        log.debug("consent is not needed: " + why);
        decide(known(undefined), { source: site.source, decision: false });
      },
    });
  }

  // Global Privacy Control honoured: the status elements, and one record per page load (with
  // the visitor's consent id, or an id for this page alone: none is stored for it).
  function honourGpc() {
    var status = analytix.consentRecord.privacyStatus(site.gpc);
    if (!status.honored || gpcRecorded || !site.record) {
      return;
    }
    gpcRecorded = true;
    var left = granted.filter(function (category) {
      return site.gpc.indexOf(category) === -1;
    });
    record("gpc", CMP_LABELS[site.source] ? site.source : "api", "", consentId || jar.newId(), left);
  }

  analytix.consent = {
    grant: function () {
      var call = split(arguments);
      var adding = known(call.categories);
      decide(granted.concat(adding), { action: "grant", source: call.source });
    },
    withdraw: function () {
      var call = split(arguments);
      var removing = known(call.categories);
      decide(granted.filter(function (category) {
        return removing.indexOf(category) === -1;
      }), { action: "withdraw", source: call.source });
    },
    reject: function () {
      decide([], { action: "reject", source: split(arguments).source });
    },
    allows: function (category, service) {
      return allows(category, typeof service === "string" ? service : "");
    },
    onChange: function (callback) {
      if (typeof callback !== "function") {
        log.warning("onChange needs a function");
        return function () {};
      }
      listeners.push(callback);
      return function () {
        listeners = listeners.filter(function (listener) {
          return listener !== callback;
        });
      };
    },
    privacyStatus: function () {
      return analytix.consentRecord.privacyStatus(site.gpc);
    },
    // Called by boot.js with each config block's consent part (checked by config.js and
    // consent-config.js) and its GPC categories; consent given in this page wins.
    configure: function (pageConsent, gpcCategories) {
      if (Array.isArray(gpcCategories)) {
        site.gpc = gpcCategories;
      }
      if (pageConsent) {
        site.required = pageConsent.required === true;
        site.cookie = pageConsent.cookie || site.cookie;
        site.source = pageConsent.source || site.source;
        site.tags = { version: pageConsent.version || "", services: pageConsent.services };
        site.record = pageConsent.record || site.record;
        site.google = pageConsent.google || site.google;
        site.tcf = pageConsent.tcf || site.tcf;
        if (!decidedInPage) {
          readVisitor(pageConsent);
          if (site.required && decided) {
            removeDeclined("declined before this page");
          }
        }
      }
      honourGpc();
      startConsentManager();
    },
  };

  Object.defineProperty(analytix.consent, "state", { enumerable: true, get: state });

  // For the Google loader: Consent Mode's settings for this visitor (the config's consent.google).
  analytix.consentMode = function () {
    return site.google;
  };
  // Whether the consent manager refused this vendor (TCF vendor consent).
  analytix.consentVendorDenied = function (service) {
    return deniedServices[service] === true;
  };
  // Global Privacy Control turns this category off in this browser (whatever the visitor or a
  // consent manager grants): Google's ad signals stay denied when it covers "marketing".
  analytix.consentGpcRefuses = function (category) {
    return window.navigator.globalPrivacyControl === true && site.gpc.indexOf(category) !== -1;
  };
  // Advanced Consent Mode: Google starts before consent, every signal denied (boot.js).
  analytix.consentStartsEarly = function (service) {
    return service === "google" && site.required && Boolean(site.google) && site.google.mode === "advanced";
  };
})(window);
