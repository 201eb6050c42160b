// A fake IAB TCF v2.2 CMP for the browser tests (tests/test_consent_browser.py): the page's
// own first-party script, run with the page's nonce before the analytix tag, as a CMP's stub
// is. __tcfapi("addEventListener", 2, callback) answers asynchronously with the current
// TCData ("tcloaded" for a stored choice, "cmpuishown" without one) and again on each change;
// the visitor's choice is kept in the first-party cookie "fake_tcf". The test chooses with
// fakeTcfCmp.choose([purpose ids], {vendor id: true|false}). data-gdpr-applies="false" on
// this script's tag: GDPR does not apply to the visitor.
(function () {
  "use strict";

  var script = document.currentScript;
  var gdprApplies = !script || script.getAttribute("data-gdpr-applies") !== "false";
  var listeners = {};
  var nextId = 1;
  var stored = read();

  function read() {
    var match = /(?:^|; )fake_tcf=([^;]*)/.exec(document.cookie);
    try {
      return match ? JSON.parse(decodeURIComponent(match[1])) : null;
    } catch (unreadable) { // eslint-disable-line no-unused-vars -- a broken cookie: no stored choice
      return null;
    }
  }

  function vector(ids) {
    var result = {};
    for (var i = 0; i < ids.length; i++) {
      result[ids[i]] = true;
    }
    return result;
  }

  function tcData(eventStatus, listenerId) {
    return {
      tcString: stored ? stored.tcString : "",
      tcfPolicyVersion: 4,
      cmpId: 999,
      cmpVersion: 1,
      gdprApplies: gdprApplies,
      eventStatus: gdprApplies ? eventStatus : "tcloaded",
      cmpStatus: "loaded",
      listenerId: listenerId,
      isServiceSpecific: true,
      purpose: { consents: stored ? vector(stored.purposes) : {}, legitimateInterests: {} },
      vendor: { consents: stored ? stored.vendors : {}, legitimateInterests: {} },
    };
  }

  window.__tcfapi = function (command, version, callback, parameter) {
    if (command === "ping") {
      callback({ gdprApplies: gdprApplies, cmpLoaded: true, cmpStatus: "loaded", displayStatus: stored ? "hidden" : "visible", apiVersion: "2.2", cmpVersion: 1, cmpId: 999, tcfPolicyVersion: 4 }, true);
    } else if (command === "addEventListener") {
      var id = nextId++;
      listeners[id] = callback;
      setTimeout(function () {
        callback(tcData(stored ? "tcloaded" : "cmpuishown", id), true);
      }, 0);
    } else if (command === "removeEventListener") {
      var known = Object.prototype.hasOwnProperty.call(listeners, parameter);
      delete listeners[parameter];
      callback(known);
    } else {
      callback(null, false);
    }
  };

  window.fakeTcfCmp = {
    choose: function (purposes, vendors) {
      stored = { purposes: purposes, vendors: vendors || {}, tcString: "CQfakeTC" + purposes.join("x") };
      document.cookie = "fake_tcf=" + encodeURIComponent(JSON.stringify(stored)) + "; path=/";
      for (var id in listeners) {
        if (Object.prototype.hasOwnProperty.call(listeners, id)) {
          listeners[id](tcData("useractioncomplete", Number(id)), true);
        }
      }
    },
  };
})();
