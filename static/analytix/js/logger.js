/*
 * analytix logger: console lines that follow ANALYTICS_CONFIG["LOG_LEVEL"].
 *
 *   window.analytix.logger("HubSpot").verbose("loaded")  ->  "[VERBOSE] HubSpot | loaded"
 *
 * Levels: off < warning < debug < verbose. Lines are plain text so they read (and search)
 * the same everywhere; each service's boot-time lines sit in a styled console group.
 */
(function (window) {
  "use strict";

  var analytix = (window.analytix = window.analytix || {});
  if (analytix.logger) {
    return; // this file ran already on this page
  }

  var LEVELS = { off: 0, warning: 1, debug: 2, verbose: 3 };
  // console.debug is hidden by default in Chromium's DevTools, so debug lines use info.
  var CONSOLE_METHODS = { warning: "warn", debug: "info", verbose: "log" };
  var GROUP_STYLE = "color:#6b3fa0;font-weight:bold";
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

  function makeLogger(name) {
    var label = String(name);
    return {
      name: label,
      warning: function () {
        write("warning", label, arguments);
      },
      debug: function () {
        write("debug", label, arguments);
      },
      verbose: function () {
        write("verbose", label, arguments);
      },
      enabled: enabled,
      // Runs fn inside a styled console group named after this logger, when `level` prints.
      group: function (level, fn) {
        var out = console_();
        var grouped = out && out.group && enabled(level);
        if (grouped) {
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
  }

  analytix.logger = makeLogger;
  analytix.setLogLevel = function (name) {
    if (Object.prototype.hasOwnProperty.call(LEVELS, name)) {
      threshold = LEVELS[name];
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
})(window);
