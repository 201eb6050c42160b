import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { OUTPUTS, buildBundle, bundleFiles } from "../scripts/build-js.mjs";
import { lines, makePage, service } from "./helpers.mjs";

const START = "analytix/js/analytix.min.js";
const MAIN = "analytix/js/main.min.js";

for (const output of Object.keys(OUTPUTS)) {
  test(`the shipped ${output} is what scripts/build-js.mjs builds from the sources`, async () => {
    const shipped = readFileSync(new URL(`../static/${output}`, import.meta.url), "utf8");
    assert.ok(shipped === (await buildBundle(bundleFiles(output))), `${output} is out of date: run node scripts/build-js.mjs`);
  });
}

test("the page's one script is start.js; the main script holds every other file, boot last", () => {
  assert.deepEqual(bundleFiles(START), ["analytix/js/start.js"]);
  const files = bundleFiles(MAIN);
  assert.deepEqual(files.slice(0, 3), ["analytix/js/logger.js", "analytix/js/config.js", "analytix/js/loader.js"]);
  assert.equal(files.at(-1), "analytix/js/boot.js");
  assert.equal(files.filter((f) => f.includes("/vendors/") && !f.endsWith("-facade.js")).length, 6);
});

test("the minified file behaves like the sources: same vendor scripts, same console", () => {
  const config = {
    area: "signup",
    logLevel: "verbose",
    services: [
      service("hubspot", { id: "1234567" }),
      service("facebook_pixel", { id: "123456789012345" }),
      { name: "drift", label: "Drift", category: "functional", on: false, id: null, reason: "area" },
    ],
  };
  const run = (...files) => {
    const page = makePage({ config, nonce: "n1" });
    page.run(...files);
    return {
      scripts: [...page.document.querySelectorAll("script[src]")].map((s) => [s.src, s.nonce]),
      lines: lines(page.calls),
      // startedAt is a time: the same fields, not the same value.
      records: JSON.parse(JSON.stringify(page.window.analytix.services), (key, value) =>
        key === "startedAt" ? typeof value : value),
    };
  };
  const sources = run(...[...bundleFiles(START), ...bundleFiles(MAIN)].map((file) => file.replace("analytix/js/", "")));
  const minified = run("analytix.min.js", "main.min.js");
  assert.equal(sources.scripts.length, 2);
  assert.deepEqual(minified, sources);
  // A field the server leaves out still reads as "" in the record.
  assert.equal(minified.records.drift.detail, "");
  assert.ok(minified.lines.includes("[DEBUG] Drift | not loaded: area"));
});
