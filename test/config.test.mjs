// The config reader (config.js): only blocks the server wrote, only values of the server's formats.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CORE, IDS, PAGE_NONCE, addBlock, lines, makePage, service } from "./helpers.mjs";

const SKIPPED = "[WARNING] analytix | config block skipped: it does not carry this page's CSP nonce (not written by the server)";
const UNAUTHENTICATED =
  "[DEBUG] analytix | this page has no CSP nonce, so its config cannot be authenticated: " +
  "HTML injected into the page could add its own (see docs/privacy.md)";

const realConfig = (overrides = {}) => ({
  area: "signup",
  logLevel: "warning",
  services: [service("hubspot", { id: IDS.hubspot })],
  ...overrides,
});
const attackerConfig = {
  area: "signup",
  logLevel: "verbose",
  consent: { required: false, cookie: "x; domain=evil.test", granted: ["analytics", "marketing", "functional"] },
  services: [service("hubspot", { id: "999" }), service("fullstory", { id: "EVIL1" }), service("drift", { id: "attacker1" })],
};
const vendorSrcs = (page) => [...page.document.querySelectorAll("script[src]")].map((s) => s.src);
const VENDORS = ["vendors/hubspot.js", "vendors/fullstory.js", "vendors/drift.js"];

test("config: only blocks carrying this script's nonce are read; others are skipped with a warning each", () => {
  const page = makePage({ config: realConfig() });
  addBlock(page, attackerConfig, ""); // no nonce
  addBlock(page, attackerConfig, "guessed"); // a wrong one
  page.document.head.prepend(addBlock(page, attackerConfig, "")); // before the real block too
  page.run(...CORE, ...VENDORS, "boot.js");
  assert.deepEqual(vendorSrcs(page), [`https://js.hs-scripts.com/${IDS.hubspot}.js`]);
  assert.deepEqual(Object.keys(page.window.analytix.services), ["hubspot"]);
  assert.deepEqual(lines(page.calls), [SKIPPED, SKIPPED, SKIPPED]);
});

test("config: on a page without a nonce every block is read, with one debug line that it cannot be authenticated", () => {
  const page = makePage({ config: realConfig({ logLevel: "debug" }), nonce: "" }); // this script has no nonce
  addBlock(page, realConfig({ area: "second" }), "");
  page.run(...CORE, ...VENDORS, "boot.js");
  // Read (nothing can tell them apart), with one line that says why that is weak: at debug,
  // since a site without a CSP would get it on every page (manage.py check --deploy warns).
  assert.equal(lines(page.calls).filter((line) => line === UNAUTHENTICATED).length, 1);
  assert.equal(vendorSrcs(page).length, 1);
  const quiet = makePage({ config: realConfig(), nonce: "" });
  quiet.run(...CORE, ...VENDORS, "boot.js");
  assert.deepEqual(lines(quiet.calls), [], "nothing at warning");

  const page2 = makePage({ config: realConfig() });
  page2.run(...CORE, ...VENDORS, "boot.js");
  assert.ok(!lines(page2.calls).includes(UNAUTHENTICATED));
});

test("config: ids, services, cookie name and log level must have the server's formats", () => {
  const page = makePage({
    config: {
      area: "signup",
      logLevel: "loud",
      gpc: ["analytics", "ads"],
      consent: { required: true, cookie: "c; domain=evil.test", granted: ["analytics", "all"], decided: true },
      services: [
        service("hubspot", { id: "12ab" }),
        service("google", { id: IDS.google, category: "everything" }),
        { name: "mixpanel", label: "Mixpanel", category: "analytics", on: true, id: "x" },
        service("drift", { id: IDS.drift }),
      ],
    },
  });
  page.run(...CORE, ...VENDORS, "boot.js");
  const analytix = page.window.analytix;
  assert.deepEqual(Object.keys(analytix.services), ["hubspot", "google", "drift"]);
  assert.deepEqual([analytix.services.hubspot.on, analytix.services.hubspot.reason, analytix.services.hubspot.id], [false, "invalid id", null]);
  // Its category is the package's, whatever the config says.
  assert.equal(analytix.services.google.category, "analytics");
  assert.equal(analytix.logLevel(), "warning");
  assert.deepEqual(lines(page.calls), [
    "[WARNING] analytix | unknown consent category ignored: all",
    "[WARNING] analytix | invalid consent cookie name in the config ignored: c; domain=evil.test",
    "[WARNING] analytix | unknown log level in the config ignored: loud",
    "[WARNING] analytix | unknown consent category ignored: ads",
    "[WARNING] analytix | HubSpot: invalid id in the config ignored: 12ab",
    "[WARNING] analytix | unknown service in the config ignored: mixpanel",
  ]);
  // The consent cookie keeps its own name and attributes.
  const written = [];
  // On the prototype: the page reads and writes its cookie through Document.prototype's
  // accessor, since HTML can shadow document.cookie itself.
  Object.defineProperty(page.window.Document.prototype, "cookie", {
    set: (value) => {
      written.push(value);
    },
    configurable: true,
  });
  analytix.consent.withdraw();
  assert.deepEqual(written, ["analytix_consent=none; path=/; max-age=15552000; SameSite=Lax"]);
});

