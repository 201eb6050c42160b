/*
 * analytix banner: the optional consent banner of {% analytix_consent_banner %}.
 *
 * Loaded with defer and the request's nonce, right after the banner's markup (its previous
 * element sibling, which injected HTML cannot come between). It loads its own stylesheet
 * (this tag's data-analytix-banner-css), waits for the main script (analytix.ready), and
 * opens the banner when consent is required and the visitor has not answered. Any element
 * with data-analytix-consent-open opens it again.
 *
 * "Accept all", "Reject all" and "Save choices" call window.analytix.consent: grant(...),
 * reject(...) (withdraw() where reject is missing) with {source: "banner"} where the API
 * takes options. Escape closes the choices, then the banner (no answer: it asks again on the
 * next page); focus goes back where it was.
 */
(function (window, document) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true) {
    return; // the analytix script is not on this page: nothing waits for consent
  }
  var DOCUMENT = window.Document.prototype;
  var ELEMENT = window.Element.prototype;
  // Document's own methods and accessors, never document's: an element named
  // "addEventListener", "head" or "createElement" (<img name>, <form name>) shadows them there.
  function fromDocument(name) {
    return Object.getOwnPropertyDescriptor(DOCUMENT, name).get.call(document);
  }
  var script = fromDocument("currentScript");
  var banner = script && script.previousElementSibling;
  if (!banner || !ELEMENT.hasAttribute.call(banner, "data-analytix-banner")) {
    return;
  }
  var SOURCE = { source: "banner" };
  var choices = banner.querySelector(".analytix-banner__choices");
  var chooseButton = banner.querySelector('[data-analytix-banner-action="choose"]');
  var saveButton = banner.querySelector('[data-analytix-banner-action="save"]');
  var boxes = banner.querySelectorAll("[data-analytix-banner-category]");
  var styled = null; // a promise-like: callbacks waiting for the stylesheet
  var returnFocus = null;

  // The stylesheet, off the critical path: only now that the banner may show.
  function withStyles(callback) {
    if (styled === true) {
      callback();
      return;
    }
    if (styled) {
      styled.push(callback);
      return;
    }
    styled = [callback];
    var done = function () {
      var waiting = styled;
      styled = true;
      for (var i = 0; i < waiting.length; i++) {
        waiting[i]();
      }
    };
    var href = ELEMENT.getAttribute.call(script, "data-analytix-banner-css");
    if (!href) {
      done();
      return;
    }
    var link = DOCUMENT.createElement.call(document, "link");
    link.rel = "stylesheet";
    link.href = href;
    if (script.nonce) {
      link.nonce = script.nonce; // a style-src with a nonce admits it
    }
    link.addEventListener("load", done);
    link.addEventListener("error", done);
    (fromDocument("head") || fromDocument("documentElement")).appendChild(link);
  }

  function consent() {
    return analytix.consent;
  }

  // The new API takes options ({source}) and has reject(); the older one neither.
  function takesOptions() {
    return typeof consent().reject === "function";
  }

  function showChoices(show) {
    choices.hidden = !show;
    saveButton.hidden = !show;
    chooseButton.setAttribute("aria-expanded", show ? "true" : "false");
  }

  function open(focusFrom) {
    var state = consent().state || {};
    var granted = state.decided ? state.categories || [] : [];
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = granted.indexOf(boxes[i].value) !== -1; // never pre-ticked before an answer
    }
    showChoices(false);
    returnFocus = focusFrom || fromDocument("activeElement");
    withStyles(function () {
      banner.hidden = false;
      banner.focus();
    });
  }

  function close() {
    banner.hidden = true;
    var target = returnFocus;
    returnFocus = null;
    if (target && target !== fromDocument("body") && window.Node.prototype.contains.call(document, target) &&
        typeof target.focus === "function") {
      target.focus();
    }
  }

  function acceptAll() {
    if (takesOptions()) {
      consent().grant(SOURCE);
    } else {
      consent().grant();
    }
  }

  function rejectAll() {
    if (takesOptions()) {
      consent().reject(SOURCE);
    } else {
      consent().withdraw();
    }
  }

  // Exactly the ticked categories: nothing ticked is a rejection; a category no longer ticked
  // is withdrawn, then the ticked ones are granted.
  function save() {
    var selected = [];
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].checked) {
        selected.push(boxes[i].value);
      }
    }
    if (!selected.length) {
      rejectAll();
      return;
    }
    var state = consent().state || {};
    var removed = (state.categories || []).filter(function (category) {
      return selected.indexOf(category) === -1;
    });
    var options = takesOptions() ? SOURCE : undefined;
    if (removed.length && state.decided) {
      consent().withdraw(removed, options);
    }
    consent().grant(selected, options);
  }

  banner.addEventListener("click", function (event) {
    var button = event.target.closest("[data-analytix-banner-action]");
    if (!button || !banner.contains(button)) {
      return;
    }
    var action = ELEMENT.getAttribute.call(button, "data-analytix-banner-action");
    if (action === "choose") {
      showChoices(choices.hidden);
      (choices.hidden ? chooseButton : boxes[0] || saveButton).focus();
      return;
    }
    if (action === "accept") {
      acceptAll();
    } else if (action === "reject") {
      rejectAll();
    } else if (action === "save") {
      save();
    }
    close();
  });

  banner.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    event.preventDefault();
    if (!choices.hidden) {
      showChoices(false);
      chooseButton.focus();
    } else {
      close();
    }
  });

  DOCUMENT.addEventListener.call(document, "click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-analytix-consent-open]");
    if (opener && consent()) {
      event.preventDefault();
      open(opener);
    }
  });

  analytix.ready(function () {
    var state = consent() && consent().state;
    if (state && state.required && !state.decided) {
      open(null);
    }
  });
})(window, document);
