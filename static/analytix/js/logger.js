/*
 * analytix logger: console lines that follow ANALYTICS_CONFIG["LOG_LEVEL"].
 *
 *   window.analytix.logger("HubSpot").verbose("loaded")  ->  "[VERBOSE] HubSpot | loaded"
 *
 * Levels: off < warning < debug < verbose. Lines are plain text so they read (and search)
 * the same everywhere; each service's boot-time lines sit in a styled console group whose
 * header says its state. logger.warning (and .debug, .verbose) is the console's own method,
 * bound to the line's prefix, so DevTools links each line to the code that logged it.
 *
 * As the main script's first file, it also makes the clobber-safe page reads the other files
 * use (analytix.pageGlobal and analytix.dom), and window.analytix where start.js has not
 * (the rule for "ours" is start.js's).
 */
(function (window) {
  "use strict";

  /* window.analytix is ours only when start.js (or this file) made it: a plain object of this
     page's realm carrying the non-enumerable own mark `__analytix__: true`. The other files
     use it only when it passes that same test:

       analytix && Object.getPrototypeOf(analytix) === Object.prototype && analytix.__analytix__ === true

     HTML alone (DOM clobbering) can put an element, a collection of them or a frame at any
     global name, never such an object; a frame's prototype is checked first, since reading a
     cross-origin frame's properties throws. Anything else there is replaced. */
  var existing = window.analytix;
  var ours = existing && Object.getPrototypeOf(existing) === Object.prototype && existing.__analytix__ === true;
  if (ours && existing.dom) {
    return; // this file ran already on this page
  }
  var DOCUMENT = window.Document.prototype;
  var document = window.document;
  if (!ours && !mayMakeAnalytix()) {
    return;
  }
  // start.js made it (and said what it replaced), or this file makes it now.
  var analytix = ours ? existing : {};
  var replaced = ours ? existing.__replaced__ : existing === undefined ? "" : Object.prototype.toString.call(existing);
  if (!ours) {
    Object.defineProperty(analytix, "__analytix__", { value: true });
    Object.defineProperty(analytix, "__nonce__", { value: ownNonce() }); // as start.js does
    window.analytix = analytix;
  }

  function nonceOf(element) {
    return element.nonce || element.getAttribute("nonce") || "";
  }
  function ownNonce() {
    var current = Object.getOwnPropertyDescriptor(DOCUMENT, "currentScript").get.call(document);
    return current instanceof window.HTMLScriptElement ? nonceOf(current) : "";
  }

  /* Without start.js on the page this file makes window.analytix, by start.js's rules: never
     while the page still parses (the server's scripts are deferred: a copy running then was
     put there by HTML), never without a nonce where the server wrote one, never beside a
     start.js tag with another nonce. Otherwise every later file finds no object: nothing runs. */
  function mayMakeAnalytix() {
    var current = Object.getOwnPropertyDescriptor(DOCUMENT, "currentScript").get.call(document);
    var nonce = ownNonce();
    var parsing = Object.getOwnPropertyDescriptor(DOCUMENT, "readyState").get.call(document) === "loading";
    var refused = parsing && !(current instanceof window.HTMLScriptElement && current.defer);
    var elements = DOCUMENT.querySelectorAll.call(document, "script[data-analytix-config],script[data-analytix-main]");
    for (var i = 0; i < elements.length && !refused; i++) {
      var other = nonceOf(elements[i]);
      refused = Boolean(other) && other !== nonce && (!nonce || elements[i].hasAttribute("data-analytix-main"));
    }
    if (refused && window.console && window.console.warn) {
      window.console.warn("[WARNING] analytix | a copy of the main script that is not the server's was ignored " +
        "(HTML injected into the page?)");
    }
    return !refused;
  }
  // Said once the log level is known (the first setLogLevel), as a debug line.
  var replacedNote = replaced ? "window.analytix was not ours (" + replaced +
    ", e.g. an element's id or name): replaced" : "";

  var LEVELS = { off: 0, warning: 1, debug: 2, verbose: 3 };
  // console.debug is hidden by default in Chromium's DevTools, so debug lines use info.
  var CONSOLE_METHODS = { warning: "warn", debug: "info", verbose: "log" };
  var GROUP_STYLE = "color:#6b3fa0;font-weight:bold";
  // Group headers: a service's state, each styled apart (boot.js names the state).
  var STATE_STYLES = {
    on: "color:#1a7f37;font-weight:bold",
    waiting: "color:#0969da;font-weight:bold",
    off: "color:#6e7781;font-weight:normal",
    failed: "color:#cf222e;font-weight:bold",
  };
  function noop() {}
  // QA's switch: setLogLevel(level, {remember: true}) keeps the level in this browser's
  // localStorage (start.js reads it too); it wins over the page's own level until
  // forgetLogLevel(). It only ever changes what the console prints.
  var STORAGE_KEY = "analytix.logLevel";
  var remembered = stored();
  var pageLevel = "warning"; // the server's (config.js), for forgetLogLevel()
  var threshold = LEVELS[remembered || pageLevel];

  function stored() {
    try {
      var value = window.localStorage.getItem(STORAGE_KEY);
      return Object.prototype.hasOwnProperty.call(LEVELS, value) ? value : "";
    } catch (blocked) { // eslint-disable-line no-unused-vars -- storage off: nothing remembered
      return "";
    }
  }

  function console_() {
    return window.console;
  }

  function enabled(level) {
    return threshold > 0 && LEVELS[level] <= threshold;
  }

  function write(level, name, args) {
    var out = console_();
    if (!out || !enabled(level)) {
      return;
    }
    var parts = Array.prototype.slice.call(args);
    var head = "[" + level.toUpperCase() + "] " + name + " |";
    // Keep a leading string in the same argument, so the line reads as one sentence.
    if (typeof parts[0] === "string") {
      parts[0] = head + " " + parts[0];
    } else {
      parts.unshift(head);
    }
    var method = out[CONSOLE_METHODS[level]] || out.log;
    method.apply(out, parts);
  }

  // The console's own method for `level`, bound to the line's prefix (a no-op when the level
  // does not print): called by the page's code, so DevTools shows that code as the source.
  function boundMethod(level, label) {
    var out = console_();
    var method = out && enabled(level) && (out[CONSOLE_METHODS[level]] || out.log);
    return method ? method.bind(out, "[" + level.toUpperCase() + "] " + label + " |") : noop;
  }

  function makeLogger(name) {
    var label = String(name);
    var logger = {
      name: label,
      enabled: enabled,
      // Runs fn inside a styled console group named after this logger, when `level` prints;
      // `state` ("on", "waiting", "off", "failed") and `summary` go in its header.
      group: function (level, fn, state, summary) {
        var out = console_();
        var grouped = out && out.group && enabled(level);
        if (grouped && STATE_STYLES[state]) {
          out.group("%c" + label + " %c" + (summary || state), GROUP_STYLE, STATE_STYLES[state]);
        } else if (grouped) {
          out.group("%c" + label, GROUP_STYLE);
        }
        try {
          fn();
        } finally {
          if (grouped) {
            out.groupEnd();
          }
        }
      },
    };
    ["warning", "debug", "verbose"].forEach(function (level) {
      Object.defineProperty(logger, level, {
        enumerable: true,
        get: function () {
          return boundMethod(level, label);
        },
      });
    });
    return logger;
  }

  analytix.logger = makeLogger;
  function sayReplaced() {
    if (replacedNote) {
      write("debug", "analytix", [replacedNote]);
      replacedNote = "";
    }
  }
  // options.remember: keep the level in this browser (localStorage) across pages and reloads.
  analytix.setLogLevel = function (name, options) {
    if (!Object.prototype.hasOwnProperty.call(LEVELS, name)) {
      write("warning", "analytix", ["unknown log level ignored: " + String(name) + " (off, warning, debug or verbose)"]);
      return;
    }
    threshold = LEVELS[name];
    if (options && options.remember === true) {
      try {
        window.localStorage.setItem(STORAGE_KEY, name);
        remembered = name;
        write("warning", "analytix", ["log level " + name + " remembered in this browser; analytix.forgetLogLevel() forgets it"]);
      } catch (error) {
        write("warning", "analytix", ["log level not remembered (this browser's storage refused it): " + (error && error.message)]);
      }
    }
    sayReplaced();
  };
  // Forgets the remembered level: back to the page's own.
  analytix.forgetLogLevel = function () {
    try {
      window.localStorage.removeItem(STORAGE_KEY);
    } catch (blocked) { // eslint-disable-line no-unused-vars -- nothing was stored then
    }
    remembered = "";
    threshold = LEVELS[pageLevel];
  };
  // The page's own level (config.js: the server's LOG_LEVEL); a remembered one wins.
  Object.defineProperty(analytix, "__pageLogLevel__", {
    value: function (name) {
      pageLevel = Object.prototype.hasOwnProperty.call(LEVELS, name) ? name : "warning";
      threshold = LEVELS[remembered || pageLevel];
      if (remembered && remembered !== pageLevel) {
        write("debug", "analytix", ["log level " + remembered + " remembered in this browser (the page's is " +
          pageLevel + "): analytix.forgetLogLevel() forgets it"]);
      }
      sayReplaced();
    },
  });
  analytix.logLevel = function () {
    for (var name in LEVELS) {
      if (LEVELS[name] === threshold) {
        return name;
      }
    }
    return "warning";
  };

  /* Clobber-safe reads of the page, for every file after this one. An id or name in the
     page's HTML gives window that element (or a collection, or a frame), and an <img>,
     <form>, <embed>, <object> or <iframe> name overrides the document's own members
     (document.head, createElement, ...). So globals are type-checked, and document methods
     come from Document.prototype, which markup cannot reach. */

  // What HTML alone can put at a name: a node, a collection of them, or a window (a frame).
  function fromMarkup(value) {
    return value instanceof window.Node || value instanceof window.HTMLCollection ||
      value instanceof window.NodeList || value === value.window;
  }

  var KINDS = {
    string: function (value) {
      return typeof value === "string";
    },
    array: Array.isArray,
    // Also a vendor's own library object (a queue that took over, an API object).
    object: function (value) {
      return typeof value === "object" && !fromMarkup(value);
    },
    // Any value a script set (a page's own use of the name).
    any: function (value) {
      return (typeof value !== "object" && typeof value !== "function") || !fromMarkup(value);
    },
    // <embed> and <object> elements were callable in older browsers.
    function: function (value) {
      return typeof value === "function" && !fromMarkup(value);
    },
  };

  // window[name] when it is of the kind ("string", "array", "object", "function", "any"), else
  // undefined: anything else there (an element that clobbers the name) counts as absent.
  analytix.pageGlobal = function (name, kind, log) {
    var value = window[name];
    if (value === undefined || value === null) {
      return undefined;
    }
    if (KINDS[kind](value)) {
      return value;
    }
    (log || makeLogger("analytix")).debug("window." + name + " ignored: not a " + kind +
      " (" + Object.prototype.toString.call(value) + ", e.g. an element's id or name)");
    return undefined;
  };

  var HEAD = Object.getOwnPropertyDescriptor(DOCUMENT, "head").get;
  var ROOT = Object.getOwnPropertyDescriptor(DOCUMENT, "documentElement").get;
  // The prototype's own accessor, looked up at each use: HTML can shadow document.cookie on
  // the document (an element named "cookie"), never on Document.prototype.
  function cookieAccessor() {
    return Object.getOwnPropertyDescriptor(DOCUMENT, "cookie");
  }

  analytix.dom = {
    create: function (tagName) {
      return DOCUMENT.createElement.call(document, tagName);
    },
    queryAll: function (selector) {
      return DOCUMENT.querySelectorAll.call(document, selector);
    },
    listen: function (type, listener) {
      DOCUMENT.addEventListener.call(document, type, listener);
    },
    cookie: function () {
      return cookieAccessor().get.call(document);
    },
    setCookie: function (text) {
      cookieAccessor().set.call(document, text);
    },
    // Appends to <head> (or the root element when there is none).
    appendToHead: function (node) {
      window.Node.prototype.appendChild.call(HEAD.call(document) || ROOT.call(document), node);
    },
  };
})(window);
