/*
 * analytix events before consent: a call made to a service that waits for the visitor's
 * consent (an event, identify, a service handle's call) is kept in memory for this page, and
 *
 *   delivered once, in order, if the visitor consents to its category on this page
 *     [DEBUG] HubSpot | event "Signed Up" delivered: consent given on this page
 *   dropped when the visitor withdraws or refuses, or when the page goes (nothing is stored)
 *     [WARNING] HubSpot | event "Signed Up" dropped: consent to 'marketing' was refused on this page
 *
 * events.js asks analytix.holdForConsent(record, what, call) before it sends; consent.js's
 * onChange says when to deliver or drop. At most MAX_HELD calls per service are kept.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true ||
      analytix.holdForConsent || !analytix.consent || typeof analytix.consent.onChange !== "function") {
    return; // not ours, this file ran already, or consent.js is not on the page
  }

  var MAX_HELD = 100; // per service: a page that tracks in a loop cannot fill the memory
  var held = {}; // service name -> [{what, call}]

  function logOf(name, record) {
    return analytix.logger((record && record.label) || name);
  }

  function drop(name, record, why) {
    var calls = held[name] || [];
    delete held[name];
    for (var i = 0; i < calls.length; i++) {
      logOf(name, record).warning(calls[i].what + " dropped: " + why);
    }
  }

  // Keeps the call when the service waits for consent; true when kept (or dropped as one too many).
  analytix.holdForConsent = function (record, what, call) {
    if (record.state !== "waiting") {
      return false;
    }
    var calls = (held[record.name] = held[record.name] || []);
    var log = logOf(record.name, record);
    if (calls.length >= MAX_HELD) {
      log.warning(what + " dropped: " + MAX_HELD + " calls already wait for consent to '" + record.category + "' on this page");
      return true;
    }
    calls.push({ what: what, call: call });
    log.debug(what + " held: waits for consent to '" + record.category + "' (sent once if the visitor consents on this page)");
    return true;
  };

  // After each decision: a service that has started gets its calls, once; one the visitor
  // withdrew or refused (still waiting) loses them.
  analytix.consent.onChange(function (state, change) {
    var services = analytix.services || {};
    Object.keys(held).forEach(function (name) {
      var record = Object.prototype.hasOwnProperty.call(services, name) ? services[name] : null;
      if (record && record.state === "waiting") {
        if (change.action === "withdraw" || change.action === "reject") {
          drop(name, record, "consent to '" + record.category + "' was " +
            (change.action === "reject" ? "refused" : "withdrawn") + " on this page");
        }
        return;
      }
      var calls = held[name];
      delete held[name];
      for (var i = 0; i < calls.length; i++) {
        logOf(name, record).debug(calls[i].what + " delivered: consent given on this page");
        calls[i].call();
      }
    });
  });

  // The page goes (a navigation, a closed tab): what still waits for consent is lost.
  window.EventTarget.prototype.addEventListener.call(window, "pagehide", function () {
    var services = analytix.services || {};
    Object.keys(held).forEach(function (name) {
      var record = Object.prototype.hasOwnProperty.call(services, name) ? services[name] : null;
      drop(name, record, "the page went while " + ((record && record.label) || name) + " waited for consent");
    });
  });
})(window);
