/*
 * analytix config reader: the JSON blocks that {% analytics_scripts %} writes.
 *
 * Only blocks the server wrote are read: a block must carry the CSP nonce of this script
 * (recorded as it runs), which HTML injected into the page cannot know. A block without it is
 * skipped with a warning. On a page without a nonce the blocks cannot be told apart, so they
 * are all read, with one warning (docs/privacy.md, "What holds against injected HTML").
 * Each value taken from a block is checked against the formats the server uses; a bad one is
 * ignored with a warning. Each block is read once, even when the tag appears twice.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true || analytix.readPageConfigs) {
    return;
  }

  // The formats the server checks: services.py (id_pattern) and consent.py (COOKIE_NAME,
  // CATEGORIES), services.LOG_LEVELS. tests/test_attack_config.py keeps them equal.
  var FORMATS = {
    google: "G-[A-Z0-9]{4,16}",
    hubspot: "[0-9]{1,12}",
    kissmetrics: "[0-9a-f]{40}",
    drift: "[a-z0-9]{6,32}",
    fullstory: "o-[A-Z0-9]{3,16}-[a-z]{2}[0-9]|[A-Z0-9]{3,16}",
    facebook_pixel: "[0-9]{10,20}",
    cookieName: "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+",
  };
  // Each service's console name and consent category (services.py): the server leaves them out.
  var SERVICES = {
    google: ["Google Analytics", "analytics"],
    hubspot: ["HubSpot", "marketing"],
    kissmetrics: ["Kissmetrics", "analytics"],
    drift: ["Drift", "functional"],
    fullstory: ["FullStory", "analytics"],
    facebook_pixel: ["Meta Pixel", "marketing"],
  };
  var CATEGORIES = ["analytics", "marketing", "functional"];
  var LEVELS = ["off", "warning", "debug", "verbose"];
  var TRIGGERS = ["ready", "idle", "interaction", "facade"]; // triggers.py
  // start.js's table of each service's default trigger (the server writes only others).
  var DEFAULT_LOAD = analytix.__defaultLoad__ || {};
  var DEFAULT_GPC = ["analytics", "marketing"]; // rules/gpc.py: absent from the config
  var SELECTOR = 'script[type="application/json"][data-analytix-config]';
  var log = analytix.logger("analytix");
  var levelSet = false;
  var unauthenticatedWarned = false;
  var nonceMissingWarned = false;

  function matches(format, value) {
    return typeof value === "string" && new RegExp("^(?:" + FORMATS[format] + ")$").test(value);
  }

  // A document property as the browser defines it: <img name="currentScript"> and the like
  // shadow document properties (DOM clobbering), never the getter on the prototype.
  function documentValue(name) {
    var proto = window.Document && window.Document.prototype;
    var descriptor = proto && Object.getOwnPropertyDescriptor(proto, name);
    return descriptor && descriptor.get ? descriptor.get.call(document) : undefined;
  }

  function nonceOf(element) {
    return element.nonce || element.getAttribute("nonce") || "";
  }

  // This script's own nonce, read once as it runs (deferred and external: currentScript is set).
  var current = documentValue("currentScript");
  var scriptNonce = current instanceof window.HTMLScriptElement ? nonceOf(current) : "";
  // A copy of this file without the nonce of the script that made window.analytix (start.js)
  // was put on the page by HTML: it reads no block, and the server's copy then does.
  if (scriptNonce !== analytix.__nonce__ && analytix.__nonce__ !== undefined) {
    log.warning("a copy of config.js without this page's CSP nonce was ignored (HTML injected into the page?)");
    return;
  }

  // Missing nonce (the server found none) while a policy refuses scripts: say so, once.
  function warnNonceMissing(what) {
    if (!nonceMissingWarned) {
      nonceMissingWarned = true;
      log.warning(
        what + " and this page has no CSP nonce: the server found none for it, so a nonce-based " +
          "policy blocks the vendor scripts (see docs/privacy.md, Content-Security-Policy)"
      );
    }
  }
  if (!scriptNonce) {
    analytix.dom.listen("securitypolicyviolation", function (event) {
      if (String(event.effectiveDirective || event.violatedDirective).indexOf("script-src") === 0) {
        warnNonceMissing("a Content-Security-Policy blocked the script " + event.blockedURI);
      }
    });
  }

  // A known service's consent category, or null (vendor-cookies.js and the TCF table use it).
  analytix.categoryOf = function (name) {
    return Object.prototype.hasOwnProperty.call(SERVICES, name) ? SERVICES[name][1] : null;
  };

  // The known consent categories in `value` (a list or one name; undefined: every category),
  // each unknown one ignored with a warning on `warnLog`.
  analytix.knownCategories = function (value, warnLog) {
    var list = value === undefined ? CATEGORIES : typeof value === "string" ? [value] : value;
    var result = [];
    for (var i = 0; Array.isArray(list) && i < list.length; i++) {
      if (CATEGORIES.indexOf(list[i]) === -1) {
        warnLog.warning("unknown consent category ignored:", String(list[i]));
      } else if (result.indexOf(list[i]) === -1) {
        result.push(list[i]);
      }
    }
    if (!Array.isArray(list)) {
      warnLog.warning("consent categories must be a list; ignored:", String(list));
    }
    return result;
  };

  function text(value) {
    return typeof value === "string" ? value : "";
  }

  // One service record with only the fields boot.js uses, or null for an unknown service.
  function readService(raw) {
    var name = raw && raw.name;
    if (typeof name !== "string" || !Object.prototype.hasOwnProperty.call(SERVICES, name)) {
      log.warning("unknown service in the config ignored:", String(name));
      return null;
    }
    var service = {
      name: name,
      label: SERVICES[name][0],
      category: SERVICES[name][1],
      on: raw.on === true,
      id: raw.id === undefined || raw.id === null ? null : raw.id,
      reason: text(raw.reason),
      detail: text(raw.detail),
      waiting: raw.waiting === true,
    };
    // Its load trigger (triggers.js; absent: its default, else "ready") and a facade's stylesheet URL.
    if (TRIGGERS.indexOf(raw.load) !== -1) {
      service.load = raw.load;
    } else if (raw.load !== undefined) {
      log.warning(service.label + ": unknown load trigger in the config ignored:", String(raw.load));
    }
    if (raw.load === undefined && Object.prototype.hasOwnProperty.call(DEFAULT_LOAD, name)) {
      service.load = DEFAULT_LOAD[name];
    }
    if (typeof raw.facadeStyle === "string" && /^(https?:)?\//.test(raw.facadeStyle)) {
      service.facadeStyle = raw.facadeStyle;
    }
    var invalid = service.id !== null && !matches(name, service.id);
    if (invalid) {
      log.warning(service.label + ": invalid id in the config ignored:", String(service.id));
    }
    if (invalid || (service.id === null && (service.on || service.waiting))) {
      service.id = null;
      service.on = service.waiting = false;
      service.reason = invalid ? "invalid id" : "no id";
      service.detail = "";
    }
    return service;
  }

  // The consent part: {required, cookie, granted, decided, basis}; bad values left out.
  function readConsent(raw) {
    if (!raw || typeof raw !== "object") {
      return null;
    }
    var consent = {
      required: raw.required === true,
      granted: analytix.knownCategories(raw.granted === undefined ? [] : raw.granted, log),
      decided: raw.decided === true,
    };
    if (matches("cookieName", raw.cookie)) {
      consent.cookie = raw.cookie;
    } else if (raw.cookie !== undefined) {
      log.warning("invalid consent cookie name in the config ignored:", String(raw.cookie));
    }
    // The cookies the server's answer came from: name -> raw value, or null when absent.
    var basis = raw.basis;
    if (basis && typeof basis === "object" && !Array.isArray(basis)) {
      consent.basis = {};
      for (var name in basis) {
        if (!Object.prototype.hasOwnProperty.call(basis, name)) {
          continue;
        }
        if (!matches("cookieName", name) || (basis[name] !== null && typeof basis[name] !== "string")) {
          log.warning("invalid consent basis in the config ignored");
          delete consent.basis;
          break;
        }
        consent.basis[name] = basis[name];
      }
    }
    // The consent source, proof and Consent Mode keys: consent-config.js checks them.
    return analytix.readConsentParts ? analytix.readConsentParts(raw, consent, log) : consent;
  }

  function isText(value) {
    return typeof value === "string";
  }

  function readConfig(raw, nonce) {
    var config = {
      area: text(raw.area),
      unknownArea: raw.unknownArea === true,
      // With an unknown area: the areas the settings know, and the nearest one.
      knownAreas: Array.isArray(raw.knownAreas) ? raw.knownAreas.filter(isText) : [],
      suggestion: isText(raw.suggestion) ? raw.suggestion : "",
      nonce: nonce,
      services: [],
      gpc: DEFAULT_GPC.slice(),
      consent: readConsent(raw.consent),
      identity: raw.identity,
      nonceMissing: raw.nonceMissing === true,
      // The compiled tracking plan's URL (plan.js): same-origin paths only; "" when unusable.
      plan: raw.plan === undefined ? undefined : /^\/(?!\/)[^\s\\]*$/.test(raw.plan) ? raw.plan : "",
    };
    if (LEVELS.indexOf(raw.logLevel) !== -1) {
      config.logLevel = raw.logLevel;
    } else if (raw.logLevel !== undefined) {
      log.warning("unknown log level in the config ignored:", String(raw.logLevel));
    }
    if (Array.isArray(raw.gpc)) {
      config.gpc = analytix.knownCategories(raw.gpc, log);
    } else if (raw.gpc !== undefined) {
      log.warning("invalid gpc categories in the config ignored: using", DEFAULT_GPC.join(", "));
    }
    for (var s = 0; s < raw.services.length; s++) {
      var service = readService(raw.services[s]);
      if (service) {
        config.services.push(service);
      }
    }
    return config;
  }

  // Returns the config blocks not read before, checked and parsed; a block the server did not
  // write, or a broken one, is skipped with a warning.
  analytix.readPageConfigs = function () {
    var blocks = analytix.dom.queryAll(SELECTOR); // an <img name="querySelectorAll"> overrides document's own
    var configs = [];
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      if (block.hasAttribute("data-analytix-read")) {
        continue;
      }
      block.setAttribute("data-analytix-read", "");
      var nonce = nonceOf(block);
      if (scriptNonce && nonce !== scriptNonce) {
        log.warning("config block skipped: it does not carry this page's CSP nonce (not written by the server)");
        continue;
      }
      var raw;
      try {
        raw = JSON.parse(block.textContent);
      } catch (error) {
        log.warning("unreadable config block skipped:", error && error.message);
        continue;
      }
      if (!raw || !Array.isArray(raw.services)) {
        log.warning("config block without services skipped");
        continue;
      }
      if (!levelSet) {
        levelSet = true; // the first block's level, before its other values are checked
        (analytix.__pageLogLevel__ || analytix.setLogLevel)(LEVELS.indexOf(raw.logLevel) !== -1 ? raw.logLevel : "warning");
      }
      if (!scriptNonce && !unauthenticatedWarned) {
        unauthenticatedWarned = true; // debug: manage.py check --deploy warns the site owner
        log.debug(
          "this page has no CSP nonce, so its config cannot be authenticated: HTML injected into " +
            "the page could add its own (see docs/privacy.md)"
        );
      }
      var config = readConfig(raw, scriptNonce || nonce);
      if (config.nonceMissing && !scriptNonce) {
        warnNonceMissing("the server expected a CSP nonce for this page");
      }
      configs.push(config);
    }
    return configs;
  };
})(window);
