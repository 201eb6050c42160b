// The consent managers' answers against GPC and against HTML that clobbers their globals
// (docs/privacy.md: "GPC wins over consent"; "What holds against injected HTML"). A CMP that
// grants everything, says GDPR does not apply, or a Consent Mode default that grants, never
// brings back a service the browser's GPC turned off; an element named __tcfapi, dataLayer or
// gtag grants nothing and throws nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { consentPage, plain } from "./consent-page.mjs";

const SERVICES = ["google", "hubspot", "kissmetrics", "drift"];
const GPC_OFF = ["analytics", "marketing"];
const ALL_PURPOSES = Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((id) => [id, true]));

function withGpc(page) {
  Object.defineProperty(page.window.navigator, "globalPrivacyControl", { value: true });
}

function tcfCmp(tcData) {
  return (page) => {
    page.window.__tcfapi = (command, version, callback) => {
      if (command === "addEventListener") callback(tcData, true);
    };
  };
}

function gcmDefault(signals) {
  return (page) => {
    page.window.dataLayer = [];
    // gtag pushes an Arguments object
    (function () { page.window.dataLayer.push(arguments); })("consent", "update", signals);
  };
}

const GRANT_ALL = { ad_storage: "granted", analytics_storage: "granted", ad_user_data: "granted",
  ad_personalization: "granted", functionality_storage: "granted" };

const ANSWERS = {
  "TCF: every purpose and vendor": ["tcf", tcfCmp({ gdprApplies: true, eventStatus: "useractioncomplete", tcString: "x",
    purpose: { consents: ALL_PURPOSES }, vendor: { consents: { 755: true } } })],
  "TCF: GDPR does not apply": ["tcf", tcfCmp({ gdprApplies: false, eventStatus: "tcloaded" })],
  "Consent Mode: every signal granted": ["gcm", gcmDefault(GRANT_ALL)],
};

for (const [name, [source, cmp]] of Object.entries(ANSWERS)) {
  test(`GPC wins over the consent manager (${name}): analytics and marketing stay off`, async () => {
    const page = consentPage({ consent: { source }, services: SERVICES, gpc: GPC_OFF });
    withGpc(page);
    const analytix = page.boot(cmp);
    await page.settle();
    const states = Object.fromEntries(Object.entries(analytix.services).map(([n, r]) => [n, [r.state, r.reason]]));
    assert.deepEqual(plain(states), {
      google: ["off", "privacy"], hubspot: ["off", "privacy"], kissmetrics: ["off", "privacy"],
      drift: ["loading", ""],
    });
    assert.deepEqual(page.scripts().filter((host) => host !== "js.driftt.com"), []);
    // and a grant in the page after it changes nothing either
    analytix.consent.grant();
    assert.deepEqual(page.scripts().filter((host) => host !== "js.driftt.com"), []);
  });
}

const CLOBBERS = {
  "<embed name=__tcfapi>": ["tcf", '<embed name="__tcfapi"><object name="__tcfapi"></object>'],
  "<form id=__tcfapi> with a callable-looking input": ["tcf", '<form id="__tcfapi"><input name="call"><input name="apply"></form>'],
  "<img name=dataLayer>": ["gcm", '<img name="dataLayer"><img name="dataLayer">'],
  "<form id=dataLayer> with push and length": ["gcm",
    '<form id="dataLayer"><input name="push"><input name="length" value="3"><input name="0" value="consent"></form>'],
  "<a id=gtag> and <form name=dataLayer>": ["gcm", '<a id="gtag" href="javascript:1"></a><form name="dataLayer"></form>'],
};

for (const [name, [source, body]] of Object.entries(CLOBBERS)) {
  test(`HTML clobbering the consent manager's globals (${name}) grants nothing and throws nothing`, async () => {
    const page = consentPage({ consent: { source }, services: SERVICES, body });
    const analytix = page.boot();
    await page.settle();
    assert.equal(analytix.consent.state.decided, false);
    assert.deepEqual(plain(analytix.consent.state.categories), []);
    assert.deepEqual(page.scripts(), []);
    assert.deepEqual(page.records, []);
    assert.deepEqual(page.errors || [], []);
  });
}
