import assert from "node:assert/strict";
import { test } from "node:test";
import { CORE, lines, makePage, service } from "./helpers.mjs";

const ANALYTICS_KEY = "0123456789abcdef0123456789abcdef01234567";

// The page a server writes for a visitor; `cookie` is that visitor's cookie header, if any.
function consentPage(overrides = {}, cookie = "") {
  const page = makePage({
    url: "https://site.test/",
    nonce: "n1",
    config: {
      area: "signup",
      logLevel: "debug",
      consent: { required: true, cookie: "analytix_consent", granted: [], decided: false },
      gpc: ["analytics", "marketing"],
      services: [
        service("hubspot", { on: false, waiting: true, reason: "consent", category: "marketing", id: "42" }),
        service("kissmetrics", { on: false, waiting: true, reason: "consent", category: "analytics", id: ANALYTICS_KEY }),
        service("drift", { on: false, waiting: true, reason: "consent", category: "functional", id: "abc123" }),
      ],
      ...overrides,
    },
  });
  for (const pair of cookie ? cookie.split("; ") : []) page.document.cookie = pair;
  return page;
}

// Values from the page's realm, as plain values of this one (deepEqual compares prototypes).
const plain = (value) => JSON.parse(JSON.stringify(value));
const vendorSrcs = (page) => [...page.document.querySelectorAll("script[src]")].map((s) => s.src);

test("waiting services start only for the granted category, with the page nonce", () => {
  const page = consentPage();
  page.run(...CORE, "vendors/hubspot.js", "vendors/km.js", "vendors/drift.js", "boot.js");
  const analytix = page.window.analytix;
  assert.deepEqual(vendorSrcs(page), []);
  assert.equal(analytix.services.hubspot.state, "waiting");
  assert.ok(lines(page.calls).includes("[DEBUG] HubSpot | waiting for consent: marketing"));

  analytix.consent.grant(["analytics"]);
  assert.deepEqual(vendorSrcs(page), [
    "https://i.kissmetrics.io/i.js",
    `https://scripts.kissmetrics.io/${ANALYTICS_KEY}.2.js`,
  ]);
  assert.ok([...page.document.querySelectorAll("script[src]")].every((s) => s.nonce === "n1"));
  assert.equal(analytix.services.kissmetrics.state, "loading");
  assert.equal(analytix.services.kissmetrics.consented, true);
  assert.equal(analytix.services.hubspot.state, "waiting");
  assert.equal(analytix.startService("kissmetrics"), false); // already started: no second start
  const state = plain(analytix.consent.state);
  assert.match(state.id, /^[A-Za-z0-9_-]{22}$/); // made at the visitor's first decision
  assert.deepEqual({ ...state, id: "" }, { required: true, categories: ["analytics"], decided: true, id: "", source: "analytix" });
});

test("after withdrawal a vendor's further script requests are refused", () => {
  const page = consentPage({
    consent: { required: true, cookie: "c", granted: ["functional"], decided: true },
    services: [service("drift", { on: true, category: "functional", id: "abc123" })],
  }, "c=functional");
  page.run(...CORE);
  let context = null;
  page.window.analytix.registerVendor("drift", {
    load: (id, vendor) => {
      context = vendor;
      vendor.loadScript("https://js.driftt.com/first.js");
    },
  });
  page.run("boot.js");
  assert.deepEqual(vendorSrcs(page), ["https://js.driftt.com/first.js"]);
  page.window.analytix.consent.withdraw();
  assert.equal(context.loadScript("https://js.driftt.com/second.js"), null);
  assert.deepEqual(vendorSrcs(page), ["https://js.driftt.com/first.js"]);
  const text = lines(page.calls);
  assert.ok(text.includes("[DEBUG] Drift | stopped: no further scripts or calls (it has no consent switch of its own)"));
  assert.ok(text.includes("[DEBUG] Drift | not requested (consent withdrawn): https://js.driftt.com/second.js"));
});

test("consent granted before boot runs starts the services at boot", () => {
  const page = consentPage();
  page.run(...CORE, "vendors/hubspot.js");
  page.window.analytix.consent.grant(["marketing"]);
  page.run("boot.js");
  assert.deepEqual(vendorSrcs(page), ["https://js.hs-scripts.com/42.js"]);
  const record = page.window.analytix.services.hubspot;
  assert.deepEqual([record.state, record.on, record.waiting, record.reason], ["loading", true, false, ""]);
  assert.equal(page.window.analytix.services.kissmetrics.state, "waiting");
});

