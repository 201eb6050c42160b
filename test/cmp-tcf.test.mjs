// The consent source "tcf" (cmp-tcf.js): an IAB TCF v2.2 CMP's __tcfapi, faked here as a CMP
// implements it: addEventListener calls back now with the current TCData, then on each change.
import assert from "node:assert/strict";
import { test } from "node:test";
import { consentPage, plain } from "./consent-page.mjs";
import { lines } from "./helpers.mjs";

const TABLE = { purposes: { analytics: [1, 7, 8, 9, 10], marketing: [1, 2, 3, 4], functional: [1] }, vendors: { google: 755 } };
const TC_STRING = "CQGmXYAQGmXYAAGABCENBLFgAP_gAEPgAAAAKXNV";

function fakeCmp(window, first) {
  const listeners = [];
  const cmp = {
    calls: [],
    // What the visitor does in the CMP: each listener hears the new TCData.
    emit(tcData) {
      for (const listener of listeners) listener(tcData, true);
    },
  };
  window.__tcfapi = (command, version, callback) => {
    cmp.calls.push([command, version]);
    if (command === "addEventListener") {
      listeners.push(callback);
      if (first) callback(first, true);
    }
  };
  return cmp;
}

function tcData(eventStatus, purposes, vendors = { 755: true }, extra = {}) {
  return {
    tcString: TC_STRING, gdprApplies: true, eventStatus, cmpStatus: "loaded", listenerId: 1,
    purpose: { consents: Object.fromEntries(purposes.map((id) => [id, true])), legitimateInterests: {} },
    vendor: { consents: vendors, legitimateInterests: {} },
    ...extra,
  };
}

const tcfPage = (options = {}) => consentPage({ consent: { source: "tcf", tcf: TABLE }, services: ["google", "hubspot", "kissmetrics", "drift"], ...options });

test("a stored choice (tcloaded) decides at once: purposes map to categories, the vendor's consent to Google", () => {
  const page = tcfPage();
  const analytix = page.boot((p) => fakeCmp(p.window, tcData("tcloaded", [1, 7, 8, 9, 10])));
  assert.deepEqual(plain(analytix.consent.state.categories), ["analytics", "functional"]);
  assert.equal(analytix.consent.state.source, "tcf");
  const states = Object.fromEntries(Object.entries(analytix.services).map(([name, r]) => [name, r.state]));
  assert.deepEqual(states, { google: "loading", hubspot: "waiting", kissmetrics: "loading", drift: "loading" });
  assert.equal(page.records.length, 1, "the first answer this browser has seen of it is recorded");
  assert.deepEqual(plain([page.records[0].body.source, page.records[0].body.tcString, page.records[0].body.action]), ["tcf", TC_STRING, "grant"]);
  assert.match(page.cookie("analytix_consent"), /^analytics,functional:/);
});

test("the same stored choice on the next page is not recorded again; a new one is", () => {
  const cookie = "analytix_consent=analytics,functional:AAAAAAAAAAAAAAAAAAAAAA:1a2b3c4d:9f8e7d6c";
  const same = tcfPage({ cookie });
  same.boot((p) => fakeCmp(p.window, tcData("tcloaded", [1, 7, 8, 9, 10])));
  assert.deepEqual(same.records, []);
  const changed = tcfPage({ cookie });
  changed.boot((p) => fakeCmp(p.window, tcData("tcloaded", [1])));
  assert.deepEqual(plain(changed.records.map((r) => [r.body.action, r.body.categories, r.body.id])), [["withdraw", ["functional"], "AAAAAAAAAAAAAAAAAAAAAA"]]);
});

