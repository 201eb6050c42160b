// Events before consent (consent-events.js): kept in memory for this page while the service
// waits, delivered once on a grant here, dropped on withdrawal, refusal or when the page goes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { consentPage, plain } from "./consent-page.mjs";
import { lines } from "./helpers.mjs";

const hubspotEvents = (page) => plain((page.window._hsq || []).filter((c) => c[0] === "trackCustomBehavioralEvent").map((c) => c[1].name));

test("an event tracked while its service waits is held, then delivered once when the visitor grants", () => {
  const page = consentPage({ services: ["hubspot", "kissmetrics"] });
  const analytix = page.boot();
  assert.deepEqual(plain(analytix.track("Signed Up", { plan: "pro" })), [], "held is not delivered");
  analytix.service("hubspot").call("setPath", "/pricing");
  assert.ok(lines(page.calls).includes(
    "[DEBUG] HubSpot | event \"Signed Up\" held: waits for consent to 'marketing' (sent once if the visitor consents on this page)"));
  analytix.consent.grant(["analytics"]); // not HubSpot's category: still held
  assert.equal(page.window._hsq, undefined);
  analytix.consent.grant(["marketing"]);
  assert.deepEqual(hubspotEvents(page), ["pe1234567_signed_up"]);
  assert.deepEqual(plain(page.window._hsq.filter((c) => c[0] === "setPath")), [["setPath", "/pricing"]]);
  assert.ok(lines(page.calls).includes("[DEBUG] HubSpot | event \"Signed Up\" delivered: consent given on this page"));
  analytix.consent.withdraw(["marketing"]);
  analytix.consent.grant(["marketing"]);
  assert.deepEqual(hubspotEvents(page), ["pe1234567_signed_up"], "once");
  // Kissmetrics got its copy when analytics was granted.
  assert.ok(plain(page.window._kmq).some((c) => c[0] === "record" && c[1] === "Signed Up"));
});

test("withdrawal or refusal drops what waits, one warning each; a later grant delivers nothing", () => {
  for (const decide of [(c) => c.withdraw(), (c) => c.reject({ source: "banner" })]) {
    const page = consentPage({ services: ["hubspot"] });
    const analytix = page.boot();
    analytix.track("First");
    analytix.track("Second");
    decide(analytix.consent);
    const verb = page.records[0].body.action === "reject" ? "refused" : "withdrawn";
    assert.deepEqual(lines(page.calls).filter((line) => line.startsWith("[WARNING]")), [
      `[WARNING] HubSpot | event "First" dropped: consent to 'marketing' was ${verb} on this page`,
      `[WARNING] HubSpot | event "Second" dropped: consent to 'marketing' was ${verb} on this page`,
    ]);
    analytix.consent.grant();
    assert.deepEqual(hubspotEvents(page), []);
  }
});

test("what still waits when the page goes is dropped, one warning each", () => {
  const page = consentPage({ services: ["hubspot"] });
  const analytix = page.boot();
  analytix.track("Left Early");
  page.window.dispatchEvent(new page.window.Event("pagehide"));
  assert.deepEqual(lines(page.calls).filter((line) => line.startsWith("[WARNING]")), [
    '[WARNING] HubSpot | event "Left Early" dropped: the page went while HubSpot waited for consent',
  ]);
  analytix.consent.grant();
  assert.deepEqual(hubspotEvents(page), []);
});

test("at most 100 calls per service wait; each one over is dropped with a warning", () => {
  const page = consentPage({ services: ["hubspot"], logLevel: "warning" });
  const analytix = page.boot();
  for (let i = 0; i < 101; i++) analytix.track(`Event ${i}`);
  assert.deepEqual(lines(page.calls), [
    "[WARNING] HubSpot | event \"Event 100\" dropped: 100 calls already wait for consent to 'marketing' on this page",
  ]);
  analytix.consent.grant();
  assert.equal(hubspotEvents(page).length, 100);
});

test("a service GPC turned off holds nothing: it will not start on this page", () => {
  const page = consentPage({ services: ["hubspot"] });
  Object.defineProperty(page.window.navigator, "globalPrivacyControl", { value: true });
  const analytix = page.boot();
  analytix.track("Signed Up");
  assert.ok(lines(page.calls).includes('[DEBUG] HubSpot | event "Signed Up" not sent: off (privacy: Global Privacy Control is on in this browser)'));
});
