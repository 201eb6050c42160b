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
  // start.js made it (and said what it replaced), or this file makes it now.
  var analytix = ours ? existing : {};
  var replaced = ours ? existing.__replaced__ : existing === undefined ? "" : Object.prototype.toString.call(existing);
  if (!ours) {
    Object.defineProperty(analytix, "__analytix__", { value: true });
    window.analytix = analytix;
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
  var threshold = LEVELS.warning;

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
  analytix.setLogLevel = function (name) {
    if (Object.prototype.hasOwnProperty.call(LEVELS, name)) {
      threshold = LEVELS[name];
    }
    if (replacedNote) {
      write("debug", "analytix", [replacedNote]);
      replacedNote = "";
    }
  };
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

  var DOCUMENT = window.Document.prototype;
  var HEAD = Object.getOwnPropertyDescriptor(DOCUMENT, "head").get;
  var ROOT = Object.getOwnPropertyDescriptor(DOCUMENT, "documentElement").get;
  // The prototype's own accessor, looked up at each use: HTML can shadow document.cookie on
  // the document (an element named "cookie"), never on Document.prototype.
  function cookieAccessor() {
    return Object.getOwnPropertyDescriptor(DOCUMENT, "cookie");
  }
  var document = window.document;

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
