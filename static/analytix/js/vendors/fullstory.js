/*
 * FullStory, as its v2 capture snippet sets it up: the `_fs_*` globals, then `window.FS`,
 * a function that queues [operation, options, resolve, reject, source, version] in FS.q
 * until fs.js takes over through FS._api. Calls ending in "Async" return a Promise; if
 * fs.js fails to load, queued promises are rejected instead of hanging.
 */
(function (window) {
  "use strict";

  var API_VERSION = 2;

  window.analytix.registerVendor("fullstory", {
    load: function (orgId, vendor) {
      var region = /-([a-z]{2}[0-9])$/.exec(orgId);
      var hostPrefix = region && region[1] !== "na1" ? region[1] + "." : "";
      window._fs_host = window._fs_host || hostPrefix + "fullstory.com";
      window._fs_script = window._fs_script || "edge." + hostPrefix + "fullstory.com/s/fs.js";
      window._fs_org = orgId;
      window._fs_namespace = window._fs_namespace || "FS";
      var namespace = window._fs_namespace;
      if (namespace in window) {
        vendor.log.warning('window["' + namespace + '"] is taken; set window._fs_namespace');
        return;
      }

      function call(operation, options, resolve, reject, source, version) {
        if (fs._api) {
          return fs._api(operation, options, resolve, reject, source, version);
        }
        if (fs.q) {
          fs.q.push([operation, options, resolve, reject, source, version]);
        }
        return null;
      }

      var fs = (window[namespace] = function (operation, options, source, version) {
        version = version || API_VERSION;
        if (/Async$/.test(operation) && typeof window.Promise === "function") {
          var name = operation.replace(/Async$/, "");
          return new window.Promise(function (resolve, reject) {
            call(name, options, resolve, reject, source, version);
          });
        }
        return call(operation, options, undefined, undefined, source, version);
      });
      fs.q = [];
      fs._v = "2.0.0";
      // fs.js wraps these; keep the originals, as the snippet does.
      fs._w = { XMLHttpRequest: window.XMLHttpRequest, fetch: window.fetch };
      if (window.fetch) {
        fs._w.fetch = function () {
          return window.fetch.apply(this, arguments);
        };
      }

      function rejectQueued(message) {
        var queue = fs.q;
        if (!queue) {
          return;
        }
        queue.forEach(function (entry) {
          if (typeof entry[3] === "function") {
            entry[3](new Error(message));
          }
        });
        queue.length = 0;
      }

      vendor.loadScript("https://" + window._fs_script, {
        crossOrigin: "anonymous",
        onerror: function () {
          rejectQueued("Error loading " + window._fs_script);
        },
      });
    },

    // Delayed capture: before fs.js, _fs_capture_on_startup = false makes it wait for
    // FS("start"); FS("shutdown") stops capture when consent is withdrawn.
    consent: function (granted) {
      var fs = window[window._fs_namespace || "FS"];
      if (typeof fs !== "function") {
        if (!granted) {
          window._fs_capture_on_startup = false;
        }
        return;
      }
      fs(granted ? "start" : "shutdown");
    },
  });
})(window);