test("config: a block without a services list is skipped with a warning", () => {
  const page = makePage();
  page.run(...CORE);
  addBlock(page, JSON.stringify({ area: "x" }));
  addBlock(page, "null");
  assert.deepEqual([...page.window.analytix.readPageConfigs()], []);
  assert.deepEqual(lines(page.calls), [
    "[WARNING] analytix | config block without services skipped",
    "[WARNING] analytix | config block without services skipped",
  ]);
});

test("config: each block is read once, takes the page nonce, and the first block sets the level", () => {
  const page = makePage();
  page.run(...CORE);
  addBlock(page, { area: "a", logLevel: "off", services: [] });
  addBlock(page, { area: "b", logLevel: "verbose", services: [] });
  const configs = page.window.analytix.readPageConfigs();
  assert.deepEqual(
    [...configs].map((c) => [c.area, c.nonce]),
    [
      ["a", PAGE_NONCE],
      ["b", PAGE_NONCE],
    ],
  );
  assert.equal(page.window.analytix.logLevel(), "off");
  assert.deepEqual([...page.window.analytix.readPageConfigs()], []);
});

const NONCE_MISSING =
  "the server found none for it, so a nonce-based policy blocks the vendor scripts " +
  "(see docs/privacy.md, Content-Security-Policy)";

function violation(window, directive, blockedURI) {
  const event = new window.Event("securitypolicyviolation", { bubbles: true });
  Object.assign(event, { effectiveDirective: directive, blockedURI });
  window.document.dispatchEvent(event);
}

test("missing nonce: a refused script on a page without a nonce is said once in the console", () => {
  const page = makePage({ config: realConfig(), nonce: "" });
  page.run(...CORE, "vendors/hubspot.js", "boot.js");
  violation(page.window, "img-src", "https://x.test/a.png");
  violation(page.window, "script-src-elem", "https://js.hs-scripts.com/1234567.js");
  violation(page.window, "script-src-elem", "https://js.hs-analytics.net/x.js");
  const said = lines(page.calls).filter((line) => line.endsWith(NONCE_MISSING));
  assert.deepEqual(said, [
    "[WARNING] analytix | a Content-Security-Policy blocked the script https://js.hs-scripts.com/1234567.js and " +
      "this page has no CSP nonce: " + NONCE_MISSING,
  ]);

  const withNonce = makePage({ config: realConfig() });
  withNonce.run(...CORE, "vendors/hubspot.js", "boot.js");
  violation(withNonce.window, "script-src-elem", "https://elsewhere.test/x.js");
  assert.deepEqual(lines(withNonce.calls), []);
});

test("missing nonce: the server's nonceMissing hint is said once, and only without a nonce", () => {
  const page = makePage({ config: realConfig({ nonceMissing: true }), nonce: "" });
  addBlock(page, realConfig({ nonceMissing: true }), "");
  page.run(...CORE, "vendors/hubspot.js", "boot.js");
  violation(page.window, "script-src", "https://js.hs-scripts.com/1234567.js");
  assert.deepEqual(
    lines(page.calls).filter((line) => line.endsWith(NONCE_MISSING)),
    ["[WARNING] analytix | the server expected a CSP nonce for this page and this page has no CSP nonce: " + NONCE_MISSING],
  );
  const withNonce = makePage({ config: realConfig({ nonceMissing: true }) });
  withNonce.run(...CORE, "vendors/hubspot.js", "boot.js");
  assert.deepEqual(lines(withNonce.calls), []);
});
