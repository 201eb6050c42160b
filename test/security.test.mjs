// What start.js and the main script trust, in jsdom: copies of our scripts that HTML put on the
// page (no nonce, a guessed one, run while the page parses), blocks with a wrong nonce, the
// Trusted Types policy "analytix", QA's remembered log level, and the paths that must fail
// closed (a main script that failed, consent.js missing).
import assert from "node:assert/strict";
import { test } from "node:test";
import { JSDOM, VirtualConsole } from "jsdom";
import { CORE, IDS, PAGE_NONCE, VENDOR_FILES, addBlock, lines, makePage, service, source } from "./helpers.mjs";

const MAIN_FILES = [...CORE.slice(0, 3), "triggers.js", ...CORE.slice(3),
  ...Object.values(VENDOR_FILES), "vendors/drift-facade.js", "boot.js"];
const MAIN_URLS = MAIN_FILES.map((file) => `/static/analytix/js/${file}`);
const IMPOSTOR = "[WARNING] analytix | a copy of start.js without this page's CSP nonce was ignored (HTML injected into the page?)";

function config(services, overrides = {}) {
  return { area: "signup", logLevel: "warning", services: services.map((s) => service(s.name, { id: IDS[s.name], ...s })), ...overrides };
}

// start.js's tag as the server writes it (deferred, with the nonce), or as an attacker would.
function addStart(page, { nonce = PAGE_NONCE, defer = true, files = MAIN_FILES } = {}) {
  const tag = page.document.createElement("script");
  if (nonce) tag.setAttribute("nonce", nonce);
  if (defer) tag.setAttribute("defer", "");
  tag.setAttribute("data-analytix-main", files.map((file) => `/static/analytix/js/${file}`).join(" "));
  tag.textContent = source("start.js");
  page.document.head.appendChild(tag);
  return tag;
}

function startPage(services, { logLevel = "warning", body = "", storage = null } = {}) {
  const page = makePage({ config: config(services, { logLevel }), url: "https://site.test/", body });
  if (storage) page.window.localStorage.setItem("analytix.logLevel", storage);
  page.idle = [];
  page.window.requestIdleCallback = (callback) => page.idle.push(callback);
  addStart(page);
  page.inserted = () => [...page.document.querySelectorAll("script[src]")].filter((s) => s.src.startsWith("https://site.test/static/analytix/js/"));
  page.runMain = () => {
    page.run(...MAIN_FILES);
    page.inserted().at(-1).dispatchEvent(new page.window.Event("load"));
  };
  return page;
}

const hubspotEvents = (page) => (page.window._hsq || []).filter((entry) => entry[0] === "trackCustomBehavioralEvent").map((entry) => entry[1].name);

test("a config block with a wrong nonce (not only a missing one) is refused by start.js and config.js", () => {
  const page = makePage({ config: config([{ name: "hubspot", load: "idle" }]), url: "https://site.test/" });
  const attacker = config([{ name: "hubspot", id: "999", load: "ready" }], { logLevel: "verbose" });
  addBlock(page, attacker, "guessed-nonce");
  addStart(page);
  assert.equal(page.document.querySelectorAll("script[src]").length, 0, "the wrong-nonce block cannot bring the main script early");
  page.window.analytix.track("x"); // brings it
  page.run(...MAIN_FILES);
  const hubspot = [...page.document.querySelectorAll('script[src*="hs-scripts"]')].map((s) => s.src);
  assert.deepEqual(hubspot, [], "idle: not yet; and never the attacker's id");
  assert.ok(lines(page.calls).includes("[WARNING] analytix | config block skipped: it does not carry this page's CSP nonce (not written by the server)"));
  assert.equal(page.window.analytix.services.hubspot.id, IDS.hubspot);
});

test("a nonce-less copy of start.js on a page whose server wrote a nonce starts nothing and says so once", () => {
  const page = makePage({ config: config([{ name: "hubspot" }]), url: "https://site.test/" });
  addBlock(page, config([{ name: "hubspot", id: "999" }], { logLevel: "verbose" }), "");
  addStart(page, { nonce: "" });
  assert.equal(page.window.analytix, undefined, "it claims nothing");
  assert.equal(page.document.querySelectorAll("script[src]").length, 0, "no main script, no vendor");
  assert.deepEqual(lines(page.calls), [IMPOSTOR]);
  // The server's own, nonce'd start.js still works on that page.
  addStart(page);
  assert.equal(page.window.analytix.__nonce__, PAGE_NONCE);
  assert.equal(page.document.querySelectorAll("script[src]").length, MAIN_URLS.length);
  page.run(...MAIN_FILES);
  assert.deepEqual([...page.document.querySelectorAll('script[src*="hs-scripts"]')].map((s) => s.src), [`https://js.hs-scripts.com/${IDS.hubspot}.js`]);
});

