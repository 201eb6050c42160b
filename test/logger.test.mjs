import assert from "node:assert/strict";
import { test } from "node:test";
import { lines, makePage } from "./helpers.mjs";

function logAtEveryLevel(level) {
  const page = makePage();
  page.run("logger.js");
  page.window.analytix.setLogLevel(level);
  const log = page.window.analytix.logger("Checkout");
  log.warning("w");
  log.debug("d");
  log.verbose("v");
  return page.calls;
}

test("each level prints itself and the levels below it", () => {
  assert.deepEqual(lines(logAtEveryLevel("off")), []);
  assert.deepEqual(lines(logAtEveryLevel("warning")), ["[WARNING] Checkout | w"]);
  assert.deepEqual(lines(logAtEveryLevel("debug")), ["[WARNING] Checkout | w", "[DEBUG] Checkout | d"]);
  assert.deepEqual(lines(logAtEveryLevel("verbose")), [
    "[WARNING] Checkout | w",
    "[DEBUG] Checkout | d",
    "[VERBOSE] Checkout | v",
  ]);
});

test("warnings go to console.warn, the rest to visible console methods", () => {
  const methods = logAtEveryLevel("verbose").map((c) => c.method);
  assert.deepEqual(methods, ["warn", "info", "log"]);
});

test("the default level is warning and an unknown level changes nothing", () => {
  const page = makePage();
  page.run("logger.js");
  page.window.analytix.setLogLevel("loud");
  assert.equal(page.window.analytix.logLevel(), "warning");
});

test("objects are passed through as their own arguments", () => {
  const page = makePage();
  page.run("logger.js");
  const payload = { plan: "pro" };
  page.window.analytix.logger("X").warning("sent", payload);
  // The console's own method bound to the prefix (so DevTools shows the caller as the source).
  assert.deepEqual(page.calls[0].args.slice(0, 2), ["[WARNING] X |", "sent"]);
  assert.equal(page.calls[0].args[2].plan, "pro");
});

test("groups are styled and only opened when their level prints", () => {
  const page = makePage();
  page.run("logger.js");
  page.window.analytix.setLogLevel("debug");
  const log = page.window.analytix.logger("Drift");
  log.group("verbose", () => log.verbose("hidden"));
  log.group("debug", () => log.debug("shown"));
  assert.deepEqual(
    page.calls.map((c) => c.method),
    ["group", "info", "groupEnd"],
  );
  assert.equal(page.calls[0].args[0], "%cDrift");
  assert.match(page.calls[0].args[1], /color/);
});

test("a group header carries the service's state, styled apart", () => {
  const page = makePage();
  page.run("logger.js");
  page.window.analytix.setLogLevel("debug");
  const log = page.window.analytix.logger("Drift");
  log.group("debug", () => {}, "off", "off: area");
  log.group("debug", () => {}, "on");
  const headers = page.calls.filter((c) => c.method === "group").map((c) => c.args);
  assert.equal(headers[0][0], "%cDrift %coff: area");
  assert.equal(headers[1][0], "%cDrift %con");
  assert.notEqual(headers[0][2], headers[1][2]); // off and on look different
});

test("a line printed at a level that is off is a no-op; the level is read at each call", () => {
  const page = makePage();
  page.run("logger.js");
  const log = page.window.analytix.logger("X");
  log.debug("hidden");
  page.window.analytix.setLogLevel("debug");
  log.debug("shown");
  assert.deepEqual(lines(page.calls), ["[DEBUG] X | shown"]);
});
