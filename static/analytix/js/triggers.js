/*
 * analytix triggers: when each service starts (ANALYTICS_CONFIG["LOAD"], the config's "load").
 *
 *   "ready"        at once: its script goes in a task after DOMContentLoaded (loader.js)
 *   "idle"         after `load`, in requestIdleCallback with a deadline (setTimeout without it)
 *   "interaction"  the visitor's first pointerdown, keydown, scroll or touchstart
 *                  (start.js watches these two from the start: analytix.onTrigger)
 *   "facade"       a first-party stand-in (analytix.facades[name], e.g. vendors/drift-facade.js)
 *                  starts it when the visitor reaches for it
 *
 * boot.js hands each service's start to analytix.whenTriggered(record, start); until the
 * trigger fires the record's state is "scheduled", and events.js queues the page's calls for it
 * with analytix.afterStart(record, call): they run once, in order, right after it starts.
 * A trigger only delays: consent and every other rule still decide whether a service runs.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true ||
      analytix.whenTriggered || !analytix.onTrigger) {
    // Not ours (logger.js did not run: see there), this file ran already, or start.js (which
    // watches the triggers) is not on the page: then boot.js starts every service at once.
    return;
  }

  var afterStart = {}; // service name -> calls made while it was scheduled

  function secondsSinceNavigation() {
    var timing = window.performance;
    var now = timing && typeof timing.now === "function" ? timing.now() : 0;
    return (now / 1000).toFixed(1);
  }

  function stillAllowed(record) {
    var consent = analytix.consent;
    return !(consent && consent.state && consent.state.required && !consent.allows(record.category, record.name));
  }

  // Starts the service at its trigger: start() runs the vendor's loader (boot.js).
  analytix.whenTriggered = function (record, start) {
    var trigger = record.load || "ready";
    var log = analytix.logger(record.label || record.name);
    var facade = trigger === "facade" ? analytix.facades && analytix.facades[record.name] : null;
    if (trigger === "facade" && !facade) {
      log.warning("no facade script for " + record.name + " on this page: starting at the first interaction");
      trigger = "interaction";
    }
    if (trigger !== "facade" && trigger !== "idle" && trigger !== "interaction") {
      start(); // "ready", or a value this script does not know: as before triggers
      return;
    }
    record.state = "scheduled";
    function go() {
      if (record.state !== "scheduled") {
        return;
      }
      if (!stillAllowed(record)) {
        // Back to waiting: a new grant in this page starts it (analytix.startService).
        record.state = "waiting";
        record.on = false;
        record.waiting = true;
        record.reason = "consent";
        log.debug("trigger " + trigger + " fired, but consent was withdrawn: waiting for consent again");
        return;
      }
      log.verbose("trigger " + trigger + " fired after " + secondsSinceNavigation() + " s");
      start();
      var calls = afterStart[record.name] || [];
      delete afterStart[record.name];
      for (var i = 0; i < calls.length; i++) {
        calls[i]();
      }
    }
    if (facade) {
      facade(record, go, log);
    } else {
      log.debug("scheduled: starts on trigger " + trigger);
      analytix.onTrigger(trigger, go);
    }
  };

  // Holds a call for a scheduled service until it starts; false when it is not scheduled.
  analytix.afterStart = function (record, call) {
    if (record.state !== "scheduled") {
      return false;
    }
    (afterStart[record.name] = afterStart[record.name] || []).push(call);
    return true;
  };
})(window);
