// The consent source "gcm" (cmp-gcm.js): a consent manager that sets Google Consent Mode
// with gtag("consent", ...) on the page, read as the source of truth.
import assert from "node:assert/strict";
import { test } from "node:test";
import { consentPage, plain } from "./consent-page.mjs";
import { lines } from "./helpers.mjs";

const DENIED = { ad_storage: "denied", analytics_storage: "denied", ad_user_data: "denied", ad_personalization: "denied", functionality_storage: "denied" };
const ALL = { ad_storage: "granted", analytics_storage: "granted", ad_user_data: "granted", ad_personalization: "granted", functionality_storage: "granted" };

// The CMP's own snippet, as such CMPs write it: its dataLayer and gtag, and its default.
function cmpSnippet(window, ...defaults) {
  window.dataLayer = window.dataLayer || [];
  window.gtag = function gtag() {
    window.dataLayer.push(arguments);
  };
  for (const signals of defaults) window.gtag("consent", "default", signals);
}

const gcmPage = (options = {}) => consentPage({
  consent: { source: "gcm", google: { mode: "basic", region: "DE", defaults: DENIED, waitForUpdate: 500, urlPassthrough: false, adsDataRedaction: true } },
  services: ["google", "hubspot", "kissmetrics", "drift"],
  ...options,
});
const states = (analytix) => Object.fromEntries(Object.entries(analytix.services).map(([name, r]) => [name, r.state]));

test("the CMP's default holds everything; its update decides; Google hears only the CMP", () => {
  const page = gcmPage();
  const analytix = page.boot((p) => cmpSnippet(p.window, DENIED));
  assert.deepEqual(Object.values(states(analytix)), ["waiting", "waiting", "waiting", "waiting"]);
  page.window.gtag("consent", "update", { ...DENIED, analytics_storage: "granted", functionality_storage: "granted" });
  assert.deepEqual(states(analytix), { google: "loading", hubspot: "waiting", kissmetrics: "loading", drift: "loading" });
  assert.deepEqual(plain(analytix.consent.state), { required: true, categories: ["analytics", "functional"], decided: true, id: analytix.consent.state.id, source: "gcm" });
  const consentCommands = plain(page.window.dataLayer.map((args) => Array.from(args)).filter((args) => args[0] === "consent"));
  assert.equal(consentCommands.length, 2, "the CMP's default and update only: none of ours");
  assert.ok(page.window.dataLayer.some((args) => args[0] === "set" && args[1] === "ads_data_redaction"));
  assert.deepEqual(plain(page.records.map((r) => [r.body.action, r.body.source])), [["grant", "gcm"]]);

  page.window.gtag("consent", "update", { analytics_storage: "denied" }); // the visitor withdraws in the CMP
  assert.deepEqual(plain(analytix.consent.state.categories), ["functional"]);
  assert.equal(analytix.services.kissmetrics.consented, false);
  assert.deepEqual(plain(page.records.map((r) => r.body.action)), ["grant", "withdraw"]);
});

test("an update made before our scripts ran (a stored choice) decides at boot, recorded once per change", () => {
  const cookie = "analytix_consent=analytics,marketing,functional:AAAAAAAAAAAAAAAAAAAAAA:1a2b3c4d:9f8e7d6c";
  const page = gcmPage({ cookie });
  const analytix = page.boot((p) => {
    cmpSnippet(p.window, DENIED);
    p.window.gtag("consent", "update", ALL);
  });
  assert.ok(Object.values(states(analytix)).every((state) => state === "loading"));
  assert.deepEqual(page.records, [], "the same choice as the cookie's: not a new decision");
});

test("a default limited to the visitor's region counts, and wins over the general one; other regions' do not", () => {
  const granting = { ...DENIED, analytics_storage: "granted" };
  const here = gcmPage({ consent: { source: "gcm", google: { mode: "basic", region: "US-CA", defaults: DENIED } } });
  const analytix = here.boot((p) => cmpSnippet(p.window, { ...granting, region: ["US"] }, DENIED));
  assert.deepEqual(plain(analytix.consent.state.categories), ["analytics"]);
  assert.equal(analytix.consent.state.decided, false, "a default is not the visitor's answer");
  assert.equal(analytix.services.kissmetrics.state, "loading");
  assert.equal(here.cookie("analytix_consent"), null);
  assert.deepEqual(here.records, []);

  const elsewhere = gcmPage();
  assert.deepEqual(plain(elsewhere.boot((p) => cmpSnippet(p.window, DENIED, { ...granting, region: ["US"] })).consent.state.categories), []);
});

test("marketing needs ad_storage granted and ad_user_data not denied", () => {
  const page = gcmPage();
  const analytix = page.boot((p) => cmpSnippet(p.window, DENIED));
  page.window.gtag("consent", "update", { ad_storage: "granted" });
  assert.deepEqual(plain(analytix.consent.state.categories), []);
  page.window.gtag("consent", "update", { ad_user_data: "granted" });
  assert.deepEqual(plain(analytix.consent.state.categories), ["marketing"]);
});

test("updates are still seen after gtag.js (or Tag Manager) replaces dataLayer.push", () => {
  const page = gcmPage({ services: ["google", "kissmetrics"] });
  const analytix = page.boot((p) => cmpSnippet(p.window, DENIED));
  const layer = page.window.dataLayer;
  // A replacement that calls the push it found (Tag Manager's way), then one that does not.
  const found = layer.push;
  const seen = [];
  layer.push = function (...entries) {
    seen.push(entries.length);
    return found.apply(layer, entries);
  };
  page.window.gtag("consent", "update", { ...DENIED, analytics_storage: "granted" });
  assert.deepEqual(plain(analytix.consent.state.categories), ["analytics"]);
  assert.ok(seen.length >= 1, "the replacement runs inside ours");
  assert.equal(layer.filter((args) => args[0] === "consent" && args[1] === "update").length, 1, "pushed once, not twice");
  const before = layer.length;
  layer.push = function (entry) {
    return Array.prototype.push.call(layer, entry);
  };
  page.window.gtag("consent", "update", { analytics_storage: "denied" });
  assert.deepEqual(plain(analytix.consent.state.categories), []);
  assert.equal(layer.length, before + 1, "each entry pushed once");
});

test("no consent command on the page: services wait, with a debug line", () => {
  const page = gcmPage();
  const analytix = page.boot();
  assert.deepEqual(Object.values(states(analytix)), ["waiting", "waiting", "waiting", "waiting"]);
  assert.ok(lines(page.calls).includes(
    "[DEBUG] Consent Mode | no gtag consent command on the page yet: services that need consent wait for the consent manager"));
});