test("services wait while the CMP asks; the visitor's choice starts and later stops them, no reload", () => {
  const page = tcfPage({ on: ["kissmetrics"] });
  let cmp;
  const analytix = page.boot((p) => {
    cmp = fakeCmp(p.window, null);
    p.window.document.cookie = "km_ai=1; path=/";
  });
  assert.deepEqual(plain(cmp.calls), [["addEventListener", 2]]);
  assert.equal(analytix.services.kissmetrics.state, "waiting", "the server's 'on' is not the CMP's answer");
  cmp.emit(tcData("cmpuishown", []));
  assert.equal(analytix.consent.state.decided, false);
  cmp.emit(tcData("useractioncomplete", [1, 2, 3, 4, 7, 8, 9, 10]));
  assert.deepEqual(plain(analytix.consent.state.categories), ["analytics", "marketing", "functional"]);
  assert.deepEqual(page.scripts().sort(), ["i.kissmetrics.io", "js.driftt.com", "js.hs-scripts.com", "scripts.kissmetrics.io", "www.googletagmanager.com"]);
  analytix.track("Before Withdrawal");
  cmp.emit(tcData("useractioncomplete", [1])); // the visitor withdraws analytics and marketing in the CMP
  assert.deepEqual(plain(analytix.consent.state.categories), ["functional"]);
  assert.equal(analytix.services.kissmetrics.consented, false);
  assert.equal(page.cookie("km_ai"), null, "its cookies are gone");
  assert.deepEqual(plain(page.records.map((r) => r.body.action)), ["grant", "withdraw"]);
  assert.ok(page.records.every((r) => r.body.tcString === TC_STRING));
});

test("a vendor refused in the CMP keeps its service off, whatever the purposes", () => {
  const page = tcfPage();
  const analytix = page.boot((p) => fakeCmp(p.window, tcData("tcloaded", [1, 7, 8, 9, 10], { 755: false })));
  assert.equal(analytix.services.google.state, "waiting");
  assert.equal(analytix.services.kissmetrics.state, "loading");
  assert.equal(analytix.consent.allows("analytics", "google"), false);
  assert.equal(analytix.consent.allows("analytics"), true);
});

test("legitimate interest alone grants nothing", () => {
  const page = tcfPage();
  const data = tcData("tcloaded", []);
  data.purpose.legitimateInterests = { 1: true, 7: true, 8: true, 9: true, 10: true };
  const analytix = page.boot((p) => fakeCmp(p.window, data));
  assert.deepEqual(plain(analytix.consent.state.categories), []);
  assert.equal(analytix.consent.state.decided, true);
});

test("gdprApplies false: no consent is needed, every service starts, nothing is recorded", () => {
  const page = tcfPage();
  const analytix = page.boot((p) => fakeCmp(p.window, { gdprApplies: false, eventStatus: "tcloaded", tcString: "" }));
  assert.equal(analytix.consent.state.required, false);
  assert.ok(Object.values(analytix.services).every((r) => r.state === "loading"));
  assert.deepEqual(page.records, []);
  assert.equal(page.cookie("analytix_consent"), null);
  assert.ok(lines(page.calls).includes("[DEBUG] Consent | consent is not needed: the CMP says GDPR does not apply to this visitor (gdprApplies: false)"));
});

test("a CMP that appears late is found; none at all is one warning, and services keep waiting", () => {
  const late = tcfPage();
  const analytix = late.boot((p) => {
    p.window.setTimeout(() => fakeCmp(p.window, tcData("tcloaded", [1, 7, 8, 9, 10])), 150);
  });
  assert.equal(analytix.services.kissmetrics.state, "waiting");
  return new Promise((resolve) => late.window.setTimeout(resolve, 400)).then(() => {
    assert.equal(analytix.services.kissmetrics.state, "loading");

    const none = tcfPage();
    none.boot((p) => {
      p.window.setTimeout = (fn) => fn(); // each look for __tcfapi at once
    });
    assert.deepEqual(lines(none.calls).filter((line) => line.startsWith("[WARNING]")), [
      "[WARNING] IAB TCF | no IAB TCF CMP on this page (window.__tcfapi is missing): services that need consent keep waiting",
    ]);
    assert.equal(none.window.analytix.services.kissmetrics.state, "waiting");
  });
});

test("an element named __tcfapi is not a CMP; a failing CMP is one warning", () => {
  const clobbered = tcfPage({ body: '<img name="__tcfapi">' });
  clobbered.boot((p) => {
    p.window.setTimeout = (fn) => fn();
  });
  assert.equal(clobbered.window.analytix.services.kissmetrics.state, "waiting");

  const failing = tcfPage();
  failing.boot((p) => {
    p.window.__tcfapi = (command, version, callback) => {
      callback(null, false);
      callback(null, false);
    };
  });
  assert.deepEqual(lines(failing.calls).filter((line) => line.startsWith("[WARNING]")), [
    "[WARNING] IAB TCF | the CMP answered __tcfapi addEventListener with a failure: services that need consent keep waiting",
  ]);
});
