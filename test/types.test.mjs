// static/analytix/js/analytix.d.ts: page code from docs/events.md type-checks (test/types/usage.ts),
// misuse does not (test/types/misuse.ts), and the declared API is the one the scripts build.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { tsc } from "./tsc.mjs";
import { CORE, VENDOR_FILES, makePage, service } from "./helpers.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const DECLARATIONS = readFileSync(here("../static/analytix/js/analytix.d.ts"), "utf8");

test("page code as the docs write it type-checks against analytix.d.ts", () => {
  assert.equal(tsc("-p", here("types/tsconfig.json")), "");
});

test("every misuse in test/types/misuse.ts is a type error", () => {
  const file = here("types/misuse.ts");
  const output = tsc("--noEmit", "--strict", "--lib", "ES2017,DOM", "--types", "", here("../static/analytix/js/analytix.d.ts"), file);
  const failing = new Set([...output.matchAll(/misuse\.ts\((\d+),/g)].map((m) => Number(m[1])));
  const lines = readFileSync(file, "utf8").split("\n");
  const misuses = lines.flatMap((line, i) => (/\/\/ /.test(line) && /^\s+\S/.test(line) && !/const api/.test(line) ? [i + 1] : []));
  assert.ok(misuses.length >= 8);
  assert.deepEqual(misuses.filter((n) => !failing.has(n)), [], output);
});

// The names in a union type of the declarations, e.g. union("ServiceName").
function union(name) {
  const body = DECLARATIONS.match(new RegExp(`type ${name} =([^;]+);`))[1];
  return [...body.matchAll(/"([^"]*)"/g)].map((m) => m[1]).filter(Boolean).sort();
}

// The members of an interface of the declarations.
function members(name) {
  const body = DECLARATIONS.match(new RegExp(`interface ${name} \\{([\\s\\S]*?)\\n  \\}`))[1];
  return [...body.matchAll(/^\s+(?:readonly )?([a-zA-Z]+)\??[(:<]/gm)].map((m) => m[1]).sort();
}

test("the declared services, API and handles are those the scripts build", () => {
  assert.deepEqual(union("ServiceName"), Object.keys(VENDOR_FILES).sort());
  const page = makePage({ config: { area: "signup", logLevel: "off", services: [service("drift", { id: "abc123xyz789", category: "functional" })] } });
  page.run("start.js");
  const early = page.window.analytix; // before the main script: start.js's queueing API
  for (const member of members("Api")) {
    assert.ok(member in early, `window.analytix.${member} is declared but missing before the main script`);
  }
  for (const member of ["grant", "withdraw", "reject"]) {
    assert.ok(member in early.consent, `consent.${member} is declared but missing before the main script`);
  }
  assert.deepEqual(Object.keys(early.service("drift")).sort(), members("ServiceHandle"));
  page.run(...CORE, VENDOR_FILES.drift, "boot.js");
  const analytix = page.window.analytix;
  for (const member of members("Api")) {
    assert.ok(member in analytix, `window.analytix.${member} is declared but missing`);
  }
  for (const member of members("Consent")) {
    assert.ok(member in analytix.consent, `consent.${member} is declared but missing`);
  }
  for (const member of members("ConsentState")) {
    assert.ok(member in analytix.consent.state, `consent.state.${member} is declared but missing`);
  }
  for (const member of members("Logger")) {
    assert.ok(member in analytix.logger("x"), `logger().${member} is declared but missing`);
  }
  const handle = analytix.service("drift");
  assert.deepEqual(Object.keys(handle).sort(), members("ServiceHandle"));
  const record = analytix.services.drift;
  for (const member of members("ServiceRecord")) {
    assert.ok(member === "consented" || member === "advanced" || member in record, `services.drift.${member} is declared but missing`);
  }
  assert.ok(union("ServiceState").includes(record.state));
});
