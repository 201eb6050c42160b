// Google Consent Mode v2 in the Google loader (vendors/google.js): region defaults,
// wait_for_update, ads_data_redaction, url_passthrough, basic and advanced mode.
import assert from "node:assert/strict";
import { test } from "node:test";
import { consentPage, plain } from "./consent-page.mjs";
import { lines } from "./helpers.mjs";

const DENIED = { ad_storage: "denied", analytics_storage: "denied", ad_user_data: "denied", ad_personalization: "denied" };
const US = { ad_storage: "granted", analytics_storage: "granted", ad_user_data: "denied", ad_personalization: "denied" };

function google(overrides = {}) {
  return { mode: "basic", region: "DE", defaults: DENIED, waitForUpdate: 500, urlPassthrough: false, adsDataRedaction: true, ...overrides };
}

// dataLayer as [command, ...] lists, "js" left out.
const commands = (page) => plain((page.window.dataLayer || []).map((args) => Array.from(args)).filter((args) => args[0] !== "js"));

test("basic mode: the region's defaults with wait_for_update, then the settings, before config; an update on consent", () => {
  const page = consentPage({ services: ["google"], consent: { google: google({ urlPassthrough: true }) }, cookie: "analytix_consent=analytics:AAAAAAAAAAAAAAAAAAAAAA:1a2b3c4d:9f8e7d6c" });
  page.boot();
  assert.deepEqual(commands(page), [
    ["consent", "default", { ...DENIED, wait_for_update: 500 }],
    ["set", "ads_data_redaction", true],
    ["set", "url_passthrough", true],
    ["config", "G-ABC123DEF4"],
    ["consent", "update", { ad_storage: "denied", analytics_storage: "granted", ad_user_data: "denied", ad_personalization: "denied" }],
  ]);
  assert.ok(lines(page.calls).includes(
    "[DEBUG] Google Analytics | Consent Mode defaults for region DE: ad_storage denied, analytics_storage denied, ad_user_data denied, ad_personalization denied"));
  page.window.analytix.consent.grant(["marketing"]);
  assert.deepEqual(commands(page).at(-1), ["consent", "update", { ad_storage: "granted", analytics_storage: "granted", ad_user_data: "granted", ad_personalization: "granted" }]);
});

test("basic mode: Google waits for consent; a withdrawn Google is denied everything, marketing or not", () => {
  const page = consentPage({ services: ["google"], consent: { google: google() } });
  const analytix = page.boot();
  assert.equal(analytix.services.google.state, "waiting");
  assert.equal(page.window.dataLayer, undefined, "nothing of Google's before consent");
  analytix.consent.grant(["analytics", "marketing"]);
  analytix.consent.withdraw(["analytics"]);
  assert.deepEqual(commands(page).at(-1), ["consent", "update", DENIED]);
  assert.equal(analytix.services.google.consented, false);
});

test("without consent required the region's defaults still apply, with no update", () => {
  const page = consentPage({ services: ["google"], on: ["google"], consent: { required: false, google: google({ region: "US", defaults: US, adsDataRedaction: false }) } });
  page.boot();
  assert.deepEqual(commands(page), [["consent", "default", { ...US, wait_for_update: 500 }], ["config", "G-ABC123DEF4"]]);
});

test("advanced mode: Google loads before consent, every signal denied; updates follow each decision", () => {
  const page = consentPage({ services: ["google", "kissmetrics"], consent: { google: google({ mode: "advanced", waitForUpdate: 0 }) } });
  const analytix = page.boot();
  assert.deepEqual([analytix.services.google.state, analytix.services.kissmetrics.state], ["loading", "waiting"]);
  assert.deepEqual(page.scripts(), ["www.googletagmanager.com"]);
  assert.deepEqual(commands(page), [["consent", "default", DENIED], ["set", "ads_data_redaction", true], ["config", "G-ABC123DEF4"]]);
  assert.ok(lines(page.calls).includes(
    "[DEBUG] Google Analytics | advanced Consent Mode: starts before consent, every signal denied until the visitor answers"));
  // Events go to Google's tag (cookieless pings), not held for consent.
  assert.deepEqual(plain(analytix.track("Viewed Pricing")), ["google"]);
  assert.deepEqual(commands(page).at(-1), ["event", "viewed_pricing", {}]);

  analytix.consent.grant(["marketing"]);
  assert.deepEqual(commands(page).at(-1), ["consent", "update", { ad_storage: "granted", analytics_storage: "denied", ad_user_data: "granted", ad_personalization: "granted" }]);
  analytix.consent.grant(["analytics"]);
  assert.deepEqual(commands(page).at(-1), ["consent", "update", { ad_storage: "granted", analytics_storage: "granted", ad_user_data: "granted", ad_personalization: "granted" }]);
  assert.equal(analytix.services.kissmetrics.state, "loading");

  page.document.cookie = "_ga=GA1.1.5; path=/";
  analytix.consent.reject();
  assert.deepEqual(commands(page).at(-1), ["consent", "update", DENIED]);
  assert.equal(analytix.services.google.consented, true, "Google keeps running, denied");
  assert.equal(page.cookie("_ga"), null);
  assert.deepEqual(plain(analytix.track("After Reject")), ["google"]);
});

test("advanced mode does not start Google for a GPC visitor, nor where consent is not required", () => {
  const gpc = consentPage({ services: ["google"], consent: { google: google({ mode: "advanced" }) } });
  Object.defineProperty(gpc.window.navigator, "globalPrivacyControl", { value: true });
  assert.equal(gpc.boot().services.google.reason, "privacy");
  assert.deepEqual(gpc.scripts(), []);
});

test("a TCF vendor refusal for Google denies the ad signals too", () => {
  const page = consentPage({
    services: ["google"],
    consent: { source: "tcf", google: google({ mode: "advanced" }), tcf: { purposes: { analytics: [1], marketing: [1] }, vendors: { google: 755 } } },
  });
  let listener = null;
  page.boot((p) => {
    p.window.__tcfapi = (command, version, callback) => {
      listener = callback; // the CMP answers once Google has started (advanced)
    };
  });
  assert.deepEqual(commands(page).at(-1), ["config", "G-ABC123DEF4"]);
  listener({ gdprApplies: true, eventStatus: "useractioncomplete", tcString: "x", purpose: { consents: { 1: true } }, vendor: { consents: { 755: false } } }, true);
  assert.deepEqual(plain(page.window.analytix.consent.state.categories), ["analytics", "marketing"]);
  assert.deepEqual(commands(page).at(-1), ["consent", "update", DENIED]);
});
