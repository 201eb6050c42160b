/*
 * analytix start: the one first-party script a page runs as it loads (its critical path).
 *
 * It makes window.analytix, watches the load triggers ("idle", "interaction"), queues the
 * page's calls, and loads the main script (every other first-party file: the logger, the
 * config reader, consent, events, the vendor loaders, the facade, boot) when the page first
 * needs it:
 *
 *   at once      a service of the page starts at "ready", the log level is debug or verbose
 *                (the page's, or one QA remembered in this browser), or the area is unknown
 *                (its warning)
 *   else         the first of: the idle trigger, the first interaction, a call to the page API
 *
 * The main script's URLs are the server's: this script tag's data-analytix-main (space
 * separated), read from document.currentScript, which markup cannot forge, and resolved
 * against the document's address (never an injected <base>). Each is inserted with this
 * script's nonce, in order, through the Trusted Types policy "analytix" where there is one.
 * A copy of this file that HTML put on the page (nonce-less, or running as the page parses)
 * trusts nothing: see start() below.
 *
 * Until the last has run, the page API queues: track,
 * identify, service(name).call/track/identify, consent.grant/withdraw/reject and logger lines are
 * kept, then made in order, once; they return an empty list (or false, undefined) meanwhile,
 * and analytix.ready(callback) runs the callback once the main script has run. A tracked
 * click or submit (data-analytix-event) in that time is recorded the same way.
 */
