/*
 * Kissmetrics, as its JavaScript library snippet does it: the `_kmq` command queue and the
 * `_kmk` API key globals, then two async scripts: i.kissmetrics.io/i.js and
 * scripts.kissmetrics.io/<key>.2.js. The snippet's `_kms(url)` helper only inserts those two
 * scripts, so analytix.loadScript does that job and no `_kms` global is made; the URL always
 * uses the validated key from the settings, and so does `_kmk` (a page's value is replaced). (This file is not named after the vendor:
 * ad-block lists match that name and would block our own code.)
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true) {
    return; // not our object: logger.js did not run (see there)
  }

  analytix.registerVendor("kissmetrics", {
    load: function (apiKey, vendor) {
      window._kmq = analytix.pageGlobal("_kmq", "object", vendor.log) || [];
      window._kmk = apiKey; // ours alone: the validated key from the settings
      vendor.loadScript("https://i.kissmetrics.io/i.js");
      vendor.loadScript("https://scripts.kissmetrics.io/" + encodeURIComponent(apiKey) + ".2.js");
    },
    // Events: _kmq.push(["record", name, properties]); identify: _kmq.push(["identify", id])
    // then _kmq.push(["set", traits]).
    global: "_kmq",
    call: function (args) {
      return window._kmq.push(args);
    },
    track: function (name, properties) {
      return [["record", name, properties]];
    },
    identify: function (id, traits) {
      var calls = [["identify", id]];
      if (Object.keys(traits).length) {
        calls.push(["set", traits]);
      }
      return calls;
    },
  });
})(window);
