// The loader (registry + loadScript), the config reader and the logger on their failure paths.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CORE, lines, makePage, service } from "./helpers.mjs";

const URL_A = "https://vendor.example/a.js";

function loaderPage(level = "verbose") {
  const page = makePage();
  page.run(...CORE);
  page.window.analytix.setLogLevel(level);
  page.uncaught = [];
  page.window.addEventListener("error", (event) => page.uncaught.push(event.message));
  const log = page.window.analytix.logger("Vendor");
  return { page, log, analytix: page.window.analytix };
}

const fire = (page, element, type) => element.dispatchEvent(new page.window.Event(type));

test("loadScript inserts one async script in <head> with the given id, crossorigin and nonce", () => {
  const { page, log, analytix } = loaderPage();
  const script = analytix.loadScript(URL_A, log, { id: "v-loader", crossOrigin: "anonymous", nonce: "abc" });
  assert.equal(script.parentNode, page.document.head);
  assert.equal(script.src, URL_A);
  assert.equal(script.async, true);
  assert.equal(script.id, "v-loader");
  assert.equal(script.getAttribute("crossorigin"), "anonymous");
  assert.equal(script.nonce, "abc");
  assert.equal(analytix.scriptStates[URL_A], "loading");
});

test("without options the script carries no id, crossorigin or nonce", () => {
  const { log, analytix } = loaderPage();
  const script = analytix.loadScript(URL_A, log);
  assert.equal(script.id, "");
  assert.equal(script.getAttribute("crossorigin"), null);
  assert.equal(script.getAttribute("nonce"), null);
});

test("the same URL is requested once; the second call says so at verbose", () => {
  const { page, log, analytix } = loaderPage();
  analytix.loadScript(URL_A, log);
  assert.equal(analytix.loadScript(URL_A, log), null);
  assert.equal(page.document.querySelectorAll("script[src]").length, 1);
  assert.deepEqual(lines(page.calls), [
    `[VERBOSE] Vendor | requesting ${URL_A}`,
    `[VERBOSE] Vendor | already requested ${URL_A}`,
  ]);
});

test("load: state 'loaded', one verbose line, onload called once", () => {
  const { page, log, analytix } = loaderPage();
  let loaded = 0;
  const script = analytix.loadScript(URL_A, log, { onload: () => loaded++ });
  fire(page, script, "load");
  fire(page, script, "load");
  assert.equal(analytix.scriptStates[URL_A], "loaded");
  assert.equal(loaded, 1);
  assert.equal(lines(page.calls).filter((l) => l.startsWith("[VERBOSE] Vendor | loaded")).length, 1);
});

test("error: state 'failed', exactly one warning, onerror called once, nothing thrown", () => {
  const { page, log, analytix } = loaderPage("warning");
  let failed = 0;
  const script = analytix.loadScript(URL_A, log, { onerror: () => failed++ });
  fire(page, script, "error");
  fire(page, script, "error");
  fire(page, script, "load"); // a late load after an error does not flip the state
  assert.equal(analytix.scriptStates[URL_A], "failed");
  assert.equal(failed, 1);
  assert.deepEqual(lines(page.calls), [`[WARNING] Vendor | failed to load (blocked or offline): ${URL_A}`]);
  assert.deepEqual(page.uncaught, []);
});

test("a callback that throws is logged as a warning, never thrown into the page", () => {
  const { page, log, analytix } = loaderPage("warning");
  const script = analytix.loadScript(URL_A, log, {
    onload: () => {
      throw new Error("vendor init broke");
    },
  });
  fire(page, script, "load");
  assert.deepEqual(page.uncaught, []);
  assert.deepEqual(lines(page.calls), [`[WARNING] Vendor | error after loaded ${URL_A}: vendor init broke`]);
});

test("registerVendor keeps the first definition; running loader.js again keeps the registry", () => {
  const { page, analytix } = loaderPage();
  const first = { load() {} };
  analytix.registerVendor("x", first);
  analytix.registerVendor("x", { load() {} });
  const registry = analytix.vendors;
  page.run("loader.js");
  assert.equal(page.window.analytix.vendors, registry);
  assert.equal(page.window.analytix.vendors.x, first);
});

test("a vendor whose load throws is marked failed with a warning; the others still start", () => {
  const page = makePage({
    config: {
      area: "default",
      logLevel: "warning",
      services: [service("drift", { id: "abc123xyz789" }), service("hubspot", { id: "42" })],
    },
  });
  page.run(...CORE, "vendors/hubspot.js");
  page.window.analytix.registerVendor("drift", {
    load() {
      throw new Error("broken loader");
    },
  });
  page.run("boot.js");
  assert.equal(page.window.analytix.services.drift.state, "failed");
  assert.equal(page.window.analytix.services.hubspot.state, "loading");
  assert.deepEqual(lines(page.calls), ["[WARNING] Drift | loader failed: broken loader"]);
});

test("a service that is on but has no loader script on the page is turned off with a warning", () => {
  const page = makePage({
    config: { area: "default", logLevel: "warning", services: [service("drift", { id: "abc123xyz789" })] },
  });
  page.run(...CORE, "boot.js");
  assert.equal(page.window.analytix.services.drift.on, false);
  assert.deepEqual(lines(page.calls), ["[WARNING] Drift | not loaded: no loader script for drift on this page"]);
  assert.equal(page.document.querySelectorAll("script[src]").length, 0);
});

// The logger.

test("logger: a page without a console (or without console.group) never throws", () => {
  const page = makePage();
  page.run("logger.js");
  const analytix = page.window.analytix;
  analytix.setLogLevel("verbose");
  const log = analytix.logger("X");
  page.window.console.group = undefined;
  let ran = false;
  log.group("verbose", () => (ran = true));
  assert.equal(ran, true);
  Object.defineProperty(page.window, "console", { value: undefined, configurable: true });
  log.warning("no console");
  log.group("verbose", () => log.verbose("still fine"));
});

test("logger: a group is closed even when its body throws", () => {
  const page = makePage();
  page.run("logger.js");
  page.window.analytix.setLogLevel("verbose");
  const log = page.window.analytix.logger("X");
  assert.throws(() =>
    log.group("verbose", () => {
      throw new Error("inside");
    }),
  );
  assert.deepEqual(
    page.calls.map((c) => c.method),
    ["group", "groupEnd"],
  );
});

test("logger: a non-string first argument keeps the prefix as its own argument", () => {
  const page = makePage();
  page.run("logger.js");
  page.window.analytix.logger("X").warning(42, "more");
  assert.deepEqual(page.calls[0].args, ["[WARNING] X |", 42, "more"]);
});