(function (window) {
  "use strict";

  // Document and window members through their prototypes: markup can shadow them on the
  // document (<img name="currentScript">), never on the prototype.
  var DOCUMENT = window.Document.prototype;
  var document = window.document;
  var LISTEN = window.EventTarget.prototype.addEventListener;
  var UNLISTEN = window.EventTarget.prototype.removeEventListener;
  var getAttribute = window.Element.prototype.getAttribute;
  function documentGet(name) {
    return Object.getOwnPropertyDescriptor(DOCUMENT, name).get.call(document);
  }
  function nonceOf(element) {
    return element.nonce || getAttribute.call(element, "nonce") || "";
  }
  function say(text) {
    var out = window.console;
    if (out && out.warn) {
      out.warn("[WARNING] analytix | " + text);
    }
  }

  var current = documentGet("currentScript");
  var own = current instanceof window.HTMLScriptElement ? current : null;
  // The server's tag is deferred: it runs once the document is parsed. A copy that runs while
  // the page still parses was put there by HTML (an injection): it decides nothing until the
  // page is parsed, when the server's elements (and its nonce) can be seen and its own tag ran.
  if (documentGet("readyState") === "loading" && !(own && own.defer)) {
    LISTEN.call(document, "DOMContentLoaded", start.bind(null, own));
  } else {
    start(own);
  }

  function start(own) {
    var nonce = own ? nonceOf(own) : "";
    /* A copy of this file that is not the server's never makes config blocks trusted: one
       without a nonce on a page whose server wrote one (a block or our script tag carries it),
       or one whose nonce differs from another start.js tag's (a guessed nonce, which only a
       host allow-list lets run: then neither can be told from the other, and nothing starts). */
    var ours = DOCUMENT.querySelectorAll.call(document, "script[data-analytix-config],script[data-analytix-main]");
    for (var o = 0; o < ours.length; o++) {
      var other = nonceOf(ours[o]);
      if (other && other !== nonce && (!nonce || getAttribute.call(ours[o], "data-analytix-main") !== null)) {
        say(nonce ? "start.js tags with different CSP nonces on this page (HTML injected into it?): " +
          "this one starts nothing" : "a copy of start.js without this page's CSP nonce was ignored " +
          "(HTML injected into the page?)");
        return;
      }
    }

    /* window.analytix is ours only when this file (or logger.js, on a page without it) made it:
       a plain object of this page's realm carrying the non-enumerable own mark
       `__analytix__: true`. HTML alone (DOM clobbering) can put an element, a collection of
       them or a frame at any global name, never such an object; a frame's prototype is checked
       first, since reading a cross-origin frame's properties throws. Anything else is replaced. */
    var existing = window.analytix;
    if (existing && Object.getPrototypeOf(existing) === Object.prototype && existing.__analytix__ === true) {
      return; // this file ran already on this page
    }
    var analytix = {};
    Object.defineProperty(analytix, "__analytix__", { value: true });
    // The nonce of the script that made it: the main script's files trust only their own (config.js).
    Object.defineProperty(analytix, "__nonce__", { value: nonce });
    // What was at window.analytix (logger.js says it, as a debug line, once the level is known).
    Object.defineProperty(analytix, "__replaced__", {
      value: existing === undefined ? "" : Object.prototype.toString.call(existing),
    });
    window.analytix = analytix;
    analytix.services = {};

    // The main script's URLs, resolved against the document's own address (location.href),
    // which an injected <base href> cannot change.
    var mainUrls = own ? String(getAttribute.call(own, "data-analytix-main") || "").split(" ").filter(Boolean) : [];
    for (var m = 0; m < mainUrls.length; m++) {
      mainUrls[m] = new window.URL(mainUrls[m], window.location.href).href;
    }

    /* Trusted Types: every script URL goes in through one named policy, "analytix", which
       passes only the main script's URLs and the vendor scripts our loaders build (loader.js
       uses it too: analytix.__scriptURL__). Without Trusted Types, or where the page's CSP
       does not allow the name, the URL stays a string (refused only where Trusted Types are
       required: then nothing loads, and one line says why). */
    var VENDOR_SCRIPT = /^https:\/\/(www\.googletagmanager\.com|js\.hs-scripts\.com|(i|scripts)\.kissmetrics\.io|js\.driftt\.com|edge\.([a-z]{2}[0-9]\.)?fullstory\.com|connect\.facebook\.net)\//;
    var policy; // undefined until first needed; null without one
    function scriptURL(url) {
      if (policy === undefined) {
        policy = null;
        try {
          policy = window.trustedTypes.createPolicy("analytix", {
            createScriptURL: function (value) {
              if (mainUrls.indexOf(value) === -1 && !VENDOR_SCRIPT.test(value)) {
                throw new TypeError("not a URL analytix built: " + value);
              }
              return value;
            },
          });
        } catch (unavailable) { // eslint-disable-line no-unused-vars -- no Trusted Types, or not allowed
        }
      }
      return policy ? policy.createScriptURL(url) : url;
    }
    Object.defineProperty(analytix, "__scriptURL__", { value: scriptURL });

    var LATER = { idle: 1, interaction: 1, facade: 1 }; // triggers that wait (triggers.js)
    // Each service's trigger when the config names none (triggers.py DEFAULT_TRIGGERS); the
    // server writes only the others. config.js reads it here.
    var DEFAULT_LOAD = {
      google: "idle",
      kissmetrics: "idle",
      facebook_pixel: "idle",
      hubspot: "idle",
      fullstory: "interaction",
      drift: "facade",
    };
    Object.defineProperty(analytix, "__defaultLoad__", { value: DEFAULT_LOAD });
    var level = ""; // the first block's log level
    // QA's switch (logger.js: setLogLevel(level, {remember: true})): a level kept in this
    // browser's localStorage wins over the page's for the console, and at debug or verbose the
    // main script comes at once, as it would at that level. It changes nothing that loads.
    var remembered = "";
    try {
      remembered = String(window.localStorage.getItem("analytix.logLevel"));
    } catch (blocked) { // eslint-disable-line no-unused-vars -- storage off: no remembered level
    }
    remembered = /^(off|warning|debug|verbose)$/.test(remembered) ? remembered : "";

    // Whether a config block the server wrote (its nonce is this script's) needs the main script
    // at once. A block that cannot be read does: config.js then says why.
    function neededAtOnce() {
      var blocks = DOCUMENT.querySelectorAll.call(document, 'script[type="application/json"][data-analytix-config]');
      var atOnce = remembered === "debug" || remembered === "verbose";
      for (var i = 0; i < blocks.length; i++) {
        if (nonce && nonceOf(blocks[i]) !== nonce) {
          continue;
        }
        try {
          var raw = JSON.parse(blocks[i].textContent);
          level = level || String(raw.logLevel);
          // An unknown area: the page's one warning (a misconfiguration) comes at once.
          atOnce = atOnce || raw.logLevel === "debug" || raw.logLevel === "verbose" || raw.unknownArea === true;
          for (var s = 0; s < raw.services.length; s++) {
            var service = raw.services[s];
            var load = service.load === undefined ? DEFAULT_LOAD[service.name] : service.load;
            atOnce = atOnce || ((service.on || service.waiting) && !LATER[load]);
          }
        } catch (unreadable) { // eslint-disable-line no-unused-vars -- config.js says why
          atOnce = true;
        }
      }
      return atOnce;
    }

    // --- The main script, and the calls the page makes before it has run.
    var requested = false;
    var queue = []; // functions that make a call the page made early, with the real API
    var readyCallbacks = [];
    var ran = false;
    var failed = false; // a main file failed to load: calls are dropped from then on

    function runAll(functions) {
      for (var i = 0; i < functions.length; i++) {
        try {
          functions[i]();
        } catch (error) {
          analytix.logger("analytix").warning("error in a queued call:", error && error.message);
        }
      }
    }

    function mainRan() {
      ran = true;
      var calls = queue.concat(readyCallbacks.map(function (callback) {
        return callback.bind(null, analytix);
      }));
      queue = readyCallbacks = [];
      runAll(calls);
    }

    function mainFailed(why) {
      if (!failed && analytix.logLevel() !== "off") {
        say((typeof why === "string" ? why : "failed to load the main script (blocked or offline)") +
          "; the page's analytics calls are dropped: " + (this ? this.src : ""));
      }
      failed = true;
      queue = readyCallbacks = []; // never to be made: kept, they would only grow
    }

    function loadMain() {
      if (requested) {
        return;
      }
      requested = true;
      var parent = documentGet("head") || documentGet("documentElement");
      for (var i = 0; i < mainUrls.length; i++) {
        var script = DOCUMENT.createElement.call(document, "script");
        try {
          script.src = scriptURL(mainUrls[i]);
        } catch (refused) {
          mainFailed.call({ src: mainUrls[i] }, "Trusted Types refused the main script (" +
            (policy ? refused.message : "the CSP does not allow the policy \"analytix\": add trusted-types analytix") + ")");
          return;
        }
        script.async = false; // in order, as the files depend on each other
        if (nonce) {
          script.nonce = nonce;
        }
        LISTEN.call(script, "error", mainFailed);
        if (i === mainUrls.length - 1) {
          LISTEN.call(script, "load", mainRan);
        }
        window.Node.prototype.appendChild.call(parent, script);
      }
    }

    // Keeps a call for the main script, which it loads now; makes it at once once that has run
    // (a handle or logger taken early, used later).
    function later(call) {
      if (ran) {
        runAll([call]);
        return;
      }
      if (failed) {
        return;
      }
      queue.push(call);
      loadMain();
    }

    // A method of the main script (get(), called then, returns its owner: analytix, a handle, a
    // logger), kept until that has run. One it did not replace (its file is missing) is said
    // (runAll), never called again and again.
    var HELD = {};
    function heldMethod(get, method, result) {
      var stub = function () {
        var args = arguments;
        later(function () {
          var real = get();
          if (real[method].held === HELD) {
            throw new Error(method + "() is not in this page's main script");
          }
          real[method].apply(real, args);
        });
        return result;
      };
      stub.held = HELD;
      return stub;
    }
    function self() {
      return analytix;
    }
    function consent() {
      return analytix.consent;
    }

    analytix.track = heldMethod(self, "track", []);
    analytix.identify = heldMethod(self, "identify", []);
    analytix.setLogLevel = heldMethod(self, "setLogLevel");
    analytix.forgetLogLevel = heldMethod(self, "forgetLogLevel");
    analytix.logLevel = function () {
      var current = remembered || level;
      return current === "off" || current === "debug" || current === "verbose" ? current : "warning";
    };
    analytix.ready = function (callback) {
      if (typeof callback !== "function") {
        return;
      }
      if (ran) {
        callback(analytix);
      } else if (!failed) {
        readyCallbacks.push(callback);
        loadMain();
      }
    };
    analytix.consent = {
      grant: heldMethod(consent, "grant"),
      withdraw: heldMethod(consent, "withdraw"),
      reject: heldMethod(consent, "reject"),
    };

    analytix.service = function (name) {
      var key = String(name);
      function real() {
        return analytix.service(key);
      }
      var handle = { name: key, label: key, on: false, state: "scheduled", reason: "", detail: "" };
      handle.call = handle.push = heldMethod(real, "call");
      handle.track = heldMethod(real, "track", false);
      handle.identify = heldMethod(real, "identify", false);
      return handle;
    };

    analytix.logger = function (name) {
      var label = String(name);
      function real() {
        return analytix.logger(label);
      }
      return {
        name: label,
        warning: heldMethod(real, "warning"),
        debug: heldMethod(real, "debug"),
        verbose: heldMethod(real, "verbose"),
        enabled: function () {
          return false;
        },
        group: function (lineLevel, fn) {
          fn();
        },
      };
    };

    // A tracked click or submit before events.js runs: kept for it (it then listens itself).
    function early(event) {
      if (!analytix.replayEvent) {
        later(function () {
          analytix.replayEvent(event);
        });
      }
    }
    function onTagged(event) {
      var target = event.target;
      target = target && target.nodeType === 1 ? target : target && target.parentElement;
      var submitter = event.submitter;
      var tagged = "[data-analytix-event]";
      if ((target && window.Element.prototype.closest.call(target, tagged)) ||
          (submitter && window.Element.prototype.matches.call(submitter, tagged))) {
        early(event);
      }
    }
    LISTEN.call(document, "click", onTagged);
    LISTEN.call(document, "submit", onTagged);

    // --- The load triggers: each fires once; analytix.onTrigger(trigger, fn) runs fn then.
    var IDLE_TIMEOUT_MS = 3000; // the deadline: the idle trigger fires by then even on a busy page
    var INTERACTIONS = ["pointerdown", "keydown", "scroll", "touchstart"];
    var fired = {};
    var waiting = { idle: [], interaction: [] };

    function fire(trigger) {
      if (fired[trigger]) {
        return;
      }
      fired[trigger] = true;
      loadMain();
      var functions = waiting[trigger];
      waiting[trigger] = [];
      runAll(functions);
    }

    // Runs fn when the trigger ("idle" or "interaction") fires, or at once if it has.
    analytix.onTrigger = function (trigger, fn) {
      if (fired[trigger]) {
        fn();
      } else {
        waiting[trigger].push(fn);
      }
    };

    function armIdle() {
      var idle = window.requestIdleCallback; // an own property of window: markup cannot shadow it
      function onIdle() {
        if (typeof idle === "function") {
          idle.call(window, fire.bind(null, "idle"), { timeout: IDLE_TIMEOUT_MS });
        } else {
          window.setTimeout(fire.bind(null, "idle"), 1);
        }
      }
      if (documentGet("readyState") === "complete") {
        onIdle();
      } else {
        LISTEN.call(window, "load", onIdle, { once: true });
      }
    }

    function armInteraction() {
      var options = { capture: true, passive: true };
      function onFirst() {
        for (var i = 0; i < INTERACTIONS.length; i++) {
          UNLISTEN.call(window, INTERACTIONS[i], onFirst, options);
        }
        fire("interaction");
      }
      for (var i = 0; i < INTERACTIONS.length; i++) {
        LISTEN.call(window, INTERACTIONS[i], onFirst, options);
      }
    }

    armIdle();
    armInteraction();
    if (neededAtOnce()) {
      loadMain();
    }
  }
})(window);
