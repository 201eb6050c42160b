/*
 * analytix consent records: the proof of each decision, sent to the site's record endpoint
 * (the page config's consent.record, e.g. "/analytix/consent/"), and the Global Privacy
 * Control status made visible.
 *
 *   analytix.consentRecord.send(url, record, log)
 *     POST, JSON: {id, action, categories, version, services, source, tcString?, page}
 *     with fetch(..., {keepalive: true, credentials: "same-origin"}) (navigator.sendBeacon,
 *     text/plain, where there is no fetch): it never holds the page, survives a navigation,
 *     and a failure is one console warning that says what was lost.
 *
 *   analytix.consentRecord.privacyStatus(gpcCategories)
 *     {gpc, honored, text}: honored when the browser sends GPC and the site turns categories
 *     off for it; every [data-analytix-privacy-status] element of the page shows the text
 *     ("Opt-Out Request Honored", or the element's data-analytix-privacy-text, the server's
 *     translation) and is shown, or is emptied and hidden.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true ||
      analytix.consentRecord) {
    return; // not ours (logger.js did not run: see there), or this file ran already
  }

  var MAX_BODY_CHARS = 4096; // the endpoint refuses larger bodies (413)
  var HONORED_TEXT = "Opt-Out Request Honored";
  var STATUS_SELECTOR = "[data-analytix-privacy-status]";
  // The browser's own fetch, taken before any vendor file runs (FullStory's snippet routes
  // window.fetch through its recorder).
  var nativeFetch = typeof window.fetch === "function" ? window.fetch : null;

  function describe(record) {
    return record.action + " (" + (record.categories.join(", ") || "nothing") + ", source " + record.source + ")";
  }

  function bodyOf(record, log) {
    var body = JSON.stringify(record);
    if (body.length > MAX_BODY_CHARS && record.tcString) {
      log.warning("consent record: the TC string is " + record.tcString.length +
        " characters, too long for the record endpoint; the record is sent without it");
      var copy = JSON.parse(body);
      delete copy.tcString;
      body = JSON.stringify(copy);
    }
    return body;
  }

  function send(url, record, log) {
    var what = describe(record);
    var body = bodyOf(record, log);
    function failed(why) {
      log.warning("consent record not stored: " + what + ": " + why +
        ". The decision holds in this browser; the proof of it is missing on the server");
    }
    try {
      if (nativeFetch) {
        nativeFetch.call(window, url, {
          method: "POST",
          keepalive: true,
          credentials: "same-origin",
          headers: { "Content-Type": "application/json" },
          body: body,
        }).then(function (response) {
          if (response.ok) {
            log.debug("consent record stored: " + what);
          } else {
            failed("the endpoint answered HTTP " + response.status);
          }
        }, function (error) {
          failed("the request failed (" + String((error && error.message) || error) + ")");
        });
        return;
      }
      var beacon = window.navigator.sendBeacon;
      if (typeof beacon === "function" && beacon.call(window.navigator, url, body)) {
        log.debug("consent record sent: " + what);
        return;
      }
      failed("this browser can send neither fetch nor a beacon");
    } catch (error) {
      failed("the request could not be made (" + String((error && error.message) || error) + ")");
    }
  }

  var TEXT_CONTENT = Object.getOwnPropertyDescriptor(window.Node.prototype, "textContent").set;
  var ELEMENT = window.Element.prototype;

  function privacyStatus(gpcCategories) {
    var gpc = window.navigator.globalPrivacyControl === true;
    var honored = gpc && Array.isArray(gpcCategories) && gpcCategories.length > 0;
    var elements = analytix.dom.queryAll(STATUS_SELECTOR);
    for (var i = 0; i < elements.length; i++) {
      var element = elements[i];
      var text = honored ? ELEMENT.getAttribute.call(element, "data-analytix-privacy-text") || HONORED_TEXT : "";
      TEXT_CONTENT.call(element, text);
      if (honored) {
        ELEMENT.removeAttribute.call(element, "hidden");
      } else {
        ELEMENT.setAttribute.call(element, "hidden", "");
      }
    }
    return { gpc: gpc, honored: honored, text: honored ? HONORED_TEXT : "" };
  }

  analytix.consentRecord = { send: send, privacyStatus: privacyStatus };
})(window);