test("navigator.globalPrivacyControl turns off analytics and marketing, with the reason", () => {
  const page = consentPage({
    consent: { required: false, cookie: "c", granted: [], decided: false },
    services: [
      service("hubspot", { category: "marketing", id: "42" }),
      service("drift", { category: "functional", id: "abc123" }),
    ],
  });
  Object.defineProperty(page.window.navigator, "globalPrivacyControl", { value: true });
  page.run(...CORE, "vendors/hubspot.js", "vendors/drift.js", "boot.js");
  assert.equal(page.window.analytix.services.hubspot.reason, "privacy");
  assert.equal(page.window.analytix.services.hubspot.state, "off");
  assert.ok(
    lines(page.calls).includes("[DEBUG] HubSpot | not loaded: privacy (Global Privacy Control is on in this browser)"),
  );
  assert.equal(vendorSrcs(page).length, 1);
  assert.match(vendorSrcs(page)[0], /^https:\/\/js\.driftt\.com\//);
});

test("unknown categories are ignored with a warning, never thrown", () => {
  const page = consentPage();
  page.run(...CORE, "boot.js");
  page.window.analytix.consent.grant(["analytics", "ads", 3]);
  assert.deepEqual(plain(page.window.analytix.consent.state.categories), ["analytics"]);
  const warnings = lines(page.calls).filter((line) => line.startsWith("[WARNING] Consent"));
  assert.deepEqual(warnings, [
    "[WARNING] Consent | unknown consent category ignored: ads",
    "[WARNING] Consent | unknown consent category ignored: 3",
  ]);
});

test("Google consent mode: denied defaults before config, then updates per category", () => {
  const page = consentPage({
    consent: { required: true, cookie: "c", granted: ["analytics"], decided: true },
    services: [service("google", { category: "analytics", id: "G-ABC123DEF4" })],
  }, "c=analytics");
  page.run(...CORE, "vendors/google.js", "boot.js");
  const commands = () =>
    plain(page.window.dataLayer.map((args) => Array.from(args)).filter((args) => args[0] !== "js"));
  assert.deepEqual(commands().map((c) => [c[0], c[1]]), [
    ["consent", "default"],
    ["config", "G-ABC123DEF4"],
    ["consent", "update"],
  ]);
  assert.equal(commands()[0][2].analytics_storage, "denied");
  assert.equal(commands()[2][2].analytics_storage, "granted");
  assert.equal(commands()[2][2].ad_storage, "denied");
  page.window.analytix.consent.grant(["marketing"]);
  assert.equal(commands().at(-1)[2].ad_user_data, "granted");
  page.window.analytix.consent.withdraw(["marketing"]);
  assert.deepEqual(
    [commands().at(-1)[2].analytics_storage, commands().at(-1)[2].ad_personalization],
    ["granted", "denied"],
  );
});

test("without consent required, a withdrawal after config is a consent update, not a default", () => {
  const page = consentPage({
    consent: { required: false, cookie: "c", granted: [], decided: false },
    services: [service("google", { category: "analytics", id: "G-ABC123DEF4" })],
  });
  page.run(...CORE, "vendors/google.js", "boot.js");
  page.window.analytix.consent.withdraw();
  const last = plain(Array.from(page.window.dataLayer.at(-1)));
  assert.deepEqual([last[0], last[1], last[2].analytics_storage], ["consent", "update", "denied"]);
  assert.equal(page.window.dataLayer.filter((args) => args[1] === "default").length, 0);
});

// The server's answer is re-checked against this browser's own cookies (a page may come from a
// shared cache, rendered for another visitor).

const granting = (basis) => ({
  consent: { required: true, cookie: "analytix_consent", granted: ["analytics", "marketing", "functional"], decided: true, ...basis },
  services: [
    service("hubspot", { category: "marketing", id: "42" }),
    service("kissmetrics", { category: "analytics", id: ANALYTICS_KEY }),
  ],
});

test("a config that says granted starts nothing in a browser without the consent cookie", () => {
  for (const basis of [{}, { basis: { analytix_consent: "analytics,marketing,functional" } }]) {
    const page = consentPage(granting(basis));
    page.run(...CORE, "vendors/hubspot.js", "vendors/km.js", "boot.js");
    assert.deepEqual(vendorSrcs(page), []);
    const records = page.window.analytix.services;
    assert.deepEqual([records.hubspot.state, records.hubspot.reason], ["waiting", "consent"]);
    assert.deepEqual(plain(page.window.analytix.consent.state), { required: true, categories: [], decided: false, id: "", source: "analytix" });
    page.window.analytix.consent.grant(["marketing"]); // the visitor's own answer still works
    assert.deepEqual(vendorSrcs(page), ["https://js.hs-scripts.com/42.js"]);
  }
});

test("without a matching basis only the visitor's own consent cookie counts", () => {
  const page = consentPage(granting({ basis: { analytix_consent: null, cookie_consent: "ads=1" } }), "analytix_consent=analytics");
  page.run(...CORE, "vendors/hubspot.js", "vendors/km.js", "boot.js");
  assert.deepEqual(vendorSrcs(page), ["https://i.kissmetrics.io/i.js", `https://scripts.kissmetrics.io/${ANALYTICS_KEY}.2.js`]);
  assert.equal(page.window.analytix.services.hubspot.state, "waiting");
});

test("a matching basis keeps django-cookie-consent's answers (quoted cookie values too)", () => {
  const basis = { analytix_consent: null, cookie_consent: "marketing=2024-01-01|analytics=-1" };
  const config = granting({ granted: ["marketing"], basis });
  const page = consentPage(config, 'cookie_consent="marketing=2024-01-01|analytics=-1"');
  page.run(...CORE, "vendors/hubspot.js", "vendors/km.js", "boot.js");
  assert.deepEqual(vendorSrcs(page), ["https://js.hs-scripts.com/42.js"]);
  assert.deepEqual(plain(page.window.analytix.consent.state), { required: true, categories: ["marketing"], decided: true, id: "", source: "analytix" });

  const changed = consentPage(config, 'cookie_consent="marketing=-1|analytics=-1"'); // answered since
  changed.run(...CORE, "vendors/hubspot.js", "vendors/km.js", "boot.js");
  assert.deepEqual(vendorSrcs(changed), []);
});

test("GPC in the browser turns off a service the config says is on, whatever the consent", () => {
  const page = consentPage(granting({ basis: { analytix_consent: "analytics,marketing,functional" } }), "analytix_consent=analytics,marketing,functional");
  Object.defineProperty(page.window.navigator, "globalPrivacyControl", { value: true });
  page.run(...CORE, "vendors/hubspot.js", "vendors/km.js", "boot.js");
  assert.deepEqual(vendorSrcs(page), []);
  const records = page.window.analytix.services;
  assert.deepEqual([records.hubspot.reason, records.kissmetrics.reason], ["privacy", "privacy"]);
  page.window.analytix.consent.grant();
  assert.deepEqual(vendorSrcs(page), []);
});
