/*
 * analytix consent source "tcf": an IAB TCF v2.2 consent manager (CMP) on the page, read
 * through its `__tcfapi` (CONSENT["SOURCE"] = "tcf").
 *
 *   __tcfapi("addEventListener", 2, callback)  ->  callback(tcData, success), now and on
 *   every change. tcData.eventStatus: "tcloaded" (a stored choice, or the CMP is ready),
 *   "cmpuishown" (the CMP asks the visitor), "useractioncomplete" (the visitor chose).
 *
 * A category is granted when the visitor consented to every TCF purpose the config's table
 * lists for it (tcf.purposes, e.g. analytics: [1, 7, 8, 9, 10]); legitimate interest does not
 * count (purpose 1, storing on the device, needs consent). A service with a vendor id in the
 * table (tcf.vendors, Global Vendor List ids) also needs that vendor's consent. gdprApplies
 * false: no consent is needed for this visitor. The CMP's stub is usually on the page before
 * our scripts; if `__tcfapi` is not there yet, it is looked for again for 5 s, then a warning
 * says services that need consent keep waiting.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true) {
    return; // not ours (logger.js did not run: see there)
  }
  var sources = (analytix.consentSources = analytix.consentSources || {});
  if (sources.tcf) {
    return; // this file ran already
  }

  var TCF_VERSION = 2;
  var LOOK_EVERY_MS = 100;
  var LOOKS = 50;
  // The server's default table (decide/consent.py), for a config without one.
  var DEFAULT_TABLE = { purposes: { analytics: [1, 7, 8, 9, 10], marketing: [1, 2, 3, 4], functional: [1] }, vendors: {} };

  function consented(vector, id) {
    return Boolean(vector) && typeof vector === "object" && vector[id] === true;
  }

  // {categories, services}: the granted categories, and the services whose vendor is refused.
  function answerOf(tcData, table) {
    var purposes = (tcData.purpose && tcData.purpose.consents) || null;
    var vendors = (tcData.vendor && tcData.vendor.consents) || null;
    var categories = Object.keys(table.purposes).filter(function (category) {
      return table.purposes[category].every(function (id) {
        return consented(purposes, id);
      });
    });
    var refused = {};
    Object.keys(table.vendors).forEach(function (service) {
      if (!consented(vendors, table.vendors[service])) {
        refused[service] = true;
      }
    });
    return { categories: categories, services: refused };
  }

  sources.tcf = function (context) {
    var table = context.tcf || DEFAULT_TABLE;
    var log = context.log;
    var looks = 0;
    var failureSaid = false;
    if (!context.tcf) {
      log.warning("the config has no tcf table: using the default purposes (" + JSON.stringify(DEFAULT_TABLE.purposes) + ")");
    }

    function onData(tcData, success) {
      if (!success || !tcData || typeof tcData !== "object") {
        if (!failureSaid) {
          failureSaid = true;
          log.warning("the CMP answered __tcfapi addEventListener with a failure: services that need consent keep waiting");
        }
        return;
      }
      if (tcData.gdprApplies === false) {
        context.notNeeded("the CMP says GDPR does not apply to this visitor (gdprApplies: false)");
        return;
      }
      if (tcData.eventStatus !== "tcloaded" && tcData.eventStatus !== "useractioncomplete") {
        log.debug("the CMP asks the visitor (" + String(tcData.eventStatus) + ")");
        return;
      }
      var answer = answerOf(tcData, table);
      var refused = Object.keys(answer.services);
      log.debug(tcData.eventStatus + ": purposes give " + (answer.categories.join(", ") || "no category") +
        (refused.length ? "; vendor consent refused for " + refused.join(", ") : ""));
      context.answer(answer.categories, {
        services: answer.services,
        tcString: typeof tcData.tcString === "string" ? tcData.tcString : "",
        userAction: tcData.eventStatus === "useractioncomplete",
      });
    }

    function listen() {
      var api = analytix.pageGlobal("__tcfapi", "function", log);
      if (!api) {
        looks += 1;
        if (looks < LOOKS) {
          window.setTimeout(listen, LOOK_EVERY_MS);
        } else {
          log.warning("no IAB TCF CMP on this page (window.__tcfapi is missing): services that need consent keep waiting");
        }
        return;
      }
      try {
        api("addEventListener", TCF_VERSION, onData);
      } catch (error) {
        log.warning("__tcfapi addEventListener failed:", error && error.message);
      }
    }

    listen();
  };
})(window);
