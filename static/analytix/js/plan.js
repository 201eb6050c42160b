/*
 * analytix plan: the tracking plan's check in the page (ANALYTICS_CONFIG["PLAN_POLICY"]).
 *
 * The plan comes compiled from the server (plan/browser.py) at a content-hashed, long-cached
 * URL that the config block names ("plan"), fetched once the main script runs: the page's
 * HTML carries only that URL. Events tracked before it arrives are held, and checked when it
 * does. Each event is checked as the server checks it (plan/validate.py: the same JSON Schema
 * keywords, the same problem codes; tests/data/plan_cases.json holds both to it):
 *
 *   "flag"   sent, and a console warning          "block"   dropped, and a console warning
 *
 * and each violation is reported to the server's log (plan/reports.py), at the URL the plan
 * names ("report"): queued, then sent in one beacon when the page is hidden, or at once when
 * REPORT_MAX are queued. Event names and problem codes only: never a property's value.
 *
 * and each service gets the plan's name for it (vendors: {google: "sign_up", ...}). When the
 * plan cannot be had (not routed, refused by the CSP's connect-src, an error, no answer within
 * PLAN_WAIT_MS), the console says so and events are sent unchecked: never lost.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true ||
      analytix.planCheck) {
    return;
  }

  var PLAN_WAIT_MS = 5000;
  var NONE = 0, LOADING = 1, READY = 2, FAILED = 3;
  var state = NONE;
  var plan = null;
  var held = []; // the arguments of each planCheck made while loading
  var has = Object.prototype.hasOwnProperty;
  var log = analytix.logger("analytix plan");
  var REPORT_MAX = 20;
  var queue = []; // violations not reported yet
  var area = "";
  analytix.planViolations = []; // {event, problems, blocked}, for QA and tests

  // Sends the queued violations to the report URL (a path on this page's own origin), in
  // at most 4 KB: those left out are counted in "more", which the server's log line says.
  function report() {
    var violations = queue;
    var url = plan && plan.report;
    queue = [];
    if (!violations.length || !/^\/(?!\/)[^\s\\]*$/.test(url)) {
      return;
    }
    var more = 0, body;
    while (encodeURIComponent(body = JSON.stringify({
      area: area, path: window.location.pathname, violations: violations, more: more
    })).replace(/%../g, "_").length > 4000 && violations.length > 1) {
      violations.pop();
      more++;
    }
    url = window.location.origin + url;
    if (!window.navigator.sendBeacon || !window.navigator.sendBeacon(url, body)) {
      window.fetch(url, { method: "POST", body: body, keepalive: true, credentials: "same-origin" })
        .catch(function (error) {
          log.warning("plan violations not reported: " + (error && error.message));
        });
    }
  }

  analytix.dom.listen("visibilitychange", function () {
    if (Object.getOwnPropertyDescriptor(window.Document.prototype, "visibilityState").get.call(window.document) === "hidden") {
      report();
    }
  });
  window.EventTarget.prototype.addEventListener.call(window, "pagehide", report);

  function arrived(data, problem) {
    if (state !== LOADING) {
      return;
    }
    plan = data && data.events ? data : null;
    state = plan ? READY : FAILED;
    if (!plan) {
      log.warning("no tracking plan (" + ((problem && problem.message) || problem) + "): events sent unchecked");
    }
    var waiting = held;
    held = [];
    for (var i = 0; i < waiting.length; i++) {
      analytix.planCheck.apply(null, waiting[i]);
    }
  }

  // Called by boot.js with each config block's "plan" (undefined: the page checks nothing)
  // and area.
  analytix.loadPlan = function (url, pageArea) {
    if (state !== NONE || url === undefined) {
      return;
    }
    state = LOADING;
    area = pageArea;
    window.setTimeout(arrived, PLAN_WAIT_MS, null, "no answer");
    try {
      if (!url) {
        throw new Error("no URL: is analytix_frontend.urls routed?");
      }
      // On this page's own origin: an injected <base> must not move it (config.js: a path).
      window.fetch(window.location.origin + url, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.json() : "answered " + response.status;
      }).then(function (data) {
        arrived(data, data);
      }, arrived.bind(null, null));
    } catch (error) {
      arrived(null, error);
    }
  };

  // Whether the value passes one keyword of its schema (the server writes no other keys). As
  // in JSON Schema, a keyword about another type passes; lengths count code points.
  function passes(keyword, limit, value) {
    var type = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
    var number = type === "number";
    if (number && Math.floor(value) === value) {
      type = "integer";
    }
    if (keyword === "type") {
      return type === limit || (number && limit === "number");
    }
    if (keyword === "enum") {
      return limit.indexOf(value) > -1;
    }
    if (keyword === "pattern") {
      return type !== "string" || new RegExp(limit).test(value);
    }
    if (/Length$/.test(keyword)) {
      if (type !== "string") {
        return true;
      }
      value = value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, "_").length;
    } else if (!number) {
      return true;
    }
    return /^min/.test(keyword) ? value >= limit : value <= limit;
  }

  // The problem codes of one event, sorted: "unplanned", "<keyword>:<property>" (unknown: not in the plan).
  analytix.planProblems = function (data, name, properties) {
    var event = has.call(data.events, name) && data.events[name];
    if (!event) {
      return ["unplanned"];
    }
    var problems = [];
    var schemas = event.properties || {};
    (event.required || []).forEach(function (key) {
      if (!has.call(properties, key)) {
        problems.push("required:" + key);
      }
    });
    Object.keys(properties).forEach(function (key) {
      var schema = has.call(schemas, key) ? schemas[key] : null;
      if (!schema) {
        problems.push("unknown:" + key);
      }
      for (var keyword in schema) {
        if (has.call(schema, keyword) && !passes(keyword, schema[keyword], properties[key])) {
          problems.push(keyword + ":" + key);
        }
      }
    });
    return problems.sort();
  };

  // Calls send(names), names being each service's name for the event: now, once the plan has
  // arrived, or never (blocked). Returns send's result, `pending` while held, [] when dropped.
  analytix.planCheck = function (name, properties, send, pending) {
    if (state === LOADING) {
      held.push(arguments);
      return pending;
    }
    if (state !== READY) {
      return send({});
    }
    var problems = analytix.planProblems(plan, name, properties);
    var blocked = problems.length > 0 && plan.policy === "block";
    if (problems.length) {
      var violation = { event: name, problems: problems, blocked: blocked };
      analytix.planViolations.push(violation);
      if (queue.push(violation) >= REPORT_MAX) {
        report();
      }
      log.warning('event "' + name + '" ' + (blocked ? "dropped" : "sent") + " (PLAN_POLICY " + plan.policy + "): " +
        problems.join(", ") + "; see " + plan.source);
    }
    return blocked ? [] : send(plan.events[name] ? plan.events[name].vendors || {} : {});
  };
})(window);