test("a copy run while the page parses (not deferred) waits until it is parsed, then yields to the server's", () => {
  // Injected before the server's block and tag: at its run time nothing shows the page's nonce.
  const calls = [];
  const virtualConsole = new VirtualConsole();
  virtualConsole.on("warn", (...args) => calls.push(args.join(" ")));
  const attacker = JSON.stringify(config([{ name: "hubspot", id: "999" }], { logLevel: "verbose" }));
  const impostor = `<script data-analytix-main="/static/analytix/js/logger.js">${source("start.js")}</script>` +
    `<script>window.__claimedWhileParsing = window.analytix !== undefined;</script>` +
    `<script type="application/json" data-analytix-config>${attacker}</script>`;
  const server = `<script type="application/json" data-analytix-config nonce="${PAGE_NONCE}">${JSON.stringify(config([{ name: "hubspot", load: "idle" }]))}</script>`;
  const dom = new JSDOM(`<!doctype html><html><head>${impostor}${server}</head><body></body></html>`, {
    runScripts: "dangerously", virtualConsole, url: "https://site.test/",
  });
  assert.equal(dom.window.__claimedWhileParsing, false, "window.analytix is not the copy's");
  return new Promise((resolve) => dom.window.document.addEventListener("DOMContentLoaded", () => {
    assert.equal(dom.window.document.querySelectorAll("script[src]").length, 0, "it loaded nothing");
    assert.deepEqual(calls, [IMPOSTOR]);
    assert.equal(dom.window.analytix, undefined);
    resolve();
  }));
});

test("start.js tags with different nonces (a guessed one) cannot be told apart: neither starts anything", () => {
  const page = makePage({ config: config([{ name: "hubspot" }]), url: "https://site.test/" });
  // The server's deferred tag, parsed but not run yet, and a deferred copy before it, which runs first.
  const server = page.document.createElement("script");
  server.setAttribute("nonce", PAGE_NONCE);
  server.setAttribute("data-analytix-main", MAIN_URLS.join(" "));
  page.document.head.appendChild(server);
  addStart(page, { nonce: "guessed" });
  assert.equal(page.window.analytix, undefined);
  addStart(page); // the server's, running second: it sees the copy's tag too
  assert.equal(page.window.analytix, undefined);
  assert.equal(page.document.querySelectorAll("script[src]").length, 0);
  const refused = lines(page.calls).filter((line) => line === "[WARNING] analytix | start.js tags with different " +
    "CSP nonces on this page (HTML injected into it?): this one starts nothing");
  assert.equal(refused.length, 2);
});

test("a copy of the main script's files HTML put on the page makes no object and trusts no block", () => {
  // logger.js without start.js, no nonce, on a page whose block has one: no window.analytix.
  const page = makePage({ config: config([{ name: "hubspot" }]), nonce: PAGE_NONCE });
  const copy = page.document.createElement("script");
  copy.setAttribute("defer", "");
  copy.textContent = source("logger.js") + source("config.js") + source("loader.js") + source(VENDOR_FILES.hubspot) + source("boot.js");
  page.document.head.appendChild(copy);
  assert.equal(page.window.analytix, undefined);
  assert.equal(page.document.querySelectorAll("script[src]").length, 0);
  // config.js with another nonce than start.js's object's reads no block.
  const page2 = startPage([{ name: "hubspot", load: "idle" }]);
  const other = page2.document.createElement("script");
  other.setAttribute("nonce", "guessed");
  other.setAttribute("defer", "");
  other.textContent = source("logger.js") + source("config.js");
  page2.document.head.appendChild(other);
  assert.equal(page2.window.analytix.readPageConfigs, undefined);
  assert.ok(lines(page2.calls).includes("[WARNING] analytix | a copy of config.js without this page's CSP nonce was ignored (HTML injected into the page?)"));
});

// A Trusted Types implementation as Chromium's, enough for script.src: a string is refused
// while `required`; createPolicy refuses names the page's CSP does not list.
function trustedTypes(window, { allowed = ["analytix"], required = true } = {}) {
  const policies = [];
  class TrustedScriptURL {
    constructor(value) { this.value = value; }
    toString() { return this.value; }
  }
  window.trustedTypes = {
    createPolicy(name, rules) {
      if (!allowed.includes(name)) throw new window.TypeError(`Failed to execute 'createPolicy': Policy "${name}" disallowed.`);
      const policy = { name, createScriptURL: (url) => new TrustedScriptURL(rules.createScriptURL(url)) };
      policies.push(policy);
      return policy;
    },
  };
  const descriptor = Object.getOwnPropertyDescriptor(window.HTMLScriptElement.prototype, "src");
  Object.defineProperty(window.HTMLScriptElement.prototype, "src", {
    get: descriptor.get,
    set(value) {
      if (required && !(value instanceof TrustedScriptURL)) {
        throw new window.TypeError("Failed to set the 'src' property on 'HTMLScriptElement': This document requires 'TrustedScriptURL' assignment.");
      }
      descriptor.set.call(this, String(value));
    },
  });
  return policies;
}

