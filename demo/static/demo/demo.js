/*
 * The demo page's own script: shows on the page what the console says. A live table of
 * window.analytix.services (state, reason, what each fake vendor received), the consent
 * state with a banner calling grant/withdraw, and buttons that send events.
 * Page code like any site's: it only uses window.analytix's documented API.
 */
(function (window, document) {
  "use strict";

  var body = document.body;

  // Local fake vendors (a service worker): on by default, so states reach "loaded" offline.
  function setUpFakeVendors() {
    var workers = window.navigator.serviceWorker;
    if (!workers) {
      return;
    }
    if (body.getAttribute("data-fake-vendors") !== "1") {
      workers.getRegistrations().then(function (registrations) {
        registrations.forEach(function (registration) {
          registration.unregister();
        });
      });
      return;
    }
    workers.register("/fake-vendors-sw.js", { scope: "/" });
    if (workers.controller) {
      body.setAttribute("data-fake-vendors-ready", ""); // this page's vendors are the fakes
    } else {
      // This first visit went to the real hosts; reload once the fakes answer them.
      workers.addEventListener("controllerchange", function () {
        window.location.reload();
      });
    }
  }

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) {
      td.className = className;
    }
    row.appendChild(td);
  }

  // What the fake vendors received: analytix_frontend.testing.browser keeps it in
  // sessionStorage as [[service, args], ...]; here, per service.
  function recordedCalls() {
    var byService = {};
    var list;
    try {
      list = JSON.parse(window.sessionStorage.getItem("analytix.fakeVendorCalls") || "[]");
    } catch (ignored) { // eslint-disable-line no-unused-vars
      list = [];
    }
    list.forEach(function (entry) {
      (byService[entry[0]] = byService[entry[0]] || []).push(entry[1]);
    });
    return byService;
  }

  function renderServices() {
    var analytix = window.analytix;
    var table = document.getElementById("services");
    if (!analytix || !analytix.services || !table) {
      return;
    }
    var calls = recordedCalls();
    var tbody = document.createElement("tbody");
    Object.keys(analytix.services).forEach(function (name) {
      var record = analytix.services[name];
      var row = document.createElement("tr");
      row.setAttribute("data-service", name);
      cell(row, record.label || name);
      cell(row, record.state, "state state-" + record.state);
      cell(row, record.reason || "");
      cell(row, record.detail || "");
      cell(row, String((calls[name] || []).length));
      tbody.appendChild(row);
    });
    table.replaceChild(tbody, table.tBodies[0]);
    var consent = analytix.consent && analytix.consent.state;
    var consentState = document.getElementById("consent-state");
    if (consent && consentState) {
      consentState.textContent = consent.required
        ? "required; granted: " + (consent.categories.join(", ") || "nothing") + (consent.decided ? "" : " (not answered yet)")
        : "not required (ANALYTICS_CONFIG['CONSENT'] is off: try ?consent=1)";
    }
    var gpc = document.getElementById("gpc-state");
    if (gpc) {
      gpc.textContent = window.navigator.globalPrivacyControl === true ? "on in this browser" : "off in this browser";
    }
  }

  function onClick(id, handler) {
    var element = document.getElementById(id);
    if (element) {
      element.addEventListener("click", handler);
    }
  }

  function analytix() {
    return window.analytix || null;
  }

  onClick("grant-all", function () {
    if (analytix()) {
      analytix().consent.grant();
    }
  });
  onClick("grant-analytics", function () {
    if (analytix()) {
      analytix().consent.grant(["analytics"]);
    }
  });
  onClick("withdraw", function () {
    if (analytix()) {
      analytix().consent.withdraw();
    }
  });
  onClick("track", function () {
    if (analytix()) {
      analytix().track("Demo Button Clicked", { from: "window.analytix.track" });
    }
  });
  onClick("track-unplanned", function () {
    if (analytix()) {
      analytix().track("Demo Unplanned Click"); // not in demo/analytics_plan.yaml: flagged
    }
  });
  window.setInterval(function () {
    var count = document.getElementById("plan-violations");
    if (count && analytix() && analytix().planViolations) {
      count.textContent = String(analytix().planViolations.length);
    }
  }, 250);

  setUpFakeVendors();
  renderServices();
  window.setInterval(renderServices, 250);
})(window, document);
