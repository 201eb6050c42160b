// Withdrawal and refusal: the declined vendors' first-party cookies leave the page
// (vendor-cookies.js) on every path and parent domain, and each vendor's own state is reset.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { consentPage, plain } from "./consent-page.mjs";
import { CORE, lines, makePage } from "./helpers.mjs";

// docs/privacy.md and the contract between the browser and the server: service -> cookies.
const CONTRACT = {
  google: ["_ga", "_ga_*", "_gac_*", "_gid", "_gat*", "_gcl_*"],
  hubspot: ["hubspotutk", "__hs*", "messagesUtk"],
  fullstory: ["fs_uid", "fs_lua", "fs_cid", "fs_trusted"],
  facebook_pixel: ["_fbp", "_fbc"],
  kissmetrics: ["km_*", "_km*", "kvcd"],
  drift: ["drift_aid", "driftt_aid", "drift_eid", "driftt_eid", "driftt_sid", "drift_campaign_refresh",
    "DFTT_END_USER_PREV_BOOTSTRAPPED"],
};

test("the table is one plain JSON object literal, the contract's (a Python test reads it the same way)", () => {
  const source = readFileSync(new URL("../static/analytix/js/vendor-cookies.js", import.meta.url), "utf8");
  const literal = source.match(/var VENDOR_COOKIES = (\{[\s\S]*?\n {2}\});/)[1];
  assert.deepEqual(JSON.parse(literal), CONTRACT);
});

test("paths: every prefix of the page's path, with and without its slash; domains: down to the registrable one", () => {
  const page = makePage();
  page.run(...CORE);
  const { paths, domains } = page.window.analytix.vendorCookies;
  assert.deepEqual([...paths("/shop/cart/1")], ["/", "/shop", "/shop/", "/shop/cart", "/shop/cart/", "/shop/cart/1", "/shop/cart/1/"]);
  assert.deepEqual([...paths("/")], ["/"]);
  assert.deepEqual([...domains("www.shop.example.com")], [null, "www.shop.example.com", "shop.example.com", "example.com"]);
  assert.deepEqual([...domains("www.example.co.uk")], [null, "www.example.co.uk", "example.co.uk"]);
  assert.deepEqual([...domains("example.com")], [null, "example.com"]);
  for (const host of ["localhost", "127.0.0.1", "[::1]", "co.uk"]) {
    assert.deepEqual([...domains(host)], host === "co.uk" ? [null] : [null], host);
  }
});

// Cookies a vendor wrote on the parent domain and on several paths, before the visitor withdrew.
function withVendorCookies(page) {
  const doc = page.document;
  doc.cookie = "_ga=GA1.1.1; domain=site.test; path=/";
  doc.cookie = "_ga_ABC123=GS1.1; path=/";
  doc.cookie = "_gid=GA1.2; path=/shop";
  doc.cookie = "_gat_UA1=1; path=/shop/cart/";
  doc.cookie = "_fbp=fb.1.2; domain=www.site.test; path=/shop/";
  doc.cookie = "hubspotutk=abc; domain=site.test; path=/";
  doc.cookie = "__hs_opt_out=no; path=/";
  doc.cookie = "fs_uid=#o#1; domain=site.test; path=/";
  doc.cookie = "km_ai=x; path=/shop/cart";
  doc.cookie = "drift_aid=d; path=/";
  doc.cookie = "session=keep; path=/";
  doc.cookie = "_gallery=keep; path=/"; // not a Google cookie: "_ga" is exact, "_ga_*" needs the "_"
}

test("withdrawing a category removes its vendors' cookies on every path and domain, and nothing else", () => {
  const page = consentPage({
    cookie: "analytix_consent=analytics,marketing,functional:AAAAAAAAAAAAAAAAAAAAAA:1a2b3c4d:9f8e7d6c",
    on: ["google", "hubspot", "kissmetrics", "fullstory", "facebook_pixel", "drift"],
  });
  withVendorCookies(page);
  const analytix = page.boot();
  analytix.consent.withdraw(["marketing"]);
  assert.deepEqual(page.cookies(), ["_ga", "_ga_ABC123", "_gallery", "_gat_UA1", "_gid", "analytix_consent", "drift_aid", "fs_uid", "km_ai", "session"]);
  assert.ok(lines(page.calls).includes("[DEBUG] Consent | removed cookies (withdraw): hubspotutk, __hs_opt_out, _fbp"));
  analytix.consent.reject();
  assert.deepEqual(page.cookies(), ["_gallery", "analytix_consent", "session"]);
});

test("a visitor who declined before gets the cookies removed as the page loads", () => {
  const page = consentPage({ cookie: "analytix_consent=functional:AAAAAAAAAAAAAAAAAAAAAA:1a2b3c4d:9f8e7d6c" });
  withVendorCookies(page);
  page.boot();
  assert.deepEqual(page.cookies(), ["_gallery", "analytix_consent", "drift_aid", "session"]);
});

test("an undecided visitor's cookies are left alone until a decision", () => {
  const page = consentPage();
  withVendorCookies(page);
  page.boot();
  assert.ok(page.cookies().includes("_ga"));
});

test("withdrawal resets each vendor's own state: Google denied, Meta revoke, HubSpot revoke, FullStory shutdown", () => {
  const page = consentPage({
    cookie: "analytix_consent=analytics,marketing:AAAAAAAAAAAAAAAAAAAAAA:1a2b3c4d:9f8e7d6c",
    services: ["google", "hubspot", "fullstory", "facebook_pixel"],
    on: ["google", "hubspot", "fullstory", "facebook_pixel"],
  });
  const analytix = page.boot();
  const fbq = [];
  page.window.fbq.callMethod = (...args) => fbq.push(args);
  const fs = page.window.FS.q.length;
  analytix.consent.withdraw();
  const last = Array.from(page.window.dataLayer.at(-1));
  assert.deepEqual([last[0], last[1], last[2].analytics_storage, last[2].ad_storage], ["consent", "update", "denied", "denied"]);
  assert.deepEqual(fbq, [["consent", "revoke"]]);
  assert.deepEqual(plain(page.window._hsq.slice(-2).map((c) => c[0])), ["revokeCookieConsent", "doNotTrack"]);
  assert.deepEqual(plain(page.window.FS.q.slice(fs).map((entry) => [entry[0], entry[1] || null])), [
    ["setIdentity", { consent: false }],
    ["shutdown", null],
  ]);
  // No further calls: the page's events reach none of them.
  assert.deepEqual(plain(analytix.track("After Withdrawal")), []);
  assert.equal(analytix.service("hubspot").on, false);
  assert.ok(lines(page.calls).includes('[DEBUG] HubSpot | event "After Withdrawal" not sent: consent withdrawn on this page'));
});
