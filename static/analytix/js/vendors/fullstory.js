/*
 * FullStory, as its v2 capture snippet (FS._v "2.0.0") sets it up:
 *   - the `_fs_host`, `_fs_script`, `_fs_org` and `_fs_namespace` globals fs.js reads: the
 *     hosts and the org are ours alone, derived from the org id (a page's values, or an
 *     element that clobbers the name, are replaced); a page's `_fs_namespace` is kept when
 *     it is a string that names a global;
 *   - `window[_fs_namespace]` (FS): FS(operation, options, source) queues
 *     [operation, options, source, resolve, reject, apiVersion] in FS.q until fs.js takes
 *     over through FS._api; "xAsync" operations return a Promise for the result of "x";
 *   - the version-1 helpers (FS.identify, FS.event, ...) that older page code calls;
 *   - FS._w: the original fetch and XMLHttpRequest, with window.fetch routed through
 *     FS._w.fetch so fs.js can observe requests made before it arrived;
 *   - fs.js from https://<_fs_script>, async, crossorigin="anonymous". If it fails to load,
 *     every queued and later Promise is rejected ("Error loading <script>"), never left hanging.
 * A name already taken at window[_fs_namespace] is left alone, with a warning (an element
 * that clobbers it does not count).
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true) {
    return; // not our object: logger.js did not run (see there)
  }

  var API_VERSION = 2;
  var V1 = 1; // the version the v1-style helpers below speak
  var SNIPPET_VERSION = "2.0.0";
  var ASYNC_SUFFIX = /Async$/;
  var stub = null; // the FS function this file made, so a second load is a no-op

  var IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

  // The page's _fs_namespace when it is a plain global name, else "FS".
  function namespaceOf(log) {
    var name = analytix.pageGlobal("_fs_namespace", "string", log);
    return name && IDENTIFIER.test(name) ? name : "FS";
  }

  // The FS function at the namespace (ours, or fs.js's own), or undefined.
  function currentFS(log) {
    return analytix.pageGlobal(namespaceOf(log), "function", log);
  }

  // "o-1ABCDE-eu1" -> "eu1." (EU orgs use eu1 hosts); "na1" and old ids use the plain hosts.
  function regionPrefix(orgId) {
    var region = /-([a-z]{2}[0-9])$/.exec(orgId);
    return region && region[1] !== "na1" ? region[1] + "." : "";
  }

  function makeFS() {
    var fs = function (operation, options, source, version) {
      version = version || API_VERSION;
      if (ASYNC_SUFFIX.test(operation) && typeof window.Promise === "function") {
        var name = operation.replace(ASYNC_SUFFIX, "");
        return new window.Promise(function (resolve, reject) {
          call(name, options, source, resolve, reject, version);
        });
      }
      return call(operation, options, source, undefined, undefined, version);
    };

    function call(operation, options, source, resolve, reject, version) {
      if (fs._api) {
        return fs._api(operation, options, source, resolve, reject, version);
      }
      if (fs.q) {
        fs.q.push([operation, options, source, resolve, reject, version]);
      }
      return null;
    }

    fs.q = [];
    return fs;
  }

  function addVersion1Helpers(fs) {
    function v1(operation, options, source) {
      fs(operation, options, source, V1);
    }
    function setVars(type, properties, source) {
      v1("setProperties", { type: type, properties: properties }, source);
    }
    function setUserVars(properties, source) {
      setVars("user", properties, source);
    }
    function identify(uid, properties, source) {
      setUserVars({ uid: uid }, source);
      if (properties) {
        setUserVars(properties, source);
      }
    }
    function nothing() {}

    fs.identify = identify;
    fs.setUserVars = setUserVars;
    fs.identifyAccount = nothing;
    fs.clearUserCookie = nothing;
    fs.setVars = setVars;
    fs.event = function (name, properties, source) {
      v1("trackEvent", { name: name, properties: properties }, source);
    };
    fs.anonymize = function () {
      identify(false);
    };
    fs.shutdown = function () {
      v1("shutdown");
    };
    fs.restart = function () {
      v1("restart");
    };
    fs.log = function (level, message) {
      v1("log", { level: level, msg: message });
    };
    fs.consent = function (given) {
      v1("setIdentity", { consent: !arguments.length || given });
    };
  }

  // fs.js replaces FS._w.fetch to observe requests; window.fetch always goes through it.
  function routeFetch(fs) {
    fs._w = { XMLHttpRequest: window.XMLHttpRequest, fetch: window.fetch };
    if (window.fetch) {
      window.fetch = function () {
        return fs._w.fetch.apply(this, arguments);
      };
    }
  }

  // Rejects every queued Promise, and from now on rejects new ones at once (queue.push).
  function failQueue(fs, message) {
    var queue = fs.q;
    if (!queue) {
      return;
    }
    function reject(entry) {
      if (typeof entry[4] === "function") {
        entry[4](new Error(message));
      }
    }
    for (var i = 0; i < queue.length; i++) {
      reject(queue[i]);
    }
    queue.length = 0;
    queue.push = reject;
  }

  analytix.registerVendor("fullstory", {
    load: function (orgId, vendor) {
      var prefix = regionPrefix(orgId);
      var script = "edge." + prefix + "fullstory.com/s/fs.js";
      window._fs_host = prefix + "fullstory.com";
      window._fs_script = script;
      window._fs_org = orgId;
      var namespace = (window._fs_namespace = namespaceOf(vendor.log));
      var existing = analytix.pageGlobal(namespace, "any", vendor.log);
      if (stub && existing === stub) {
        vendor.log.verbose("already set up on this page");
        return;
      }
      if (existing !== undefined) {
        vendor.log.warning('window["' + namespace + '"] is taken; set window._fs_namespace');
        return;
      }

      var fs = (stub = window[namespace] = makeFS());
      addVersion1Helpers(fs);
      routeFetch(fs);
      fs._v = SNIPPET_VERSION;

      vendor.loadScript("https://" + script, {
        crossOrigin: "anonymous",
        onerror: function () {
          failQueue(fs, "Error loading " + script);
        },
      });
    },
    // Events: FS("trackEvent", {name, properties}); identify: FS("setIdentity", {uid, properties}).
    global: "FS",
    call: function (args) {
      return currentFS().apply(window, args);
    },
    track: function (name, properties) {
      return [["trackEvent", { name: name, properties: properties }]];
    },
    identify: function (id, traits) {
      return [["setIdentity", { uid: id, properties: traits }]];
    },

    // Delayed capture: before fs.js, _fs_capture_on_startup = false makes it wait for
    // FS("start"). Element consent follows too: FS("setIdentity", {consent}) captures (or no
    // longer captures) the elements set to "Capture data with user consent". On withdrawal
    // FS("shutdown") stops capture; its cookies (fs_uid, ...) are removed by consent.js.
    consent: function (granted, vendor) {
      var fs = currentFS(vendor.log);
      if (!fs) {
        if (!granted) {
          window._fs_capture_on_startup = false;
        }
        return;
      }
      if (granted) {
        fs("start");
        fs("setIdentity", { consent: true });
      } else {
        fs("setIdentity", { consent: false });
        fs("shutdown");
      }
    },
  });
})(window);
