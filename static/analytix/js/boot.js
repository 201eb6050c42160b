/*
 * analytix boot: reads the page's config blocks, logs every decision and starts the vendors.
 * Runs last (deferred), after the logger, the config reader, the loader and the vendors.
 *
 * window.analytix.services[name] keeps, per service of the page, its decision and its state:
 *   {name, label, category, on, id, reason, detail, waiting, state, consented}
 *   state: "off" | "waiting" | "scheduled" | "starting" | "loading" | "loaded" | "failed"
 *   "waiting": held until the visitor consents; analytix.consent.grant() then calls
 *   analytix.startService(name). consented: false once consent is withdrawn in the page, and
 *   then the vendor requests no further scripts and gets no further calls. advanced: Google
 *   in advanced Consent Mode, started before consent with every signal denied.
 *   "scheduled": allowed, waiting for its load trigger (triggers.js: "idle", "interaction", a
 *   facade); the page's calls to it are queued and delivered once when it starts.
 *
 * The server's decision is an optimisation, never the only gate (the page may come from a
 * shared cache): before anything starts, the visitor's own consent (consent.js re-reads the
 * cookie) and navigator.globalPrivacyControl are checked again here.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true || typeof analytix.readPageConfigs !== "function") {
    return;
  }

  var services = (analytix.services = analytix.services || {});
  var contexts = {}; // service name -> {nonce, log}: what startService needs later
  var identity = null; // the signed-in user the server put in the config (IDENTITY opt-in)
  var identityOptIn = false; // a server-written config opts the page in to identify()
  var pageRequiresConsent = false; // a config said so: without consent.js nothing then starts
  // consent.js's API, or null when it is not on the page (start.js's stand-in only queues).
  var consent = analytix.consent && typeof analytix.consent.configure === "function" ? analytix.consent : null;
  var consentMissingSaid = false;

  // The context a vendor definition gets: its logger, and loadScript bound to its record.
  function vendorContext(record, nonce, log) {
    return {
      log: log,
      record: record,
      loadScript: function (url, options) {
        if (record.consented === false) {
          log.debug("not requested (consent withdrawn):", url);
          return null;
        }
        options = options || {};
        options.nonce = nonce;
        var onload = options.onload;
        var onerror = options.onerror;
        options.onload = function () {
          if (record.state !== "failed") {
            record.state = "loaded";
          }
          if (onload) {
            onload();
          }
        };
        options.onerror = function () {
          record.state = "failed";
          if (onerror) {
            onerror();
          }
        };
        if (record.state === "starting") {
          record.state = "loading";
        }
        return analytix.loadScript(url, log, options);
      },
    };
  }

  function consentRequired() {
    return Boolean(consent && consent.state.required);
  }

  // This browser's consent to the service's category (never the server's word alone), and
  // to its vendor where a consent manager answers per vendor (TCF).
  function consentAllows(record) {
    if (!consent) {
      return !pageRequiresConsent;
    }
    return !consentRequired() || consent.allows(record.category, record.name);
  }

  // Global Privacy Control, as the browser reports it (the Sec-GPC header may not reach us).
  function gpcTurnsOff(service, gpcCategories) {
    return (
      window.navigator.globalPrivacyControl === true &&
      Array.isArray(gpcCategories) &&
      gpcCategories.indexOf(service.category) !== -1
    );
  }

  // Runs the vendor's loader; where consent applies, its own switch starts "denied" before
  // the loader and is granted after it (Google consent mode defaults, Meta revoke, ...).
  function run(record, nonce, log) {
    var definition = analytix.vendors[record.name];
    if (!definition) {
      record.on = false;
      record.state = "off";
      record.reason = "no loader";
      log.warning("not loaded: no loader script for " + record.name + " on this page");
      return;
    }
    record.on = true;
    record.waiting = false;
    record.reason = "";
    record.detail = "";
    record.state = "starting";
    record.startedAt = window.performance && window.performance.now ? window.performance.now() : 0;
    log.debug("on: loading with id " + record.id); // one line per service that starts
    var context = vendorContext(record, nonce, log);
    var switchable = consentRequired() && typeof definition.consent === "function";
    // false only for Google in advanced Consent Mode, started before the visitor answered
    var allowed = consentAllows(record);
    try {
      if (switchable) {
        context.categories = consent.state.categories;
        definition.consent(false, context);
      }
      definition.load(record.id, context);
      if (switchable && allowed) {
        definition.consent(true, context);
      }
      if (consentRequired()) {
        record.consented = true; // advanced: runs, with its own switch off until the visitor answers
      }
    } catch (error) {
      record.state = "failed";
      log.warning("loader failed:", error && error.message);
      return;
    }
    // Each service hears who the visitor is as it starts (now, or once consent is given).
    if (identity && analytix.service) {
      analytix.service(record.name).identify(identity.id, identity.traits);
    }
  }

  // IDENTITY on: the server writes true, {enabled: true} or the signed-in user {id, traits}.
  function optsIn(value) {
    return value === true || Boolean(value && typeof value === "object" &&
      (value.enabled === true || typeof value.id === "string"));
  }

  // Whether page code's identify() may send: only what a block the server wrote says (events.js).
  analytix.identityAllowed = function () {
    return identityOptIn;
  };

  function serverIdentity(value) {
    return value && typeof value === "object" && typeof value.id === "string" && value.id ? value : null;
  }

  // Starts a service that was waiting for consent (called by analytix.consent when the
  // visitor grants its category; triggers.js puts one whose consent went back to waiting).
  analytix.startService = function (name) {
    var record = services[name];
    var held = contexts[name];
    if (!record || record.state !== "waiting" || !held) {
      return false;
    }
    held.log.debug("consent given: starting");
    allow(record);
    startAtTrigger(record, held.nonce, held.log);
    return true;
  };

  // The record for one service of a config, re-checked in this browser (GPC, consent), or
  // null when a tag earlier on the page already started it.
  function prepare(service, gpcCategories) {
    var known = services[service.name];
    if (known && known.on) {
      return null;
    }
    var record = {};
    for (var key in service) {
      if (Object.prototype.hasOwnProperty.call(service, key)) {
        record[key] = service[key];
      }
    }
    record.state = "off";
    services[service.name] = record;
    if ((service.on || service.waiting) && gpcTurnsOff(service, gpcCategories)) {
      record.on = false;
      record.waiting = false;
      record.reason = "privacy";
      record.detail = "Global Privacy Control is on in this browser";
    }
    if (record.on && !consentAllows(record)) {
      record.on = false;
      record.waiting = true;
      record.reason = "consent";
      record.detail = "this browser has not consented to '" + record.category + "' (the page may come from a cache)";
    }
    if (record.waiting && consent && consent.allows(record.category, record.name)) {
      allow(record); // consent was granted before boot ran
    }
    if (record.waiting && !record.on && analytix.consentStartsEarly && analytix.consentStartsEarly(record.name)) {
      allow(record);
      record.advanced = true;
    }
    return record;
  }

  // Consent given: on, no longer held (its state moves on: "scheduled" until its trigger).
  function allow(record) {
    record.on = true;
    record.waiting = false;
    record.reason = "";
    record.detail = "";
  }

  // A reason's detail, or, where the server left it out (below debug: it names settings), how
  // to get it: QA may print debug lines on such a page (analytix.setLogLevel(.., {remember})).
  function detailOf(record, config) {
    if (record.detail || config.logLevel === "debug" || config.logLevel === "verbose") {
      return record.detail;
    }
    return "details stay on the server at LOG_LEVEL " + (config.logLevel || "warning") +
      ": manage.py analytix_report --area " + config.area + ", or the debug-toolbar panel";
  }

  function startService(record, config, log) {
    var nonce = config.nonce;
    var detail = detailOf(record, config);
    contexts[record.name] = { nonce: nonce, log: log };
    if (record.waiting && !record.on) {
      record.state = "waiting";
      log.debug("waiting for consent: " + record.category + (detail ? " (" + detail + ")" : ""));
      return;
    }
    if (record.advanced) {
      log.debug("advanced Consent Mode: starts before consent, every signal denied until the visitor answers");
    }
    if (!record.on) {
      if (record.reason !== "unknown area") { // the page's one warning said it
        log.debug("not loaded: " + record.reason + (detail ? " (" + detail + ")" : ""));
      }
      return;
    }
    startAtTrigger(record, nonce, log); // on, or waiting but consent was granted before boot ran
  }

  // The group header: the service's state as this browser decided it.
  function headerOf(record) {
    if (record.on) {
      return ["on", record.load && record.load !== "ready" ? "on: starts on " + record.load : "on"];
    }
    return record.waiting ? ["waiting", "waiting: " + record.reason] : ["off", "off: " + record.reason];
  }

  function unknownAreaWarning(config) {
    var hints = [];
    if (config.suggestion) {
      hints.push('Did you mean "' + config.suggestion + '"?');
    }
    if (config.knownAreas.length) {
      hints.push("Known areas: " + config.knownAreas.join(", "));
    }
    return 'unknown page area "' + config.area + '": no vendor scripts loaded' +
      (hints.length ? ". " + hints.join(" ") : "");
  }

  // One table per page, at debug and above, once the page has loaded and the scripts started
  // then have settled (or after SUMMARY_TRIES checks): each service's state, reason and when it
  // started (ms since the navigation began).
  var SUMMARY_TRIES = 50;
  var SUMMARY_EVERY_MS = 100;
  var summaryPrinted = false;
  function settling() {
    for (var name in services) {
      if (Object.prototype.hasOwnProperty.call(services, name) &&
          (services[name].state === "starting" || services[name].state === "loading")) {
        return true;
      }
    }
    return false;
  }

  function printSummary(triesLeft) {
    var out = window.console;
    if (summaryPrinted || !out || typeof out.table !== "function" || !analytix.logger("analytix").enabled("debug")) {
      return;
    }
    if (settling() && triesLeft > 0) {
      window.setTimeout(printSummary, SUMMARY_EVERY_MS, triesLeft - 1);
      return;
    }
    summaryPrinted = true;
    var rows = {};
    for (var name in services) {
      if (Object.prototype.hasOwnProperty.call(services, name)) {
        var record = services[name];
        rows[record.label || name] = {
          state: record.state,
          reason: record.reason || "",
          started: typeof record.startedAt === "number" ? Math.round(record.startedAt) + " ms" : "",
        };
      }
    }
    out.table(rows);
  }

  function summaryOnLoad() {
    var readyState = Object.getOwnPropertyDescriptor(window.Document.prototype, "readyState").get;
    if (readyState.call(window.document) === "complete") {
      window.setTimeout(printSummary, 0, SUMMARY_TRIES);
    } else {
      // EventTarget's own method: an element named "addEventListener" can shadow window's.
      window.EventTarget.prototype.addEventListener.call(window, "load", function () {
        window.setTimeout(printSummary, 0, SUMMARY_TRIES);
      });
    }
  }

  // --- load triggers hook (triggers.js owns the logic): run() now, or when the trigger fires.
  function startAtTrigger(record, nonce, log) {
    if (!analytix.whenTriggered) {
      run(record, nonce, log);
      return;
    }
    analytix.whenTriggered(record, function () {
      run(record, nonce, log);
    });
  }
  // --- end of the load triggers hook

  function boot() {
    var configs = analytix.readPageConfigs();
    for (var c = 0; c < configs.length; c++) {
      var config = configs[c];
      var pageLog = analytix.logger("analytix");
      pageRequiresConsent = pageRequiresConsent || Boolean(config.consent && config.consent.required);
      if (consent) {
        consent.configure(config.consent, config.gpc);
      } else if (pageRequiresConsent && !consentMissingSaid) {
        consentMissingSaid = true; // fail closed: nothing that needs consent starts
        pageLog.warning("consent is required but consent.js is not on this page: services that need consent stay off");
      }
      identity = identity || serverIdentity(config.identity);
      identityOptIn = identityOptIn || optsIn(config.identity);
      if (analytix.loadPlan) {
        analytix.loadPlan(config.plan, config.area); // the tracking plan's check (plan.js)
      }
      pageLog.verbose('page area "' + config.area + '"');
      if (config.unknownArea === true) {
        pageLog.warning(unknownAreaWarning(config));
      }
      for (var s = 0; s < config.services.length; s++) {
        var service = config.services[s];
        var log = analytix.logger(service.label || service.name);
        var record = prepare(service, config.gpc);
        if (!record) {
          log.verbose("already started on this page");
          continue;
        }
        var header = headerOf(record);
        log.group(record.on ? "verbose" : "debug", startService.bind(null, record, config, log), header[0], header[1]);
      }
    }
    summaryOnLoad();
  }

  analytix.boot = boot;
  boot();
})(window);