test("Trusted Types: one policy, analytix, for the main script and the vendor URLs the loaders build", () => {
  const page = makePage({ config: config([{ name: "hubspot" }, { name: "google" }]), url: "https://site.test/" });
  const policies = trustedTypes(page.window);
  addStart(page);
  assert.deepEqual(policies.map((p) => p.name), ["analytix"]);
  assert.equal(page.document.querySelectorAll("script[src]").length, MAIN_URLS.length);
  page.run(...MAIN_FILES);
  const vendors = [...page.document.querySelectorAll("script[src]")].map((s) => new URL(s.src).host).filter((host) => host !== "site.test");
  assert.deepEqual(vendors.sort(), ["js.hs-scripts.com", "www.googletagmanager.com"]);
  assert.equal(policies.length, 1, "shared, never made twice");
  // Anything else is refused, with a warning, and never thrown into the page.
  const log = page.window.analytix.logger("Test");
  assert.equal(page.window.analytix.loadScript("https://evil.test/x.js", log, {}), null);
  assert.throws(() => page.window.analytix.__scriptURL__("https://evil.test/x.js"), /not a URL analytix built/);
  assert.ok(lines(page.calls).some((line) => line.startsWith("[WARNING] Test | refused by Trusted Types (not a URL analytix built: https://evil.test/x.js):")));
  assert.equal(Object.keys(page.window.analytix).includes("__scriptURL__"), false, "not enumerable");
  assert.deepEqual(page.errors, []);
});

test("Trusted Types required but the policy not allowed: one console line, nothing loads, nothing thrown", () => {
  const page = makePage({ config: config([{ name: "hubspot" }]), url: "https://site.test/" });
  trustedTypes(page.window, { allowed: ["someone-else"] });
  addStart(page); // throws here if start.js let the error out
  assert.equal(page.document.querySelectorAll("script[src]").length, 0);
  assert.deepEqual([...page.window.analytix.track("dropped")], []);
  assert.deepEqual(lines(page.calls), [
    "[WARNING] analytix | Trusted Types refused the main script (the CSP does not allow the policy \"analytix\": add trusted-types analytix); the page's analytics calls are dropped: https://site.test/static/analytix/js/logger.js",
  ]);
  // Not required (a trusted-types list alone): the plain URLs work.
  const relaxed = makePage({ config: config([{ name: "hubspot" }]), url: "https://site.test/" });
  trustedTypes(relaxed.window, { allowed: [], required: false });
  addStart(relaxed);
  assert.equal(relaxed.document.querySelectorAll("script[src]").length, MAIN_URLS.length);
});

test("QA's remembered level: debug lines and the table on a warning page, main at once, each reason says how to get its detail", () => {
  const page = startPage([{ name: "hubspot", load: "idle" }, { name: "drift", on: false, reason: "area" }], { storage: "debug" });
  assert.equal(page.inserted().length, MAIN_URLS.length, "at once, as at debug");
  assert.equal(page.window.analytix.logLevel(), "debug");
  page.runMain();
  const text = lines(page.calls);
  assert.ok(text.includes("[DEBUG] Drift | not loaded: area (details stay on the server at LOG_LEVEL warning: " +
    "manage.py analytix_report --area signup, or the debug-toolbar panel)"), text.join("\n"));
  assert.ok(text.includes("[DEBUG] analytix | log level debug remembered in this browser (the page's is warning): analytix.forgetLogLevel() forgets it"));
  page.window.analytix.forgetLogLevel();
  assert.equal(page.window.localStorage.getItem("analytix.logLevel"), null);
  assert.equal(page.window.analytix.logLevel(), "warning");
  // Nothing remembered: the page's own level, and the main script waits.
  const plain = startPage([{ name: "hubspot", load: "idle" }]);
  assert.equal(plain.inserted().length, 0);
  plain.window.analytix.setLogLevel("verbose", { remember: true }); // a call: brings the main script
  plain.runMain();
  assert.equal(plain.window.localStorage.getItem("analytix.logLevel"), "verbose");
  assert.equal(plain.window.analytix.logLevel(), "verbose");
  // A stored value that is no level changes nothing.
  assert.equal(startPage([{ name: "hubspot", load: "idle" }], { storage: "loud" }).inserted().length, 0);
});

