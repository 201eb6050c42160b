// Gaps found in the privacy review (docs/privacy.md), each a test.
import assert from "node:assert/strict";
import { test } from "node:test";
import { consentPage, plain } from "./consent-page.mjs";

const DENIED = { ad_storage: "denied", analytics_storage: "denied", ad_user_data: "denied", ad_personalization: "denied" };
const commands = (page) => plain((page.window.dataLayer || []).map((args) => Array.from(args)).filter((args) => args[0] !== "js"));
const google = (overrides = {}) => ({ mode: "basic", region: "US-CA", defaults: DENIED, waitForUpdate: 0, urlPassthrough: false, adsDataRedaction: true, ...overrides });

test("GPC that turns marketing off keeps Google's ad signals denied whatever the visitor grants", () => {
  const page = consentPage({ services: ["google"], gpc: ["marketing"], consent: { google: google() } });
  Object.defineProperty(page.window.navigator, "globalPrivacyControl", { value: true });
  const analytix = page.boot();
  analytix.consent.grant(["analytics", "marketing"]);
  assert.equal(analytix.services.google.state, "loading");
  assert.deepEqual(commands(page).at(-1), ["consent", "update",
    { ad_storage: "denied", analytics_storage: "granted", ad_user_data: "denied", ad_personalization: "denied" }]);
});

test("GPC that turns marketing off denies the ad signals in the region defaults too", () => {
  const US = { ad_storage: "granted", analytics_storage: "granted", ad_user_data: "granted", ad_personalization: "granted" };
  const page = consentPage({ services: ["google"], on: ["google"], gpc: ["marketing"],
    consent: { required: false, google: google({ defaults: US }) } });
  Object.defineProperty(page.window.navigator, "globalPrivacyControl", { value: true });
  page.boot();
  assert.deepEqual(commands(page)[0], ["consent", "default",
    { ad_storage: "denied", analytics_storage: "granted", ad_user_data: "denied", ad_personalization: "denied" }]);
});
test("withdrawal removes every Google cookie named _ga*: _gac_ (Ads conversions) too", () => {
  const page = consentPage({ services: ["google"], cookie: "_gac_UA-1-1=1.2.3; _ga=GA1.1.5; km_ai=x; _km_cid=1; __hs_opt_out=no; __hsmem=1; fs_trusted=1; driftt_sid=1" });
  const analytix = page.boot();
  analytix.consent.reject();
  assert.deepEqual(page.cookies().filter((name) => name !== "analytix_consent"), []);
});
