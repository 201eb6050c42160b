/*
 * analytix events: one call for every service of the page that records events.
 *
 *   analytix.track("Clicked Deploy", {plan: "pro"})     -> each service that is on, in its own call
 *   analytix.identify("user-42", {plan: "pro"})          -> only when the project opts in
 *   analytix.service("hubspot").call("setPath", "/x")    -> one vendor's own API, or a no-op
 *   <a href="/deploy" data-analytix-event="Clicked Deploy" data-analytix-props='{"plan":"pro"}'>
 *
 * Each vendor definition (vendors/*.js) maps an event to its vendor's documented call
 * (`track`, `identify`) and knows how to call its global (`call`); this file decides who gets
 * it (on, not failed), cleans the arguments, and logs what went where. A call made before a
 * vendor has loaded goes into that vendor's own stub queue; before its load trigger fired
 * (triggers.js), into analytix.afterStart, delivered once as it starts; while the service
 * waits for consent, it is kept in memory for this page and delivered once if the visitor
 * consents here, dropped with a warning on withdrawal, refusal or when the page goes; after
 * a failed load, or once consent is withdrawn, it is dropped. Nothing here throws into the page.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true ||
      analytix.replayEvent) {
    return; // not ours (logger.js did not run: see there), or this file ran already
  }

  var MAX_NAME_LENGTH = 255;
  var MAX_PROPERTIES_CHARS = 8192; // of JSON text: vendors cap far lower; this stops runaway payloads
  var MAX_LOGGED_CHARS = 2000;
  var NAVIGATION_DELAY_MS = 300; // the most a tracked link or form waits before it goes on
  var log = analytix.logger("analytix");
  var failureWarned = {}; // service name -> true once its dropped calls were warned about

  // "Clicked Deploy!" -> "clicked_deploy": the key form GA4 parameters and HubSpot names want.
  analytix.eventKey = function (text, maxLength) {
    var key = String(text)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "");
    if (!/^[a-z]/.test(key)) {
      key = "event" + (key ? "_" + key : "");
    }
    return key.slice(0, maxLength || key.length);
  };

  // An error's message on one short line (V8's cyclic-JSON message runs over several).
  function why(error) {
    return String((error && error.message) || error).split("\n")[0].slice(0, 200);
  }

  function has(object, key) {
    return typeof object[key] === "string" && Object.prototype.hasOwnProperty.call(object, key);
  }

  function isPlainObject(value) {
    if (!value || typeof value !== "object") {
      return false;
    }
    var proto = Object.getPrototypeOf(value);
    return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
  }

  function cleanName(name, what) {
    if (typeof name !== "string" || !name.trim()) {
      log.warning(what + " not sent: the name must be a non-empty string, got " + typeof name);
      return null;
    }
    name = name.trim();
    if (name.length > MAX_NAME_LENGTH) {
      log.warning(what + " name cut to " + MAX_NAME_LENGTH + " characters");
      name = name.slice(0, MAX_NAME_LENGTH);
    }
    return name;
  }

  // A plain JSON copy of the properties (so later changes by the page never reach a vendor),
  // or {} with a warning when they are not a plain object, not JSON, cyclic or too large.
  function cleanProperties(properties, what) {
    if (properties === undefined || properties === null) {
      return {};
    }
    if (!isPlainObject(properties)) {
      log.warning(what + ": properties must be a plain object; sent without properties");
      return {};
    }
    var text;
    try {
      text = JSON.stringify(properties);
    } catch (error) {
      log.warning(what + ": properties are not JSON (" + why(error) + "); sent without properties");
      return {};
    }
    if (text.length > MAX_PROPERTIES_CHARS) {
      log.warning(what + ": properties are " + text.length + " characters of JSON (at most " +
        MAX_PROPERTIES_CHARS + "); sent without properties");
      return {};
    }
    // "__proto__" keys stay data: never let one become a prototype in a vendor's copy.
    return JSON.parse(text, function (key, value) {
      return key === "__proto__" ? undefined : value;
    });
  }

  function describe(args) {
    var text;
    try {
      text = JSON.stringify(args);
    } catch (error) {
      text = "[unprintable: " + why(error) + "]";
    }
    return text.length > MAX_LOGGED_CHARS ? text.slice(0, MAX_LOGGED_CHARS) + "…" : text;
  }

  function serviceRecords() {
    var services = analytix.services || {};
    var records = [];
    for (var name in services) {
      if (Object.prototype.hasOwnProperty.call(services, name)) {
        records.push(services[name]);
      }
    }
    return records;
  }

  function serviceLog(record) {
    return analytix.logger(record.label || record.name);
  }

  // Why a call to this service is not made now, or "" when it can be.
  function blocker(record) {
    if (!record.on) {
      return "off (" + (record.reason || "not enabled") + (record.detail ? ": " + record.detail : "") + ")";
    }
    if (record.state === "failed") {
      return "failed";
    }
    if (record.consented === false) {
      return "consent withdrawn on this page";
    }
    var definition = analytix.vendors && analytix.vendors[record.name];
    if (!definition || typeof definition.call !== "function") {
      return "its vendor definition has no event calls";
    }
    return "";
  }

  function reportBlocked(record, what, reason) {
    var out = serviceLog(record);
    if (reason === "failed") {
      if (!failureWarned[record.name]) {
        failureWarned[record.name] = true;
        out.warning(what + " dropped: the vendor script failed to load (blocked or offline); later calls are dropped too");
      } else {
        out.debug(what + " dropped: the vendor script failed to load");
      }
      return;
    }
    out.debug(what + " not sent: " + reason);
  }

  // A service waiting for its load trigger (triggers.js) gets the call once it starts.
  function heldUntilStart(record, what, call) {
    if (!analytix.afterStart || !analytix.afterStart(record, call)) {
      return false;
    }
    serviceLog(record).debug(what + " queued: sent when the service starts (its load trigger)");
    return true;
  }

  // A service waiting for consent keeps the call for this page (consent-events.js); it is not
  // counted as delivered, so a tracked link does not wait for it.
  function heldUntilConsent(record, what, call) {
    return typeof analytix.holdForConsent === "function" && analytix.holdForConsent(record, what, call);
  }

  // One call to the vendor's global (through its definition), logged at verbose with its payload.
  function callVendor(record, what, args) {
    var definition = analytix.vendors[record.name];
    var out = serviceLog(record);
    if (out.enabled("verbose")) {
      out.verbose(what + " -> " + definition.global + " " + describe(args));
    }
    return definition.call(args);
  }

  // Runs the vendor's calls for one service; true when they were made.
  function deliver(record, method, what, first, second, options) {
    function again() {
      deliver(record, method, what, first, second, options);
    }
    if (heldUntilConsent(record, what, again)) {
      return false;
    }
    if (heldUntilStart(record, what, again)) {
      return true;
    }
    var reason = blocker(record);
    if (reason) {
      reportBlocked(record, what, reason);
      return false;
    }
    var definition = analytix.vendors[record.name];
    var out = serviceLog(record);
    if (typeof definition[method] !== "function") {
      out.debug(what + " not sent: " + (record.label || record.name) + " has no " + method + " call");
      return false;
    }
    try {
      var calls = definition[method](first, second, { id: record.id, beacon: !!options.beacon }) || [];
      for (var i = 0; i < calls.length; i++) {
        callVendor(record, what, calls[i]);
      }
      return true;
    } catch (error) {
      out.warning(what + " failed in the vendor call:", why(error));
      return false;
    }
  }

  // names: each service's own name for the event (the tracking plan's vendors), if any.
  function sendTo(records, method, what, first, second, options, names) {
    var delivered = [];
    for (var i = 0; i < records.length; i++) {
      var name = names && has(names, records[i].name) ? names[records[i].name] : first;
      if (deliver(records[i], method, what, name, second, options || {})) {
        delivered.push(records[i]);
      }
    }
    if (!records.length) {
      log.debug(what + " not sent: no services on this page");
    }
    return delivered;
  }

  function names(records) {
    return records.map(function (record) {
      return record.name;
    });
  }

  function trackRecords(records, event, properties, options) {
    try {
      var name = cleanName(event, "event");
      if (name === null) {
        return [];
      }
      var what = 'event "' + name + '"';
      var clean = cleanProperties(properties, what);
      var send = function (names) {
        return sendTo(records, "track", what, name, clean, options, names);
      };
      // The tracking plan (plan.js) sends it now, once the plan is in (records meanwhile), or not.
      return analytix.planCheck ? analytix.planCheck(name, clean, send, records) : send();
    } catch (error) {
      log.warning("event not sent:", why(error));
      return [];
    }
  }

  // Sends the event to every service of the page; returns the names of those that got it.
  analytix.track = function (event, properties) {
    return names(trackRecords(serviceRecords(), event, properties, {}));
  };

  // Identity is opt-in: the page config's `identity` (or `identify`) says the project allows
  // it: `true`, `{enabled: true}`, or the signed-in user's `{id, traits}` that the server
  // writes when ANALYTICS_CONFIG["IDENTITY"] is on.
  // Only a config block the server wrote can opt the page in (boot.js reads them through
  // config.js, which skips injected ones).
  function identityAllowed() {
    return typeof analytix.identityAllowed === "function" && analytix.identityAllowed() === true;
  }

  function identifyRecords(records, id, traits) {
    try {
      if (!identityAllowed()) {
        log.debug("identify not sent: identity is off (the project has not opted in to identify on its pages)");
        return [];
      }
      if (typeof id === "number" && isFinite(id)) {
        id = String(id);
      }
      var cleanId = cleanName(id, "identify");
      if (cleanId === null) {
        return [];
      }
      var what = "identify";
      return sendTo(records, "identify", what, cleanId, cleanProperties(traits, what), {});
    } catch (error) {
      log.warning("identify not sent:", why(error));
      return [];
    }
  }

  // Identifies the visitor to every service that supports it, when the project opts in.
  analytix.identify = function (id, traits) {
    return names(identifyRecords(serviceRecords(), id, traits));
  };

  // One service's handle: its state, and calls in its own API; a no-op that logs why when off.
  analytix.service = function (name) {
    var key = typeof name === "string" ? name : String(name);
    var services = analytix.services || {};
    var record = Object.prototype.hasOwnProperty.call(services, key) ? services[key] : null;
    if (!record) {
      record = { name: key, label: key, on: false, state: "off", reason: "not on this page" };
    }
    var handle = {
      name: key,
      // Calls the vendor's own global with these arguments, in its style (see docs/events.md).
      call: function () {
        var args = Array.prototype.slice.call(arguments);
        var what = "call " + describe(args.slice(0, 1));
        function again() {
          handle.call.apply(handle, args);
        }
        if (heldUntilConsent(record, what, again) || heldUntilStart(record, what, again)) {
          return undefined;
        }
        var reason = blocker(record);
        if (reason) {
          reportBlocked(record, what, reason);
          return undefined;
        }
        try {
          return callVendor(record, what, args);
        } catch (error) {
          serviceLog(record).warning(what + " failed in the vendor call:", why(error));
          return undefined;
        }
      },
      track: function (event, properties) {
        return trackRecords([record], event, properties, {}).length > 0;
      },
      identify: function (id, traits) {
        return identifyRecords([record], id, traits).length > 0;
      },
    };
    handle.push = handle.call;
    // Live views of the record: the state moves on as the vendor script loads or fails.
    ["label", "on", "state", "reason", "detail"].forEach(function (field) {
      Object.defineProperty(handle, field, {
        enumerable: true,
        get: function () {
          return field === "on" ? !!record.on && record.state !== "failed" && record.consented !== false : record[field];
        },
      });
    });
    return handle;
  };

  /* Declarative tracking: data-analytix-event (+ JSON data-analytix-props) on links, buttons,
     forms. Delegated listeners on document: no inline handlers, so it works under a strict CSP.
     A tagged submit button is its form's submit: tracked, and held, when the form is submitted.
     A form's own members can be its fields (<input name="getAttribute">), so elements are read
     through the DOM prototypes. */

  var ELEMENT = window.Element.prototype;
  var EVENT_ATTRIBUTE = "data-analytix-event";

  function attribute(element, name) {
    return ELEMENT.getAttribute.call(element, name);
  }

  function tagged(element) {
    return Boolean(element) && ELEMENT.hasAttribute.call(element, EVENT_ATTRIBUTE);
  }

  // A button that submits its form: <button> (type submit, or none), <input type=submit|image>.
  function submitsForm(element) {
    var submit = (element.tagName === "BUTTON" && element.type === "submit") ||
      (element.tagName === "INPUT" && (element.type === "submit" || element.type === "image"));
    return submit && Boolean(element.form);
  }

  function declared(element) {
    var name = attribute(element, EVENT_ATTRIBUTE);
    var raw = attribute(element, "data-analytix-props");
    var properties = null;
    if (raw !== null && raw.trim() !== "") {
      try {
        properties = JSON.parse(raw);
      } catch (error) {
        log.warning('data-analytix-props of event "' + name + '" is not JSON (' + why(error) +
          "); sent without properties");
      }
      if (properties !== null && !isPlainObject(properties)) {
        log.warning('data-analytix-props of event "' + name + '" is not a JSON object; sent without properties');
        properties = null;
      }
    }
    return { name: name, properties: properties };
  }

  // A tracked navigation waits only when a service that got the event cannot send it by beacon.
  function needsDelay(delivered) {
    return delivered.some(function (record) {
      var definition = analytix.vendors[record.name];
      return !(definition && definition.beacon && record.state === "loaded");
    });
  }

  function opensHere(target) {
    return !target || target === "_self";
  }

  // True when this click on this link unloads the current page (so the event could be lost).
  function leavesPage(event, link) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey || !opensHere(link.target) || link.hasAttribute("download")) {
      return false;
    }
    if (!/^https?:$/.test(link.protocol)) {
      return false;
    }
    var here = window.location;
    var samePage = link.origin === here.origin && link.pathname === here.pathname && link.search === here.search;
    return !(samePage && link.hash);
  }

  function elementOf(node) {
    return node && node.nodeType === 1 ? node : node && node.parentElement;
  }

  // replayed: a click start.js kept before this file ran; it is tracked, the page went on.
  function onClick(event, replayed) {
    try {
      var target = elementOf(event.target);
      var element = target ? ELEMENT.closest.call(target, "[" + EVENT_ATTRIBUTE + "]") : null;
      if (!element || element instanceof window.HTMLFormElement || submitsForm(element)) {
        return; // forms and their submit buttons are tracked on submit
      }
      var link = ELEMENT.closest.call(target, "a[href]");
      var leaving = link && leavesPage(event, link);
      var item = declared(element);
      var delivered = trackRecords(serviceRecords(), item.name, item.properties, { beacon: !!link });
      if (replayed || !leaving || !needsDelay(delivered)) {
        return;
      }
      event.preventDefault();
      var href = link.href;
      window.setTimeout(function () {
        window.location.assign(href);
      }, NAVIGATION_DELAY_MS);
    } catch (error) {
      log.warning("declarative event not sent:", why(error));
    }
  }

  var OVERRIDES = ["formaction", "formmethod", "formenctype", "formtarget", "formnovalidate"];

  function onSubmit(event, replayed) {
    try {
      var form = event.target;
      var submitter = event.submitter || null;
      var sources = [submitter, form].filter(tagged);
      if (!(form instanceof window.HTMLFormElement) || !sources.length) {
        return;
      }
      var delivered = [];
      sources.forEach(function (element) {
        var item = declared(element);
        delivered = delivered.concat(trackRecords(serviceRecords(), item.name, item.properties, { beacon: true }));
      });
      var overridden = submitter && OVERRIDES.some(function (name) {
        return ELEMENT.hasAttribute.call(submitter, name);
      });
      if (replayed || event.defaultPrevented || overridden || !opensHere(attribute(form, "target")) ||
          (attribute(form, "method") || "").toLowerCase() === "dialog" || !needsDelay(delivered)) {
        return;
      }
      event.preventDefault();
      window.setTimeout(function () {
        resubmit(form, submitter);
      }, NAVIGATION_DELAY_MS);
    } catch (error) {
      log.warning("declarative event not sent:", why(error));
    }
  }

  // Submits without a second submit event (page handlers ran once already, and a handler that
  // guards against double submits would cancel it), keeping the clicked button's name=value as
  // the browser would have sent it. submit() reads the fields at once, so the carrier goes again.
  function resubmit(form, submitter) {
    var carried = null;
    if (submitter && submitter.name) {
      carried = analytix.dom.create("input");
      carried.type = "hidden";
      carried.name = submitter.name;
      carried.value = submitter.value;
      window.Node.prototype.appendChild.call(form, carried);
    }
    try {
      window.HTMLFormElement.prototype.submit.call(form);
    } finally {
      if (carried) {
        window.Node.prototype.removeChild.call(form, carried);
      }
    }
  }

  // A click or submit start.js kept, made before this file ran: tracked now, not held.
  analytix.replayEvent = function (event) {
    (event.type === "submit" ? onSubmit : onClick)(event, true);
  };
  analytix.dom.listen("click", function (event) {
    onClick(event, false);
  });
  analytix.dom.listen("submit", function (event) {
    onSubmit(event, false);
  });
})(window);
