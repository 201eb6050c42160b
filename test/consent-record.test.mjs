// Proof of consent: each decision goes to the record endpoint (consent-record.js), and GPC is
// made visible ("Opt-Out Request Honored").
import assert from "node:assert/strict";
import { test } from "node:test";
import { SERVICES_TAG, VERSION, consentPage, plain } from "./consent-page.mjs";
import { CORE, addBlock, lines } from "./helpers.mjs";

test("each decision sends one record, with the contract's fields, never holding the page", () => {
  const page = consentPage();
  const analytix = page.boot();
  assert.deepEqual(page.records, [], "nothing before a decision");
  analytix.consent.grant(["analytics", "marketing"], { source: "banner" });
  analytix.consent.withdraw(["marketing"]);
  analytix.consent.reject({ source: "banner" });
  analytix.consent.grant("functional", { source: "api" });
  const id = analytix.consent.state.id;
  assert.deepEqual(plain(page.records.map((r) => r.body)), [
    { id, action: "grant", categories: ["analytics", "marketing"], version: VERSION, services: SERVICES_TAG, source: "banner", page: "/shop/cart/" },
    { id, action: "withdraw", categories: ["analytics"], version: VERSION, services: SERVICES_TAG, source: "api", page: "/shop/cart/" },
    { id, action: "reject", categories: [], version: VERSION, services: SERVICES_TAG, source: "banner", page: "/shop/cart/" },
    { id, action: "grant", categories: ["functional"], version: VERSION, services: SERVICES_TAG, source: "api", page: "/shop/cart/" },
  ]);
  const { url, options } = page.records[0];
  assert.equal(url, "/analytix/consent/");
  assert.deepEqual(plain({ ...options, body: "" }), {
    method: "POST", keepalive: true, credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: "",
  });
});

test("the endpoint's answer: stored is a debug line, a failure one warning each; no URL, no record", async () => {
  const stored = consentPage();
  stored.boot().consent.grant(["analytics"]);
  await stored.settle();
  assert.ok(lines(stored.calls).includes("[DEBUG] Consent | consent record stored: grant (analytics, source api)"));

  for (const [answer, why] of [[503, "the endpoint answered HTTP 503"], ["fail", "the request failed (offline)"]]) {
    const page = consentPage({ answer });
    page.boot().consent.reject({ source: "banner" });
    await page.settle();
    const warnings = lines(page.calls).filter((line) => line.startsWith("[WARNING]"));
    assert.deepEqual(warnings, [`[WARNING] Consent | consent record not stored: reject (nothing, source banner): ${why}. ` +
      "The decision holds in this browser; the proof of it is missing on the server"]);
  }

  const none = consentPage({ consent: { record: undefined } });
  none.boot().consent.grant();
  assert.deepEqual(none.records, []);
  assert.equal(none.boot().consent.state.decided, true, "the decision still holds");
});

test("a record URL that leaves the site is refused; an unknown source is recorded as api", () => {
  for (const record of ["//evil.test/x", "https://evil.test/x", "/\\evil.test", "javascript:alert(1)"]) {
    const page = consentPage({ consent: { record } });
    page.boot().consent.grant();
    assert.deepEqual(page.records, [], record);
    assert.ok(lines(page.calls).some((line) => line.startsWith("[WARNING] analytix | invalid consent record URL in the config ignored")));
  }
  const page = consentPage();
  page.boot().consent.grant(["analytics"], { source: "somewhere" });
  assert.equal(page.records[0].body.source, "api");
  assert.ok(lines(page.calls).includes("[WARNING] Consent | unknown consent source ignored (api): somewhere"));
});

test("without fetch the record goes by navigator.sendBeacon", () => {
  const page = consentPage();
  page.window.fetch = undefined;
  const beacons = [];
  page.window.navigator.sendBeacon = (url, body) => beacons.push([url, JSON.parse(body).action]) > 0;
  page.boot().consent.reject();
  assert.deepEqual(beacons, [["/analytix/consent/", "reject"]]);
});

test("GPC honoured: the page's status elements say so, and one record per page load", () => {
  const body = '<p data-analytix-privacy-status hidden></p><p data-analytix-privacy-status data-analytix-privacy-text="Demande de retrait respectée"></p>';
  const page = consentPage({ body, services: ["hubspot"] });
  Object.defineProperty(page.window.navigator, "globalPrivacyControl", { value: true });
  const analytix = page.boot();
  const elements = [...page.document.querySelectorAll("[data-analytix-privacy-status]")];
  assert.deepEqual(elements.map((e) => [e.textContent, e.hidden]), [["Opt-Out Request Honored", false], ["Demande de retrait respectée", false]]);
  assert.deepEqual(plain(analytix.consent.privacyStatus()), { gpc: true, honored: true, text: "Opt-Out Request Honored" });
  assert.equal(page.records.length, 1);
  const record = page.records[0].body;
  assert.deepEqual([record.action, record.categories, record.source], ["gpc", [], "api"]);
  assert.match(record.id, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(page.cookie("analytix_consent"), null, "no id is stored for it: the visitor has not decided");
  addBlock(page, { area: "second", services: [], consent: { required: true, record: "/analytix/consent/" } }, "n1");
  analytix.boot(); // a second tag on the page
  assert.equal(page.records.length, 1, "once per page load");
});

test("without GPC (or when the site ignores it) the status elements are emptied and hidden", () => {
  const body = '<p data-analytix-privacy-status>Opt-Out Request Honored</p>'; // e.g. a page cached for a GPC visitor
  const page = consentPage({ body });
  page.boot();
  const element = page.document.querySelector("[data-analytix-privacy-status]");
  assert.deepEqual([element.textContent, element.hidden], ["", true]);
  assert.deepEqual(page.records, []);

  const ignored = consentPage({ body, gpc: [] });
  Object.defineProperty(ignored.window.navigator, "globalPrivacyControl", { value: true });
  assert.deepEqual(plain(ignored.boot().consent.privacyStatus()), { gpc: true, honored: false, text: "" });
  assert.deepEqual(ignored.records, []);
});

test("the status is shown even where consent is off (no consent part in the config)", () => {
  const page = consentPage({ body: "<span data-analytix-privacy-status></span>" });
  Object.defineProperty(page.window.navigator, "globalPrivacyControl", { value: true });
  page.run(...CORE);
  page.document.querySelector("[data-analytix-config]").textContent = JSON.stringify({ area: "x", services: [] });
  page.run("boot.js");
  assert.equal(page.document.querySelector("[data-analytix-privacy-status]").textContent, "Opt-Out Request Honored");
});

test("a TC string too long for the endpoint is left out of the record, with a warning", () => {
  const page = consentPage({ consent: { source: "tcf", tcf: { purposes: { analytics: [1] }, vendors: {} } } });
  const long = "C".repeat(5000);
  page.window.__tcfapi = (command, version, callback) => callback({
    gdprApplies: true, eventStatus: "useractioncomplete", tcString: long, purpose: { consents: { 1: true } }, vendor: { consents: {} },
  }, true);
  page.boot();
  assert.equal(page.records.length, 1);
  assert.equal(page.records[0].body.tcString, undefined);
  assert.ok(lines(page.calls).includes(
    "[WARNING] Consent | consent record: the TC string is 5000 characters, too long for the record endpoint; the record is sent without it"));
});
