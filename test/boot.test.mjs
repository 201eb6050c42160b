import assert from "node:assert/strict";
import { test } from "node:test";
import { CORE, addBlock, lines, makePage, service } from "./helpers.mjs";

test("boot starts enabled vendors, with the block's nonce, and logs the off ones", () => {
  const page = makePage({
    nonce: "abc",
    config: {
      area: "default",
      logLevel: "verbose",
      services: [
        service("hubspot", { id: "1234567" }),
        service("drift", { on: false, reason: "area", detail: "area 'default' does not list it" }),
      ],
    },
  });
  page.run(...CORE, "vendors/hubspot.js", "vendors/drift.js", "boot.js");
  const scripts = [...page.document.querySelectorAll("script[src]")];
  assert.deepEqual(
    scripts.map((s) => s.src),
    ["https://js.hs-scripts.com/1234567.js"],
  );
  assert.equal(scripts[0].id, "hs-script-loader");
  assert.equal(scripts[0].async, true);
  assert.equal(scripts[0].nonce, "abc");
  assert.ok(lines(page.calls).includes("[DEBUG] Drift | not loaded: area (area 'default' does not list it)"));
});

test("booting twice starts each vendor once", () => {
  const config = { area: "default", logLevel: "off", services: [service("hubspot", { id: "1" })] };
  const page = makePage({ config });
  page.run(...CORE, "vendors/hubspot.js", "boot.js", ...CORE, "vendors/hubspot.js", "boot.js");
  addBlock(page, config);
  page.window.analytix.boot();
  assert.equal(page.document.querySelectorAll('script[src*="hs-scripts"]').length, 1);
});

test("a broken config block is skipped with a warning, never thrown", () => {
  const page = makePage();
  addBlock(page, "{not json");
  page.run(...CORE, "boot.js");
  assert.equal(lines(page.calls).length, 1);
  assert.match(lines(page.calls)[0], /^\[WARNING\] analytix \| unreadable config block skipped/);
});

test("analytix.services records each decision and follows the vendor script's state", () => {
  const page = makePage({
    config: {
      area: "default",
      logLevel: "off",
      services: [service("hubspot", { id: "42" }), service("drift", { on: false, reason: "area" })],
    },
  });
  page.run(...CORE, "vendors/hubspot.js", "boot.js");
  const records = page.window.analytix.services;
  assert.equal(records.hubspot.state, "loading");
  assert.equal(records.drift.state, "off");
  assert.equal(records.drift.reason, "area");
  page.document.querySelector("#hs-script-loader").dispatchEvent(new page.window.Event("error"));
  assert.equal(records.hubspot.state, "failed");
});

test("an unknown area warns in the console even when each service is off for another reason", () => {
  const config = {
    area: "nope",
    unknownArea: true,
    logLevel: "warning",
    services: [service("google", { on: false, reason: "environment" }), service("hubspot", { on: false, reason: "no id" })],
  };
  const page = makePage({ config });
  page.run(...CORE, "boot.js");
  assert.deepEqual(lines(page.calls), ['[WARNING] analytix | unknown page area "nope": no vendor scripts loaded']);
});

test("a second tag listing a service already started leaves it alone: one script, one identify", () => {
  const identity = { id: "user-7", traits: {} };
  const config = (area) => ({ area, logLevel: "off", identity, services: [service("hubspot", { id: "1234567" })] });
  const page = makePage({ config: config("default") });
  addBlock(page, config("signup")); // the second {% analytics_scripts %} on the page
  page.run(...CORE, "vendors/hubspot.js", "boot.js");
  const scripts = page.document.querySelectorAll('script[src*="hs-scripts"]');
  assert.equal(scripts.length, 1);
  scripts[0].dispatchEvent(new page.window.Event("load"));
  assert.equal(page.window.analytix.services.hubspot.state, "loaded");
  const identifies = page.window._hsq.filter((command) => command[0] === "identify");
  assert.equal(identifies.length, 1);
});