test("calls made after the main script failed to load are dropped, said once, even if a later file loads", () => {
  const page = startPage([{ name: "hubspot" }]);
  page.inserted()[0].dispatchEvent(new page.window.Event("error")); // DEBUG: the first of several files
  page.window.analytix.track("After the failure");
  let ready = false;
  page.window.analytix.ready(() => { ready = true; });
  page.runMain(); // the other files ran, and the last one's load event comes
  assert.deepEqual([...hubspotEvents(page)], [], "never delivered");
  assert.equal(ready, false);
  const warned = lines(page.calls).filter((line) => line.includes("failed to load the main script"));
  assert.equal(warned.length, 1);
  assert.match(warned[0], /the page's analytics calls are dropped: https:\/\/site\.test\/static\/analytix\/js\/logger\.js$/);
});

test("a tracked form submitted before the main script ran without a click (requestSubmit, Enter) is recorded once", () => {
  for (const how of ["requestSubmit", "enter"]) {
    const page = startPage([{ name: "hubspot" }], {
      body: '<form id="f" action="#sent" data-analytix-event="Signed Up"><input name="q"><button>Go</button></form>',
    });
    page.window.HTMLFormElement.prototype.submit = () => {}; // jsdom does not navigate
    const form = page.document.getElementById("f");
    if (how === "requestSubmit") {
      form.requestSubmit();
    } else { // implicit submission: a submit event whose submitter is the form's default button
      form.dispatchEvent(new page.window.SubmitEvent("submit", { bubbles: true, cancelable: true, submitter: form.querySelector("button") }));
    }
    page.runMain();
    assert.deepEqual([...hubspotEvents(page)], ["pe1234567_signed_up"], how);
  }
});

test("a page whose config requires consent holds services back whether consent.js is there or not", () => {
  const consent = { required: true, cookie: "analytix_consent", granted: [], decided: false };
  const services = [service("hubspot", { id: IDS.hubspot }), service("google", { id: IDS.google })];
  for (const files of [CORE, CORE.filter((file) => file !== "consent.js")]) {
    const page = makePage({ config: { area: "signup", logLevel: "warning", consent, services } });
    page.run(...files, VENDOR_FILES.hubspot, VENDOR_FILES.google, "boot.js"); // throws if boot.js does
    assert.equal(page.document.querySelectorAll("script[src]").length, 0, files.join());
    assert.deepEqual(Object.values(page.window.analytix.services).map((s) => s.state), ["waiting", "waiting"]);
  }
  const missing = startPage([]);
  missing.document.querySelector("script[data-analytix-config]").textContent = JSON.stringify({ area: "signup", logLevel: "warning", consent, services });
  missing.window.analytix.consent.grant(["analytics"]); // start.js keeps it for consent.js, missing
  missing.run(...MAIN_FILES.filter((file) => file !== "consent.js"));
  missing.inserted().at(-1).dispatchEvent(new missing.window.Event("load"));
  assert.equal(missing.document.querySelectorAll('script[src^="https://www"], script[src*="hs-scripts"]').length, 0);
  assert.deepEqual(lines(missing.calls), [
    "[WARNING] analytix | consent is required but consent.js is not on this page: services that need consent stay off",
    "[WARNING] analytix | error in a queued call: grant() is not in this page's main script",
  ]);
});

test("after consent.grant() a service waiting for its trigger is scheduled, with no reason left", () => {
  const consent = { required: true, cookie: "analytix_consent", granted: [], decided: false };
  const page = startPage([]);
  page.document.querySelector("script[data-analytix-config]").textContent = JSON.stringify({
    area: "signup", logLevel: "warning", consent,
    services: [service("google", { id: IDS.google, on: false, waiting: true, reason: "consent", load: "idle" })],
  });
  page.window.analytix.track("x");
  page.runMain();
  const google = page.window.analytix.service("google");
  assert.equal(google.state, "waiting");
  assert.equal(google.reason, "consent");
  page.window.analytix.consent.grant(["analytics"]);
  assert.deepEqual([google.state, google.reason, google.on], ["scheduled", "", true]);
});

test("a second tag can start a service the first left off", () => {
  const page = makePage({ config: config([{ name: "hubspot", on: false, reason: "area" }]) });
  addBlock(page, config([{ name: "hubspot" }], { area: "second" }));
  page.run(...CORE, VENDOR_FILES.hubspot, "boot.js");
  assert.deepEqual([...page.document.querySelectorAll("script[src]")].map((s) => s.src), [`https://js.hs-scripts.com/${IDS.hubspot}.js`]);
  assert.equal(page.window.analytix.services.hubspot.on, true);
});
