// The consent cookie's format (consent-cookie.js), as decide/consent.py reads it:
// <categories>:<consent id>:<version tag>:<services tag>.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SERVICES_TAG, VERSION, consentPage, plain } from "./consent-page.mjs";
import { lines } from "./helpers.mjs";

const ID = /^[A-Za-z0-9_-]{22}$/;
const KEPT_ID = "AAAAAAAAAAAAAAAAAAAAAA";

test("the first decision writes the categories, a new consent id and both tags; the id is kept after", () => {
  const page = consentPage();
  const analytix = page.boot();
  assert.equal(page.cookie("analytix_consent"), null, "no cookie before a decision");
  analytix.consent.grant(["analytics", "marketing"]);
  const [categories, id, version, services] = page.cookie("analytix_consent").split(":");
  assert.deepEqual([categories, version, services], ["analytics,marketing", VERSION, SERVICES_TAG]);
  assert.match(id, ID);
  assert.equal(analytix.consent.state.id, id);
  analytix.consent.withdraw(["marketing"]);
  assert.equal(page.cookie("analytix_consent"), `analytics:${id}:${VERSION}:${SERVICES_TAG}`);
  analytix.consent.reject();
  assert.equal(page.cookie("analytix_consent"), `none:${id}:${VERSION}:${SERVICES_TAG}`);
  const other = consentPage();
  other.boot().consent.grant();
  assert.notEqual(other.cookie("analytix_consent").split(":")[1], id, "each visitor gets their own id");
});

test("a cookie from before a new VERSION or another set of services is undecided; its id is kept", () => {
  for (const stale of [`analytics:${KEPT_ID}:00000000:${SERVICES_TAG}`, `analytics:${KEPT_ID}:${VERSION}:00000000`]) {
    const page = consentPage({ services: ["kissmetrics"], cookie: `analytix_consent=${stale}` });
    const analytix = page.boot();
    assert.deepEqual(plain(analytix.consent.state), { required: true, categories: [], decided: false, id: KEPT_ID, source: "analytix" });
    assert.equal(analytix.services.kissmetrics.state, "waiting", "services wait until the visitor is asked again");
    assert.ok(lines(page.calls).some((line) => /\[DEBUG\] Consent \| the analytix_consent cookie counts as undecided: the site's (policy VERSION|set of services) changed/.test(line)));
    analytix.consent.grant(["analytics"]);
    assert.equal(page.cookie("analytix_consent"), `analytics:${KEPT_ID}:${VERSION}:${SERVICES_TAG}`);
    assert.deepEqual(page.scripts(), ["i.kissmetrics.io", "scripts.kissmetrics.io"]);
  }
});

test("a cookie with the current tags is the visitor's answer", () => {
  const page = consentPage({ services: ["kissmetrics", "hubspot"], cookie: `analytix_consent=analytics,ads:${KEPT_ID}:${VERSION}:${SERVICES_TAG}` });
  const analytix = page.boot();
  assert.deepEqual(plain(analytix.consent.state), { required: true, categories: ["analytics"], decided: true, id: KEPT_ID, source: "analytix" });
  assert.deepEqual([analytix.services.kissmetrics.state, analytix.services.hubspot.state], ["loading", "waiting"]);
});

test("an old cookie (categories only) counts without a VERSION, and is undecided with one", () => {
  const without = consentPage({ services: ["kissmetrics"], consent: { version: "" }, cookie: "analytix_consent=analytics" });
  assert.deepEqual(plain(without.boot().consent.state.categories), ["analytics"]);
  without.window.analytix.consent.grant(["marketing"]);
  const [categories, id, version, services] = without.cookie("analytix_consent").split(":");
  assert.deepEqual([categories, version, services], ["analytics,marketing", "", SERVICES_TAG]);
  assert.match(id, ID);

  const withVersion = consentPage({ services: ["kissmetrics"], cookie: "analytix_consent=analytics" });
  assert.equal(withVersion.boot().consent.state.decided, false);
  assert.ok(lines(withVersion.calls).includes(
    "[DEBUG] Consent | the analytix_consent cookie counts as undecided: it was written before the site's policy VERSION: ask again"));
});

test("a malformed cookie is undecided; a server that writes no tags gets the old format", () => {
  const malformed = consentPage({ services: ["kissmetrics"], cookie: "analytix_consent=analytics:x:y" });
  assert.equal(malformed.boot().consent.state.decided, false);

  const older = consentPage({ services: ["kissmetrics"], consent: { version: undefined, services: undefined } });
  older.boot().consent.grant(["analytics"]);
  assert.equal(older.cookie("analytix_consent"), "analytics");
});

test("a consent id in the config is never taken from a page rendered for someone else", () => {
  // A cached page carries another visitor's id and basis: this browser has no cookie.
  const page = consentPage({ consent: { id: KEPT_ID, basis: { analytix_consent: `analytics:${KEPT_ID}:${VERSION}:${SERVICES_TAG}` } } });
  const analytix = page.boot();
  assert.equal(analytix.consent.state.id, "");
  analytix.consent.grant();
  assert.notEqual(analytix.consent.state.id, KEPT_ID);
  assert.equal(page.records[0].body.id, analytix.consent.state.id);
});
