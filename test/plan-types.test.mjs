// The TypeScript `manage.py analytix_plan types` writes (test/types/plan/analytics_plan.d.ts,
// kept equal to the generator's output by tests/plan/test_typegen.py), with analytix.d.ts:
// planned calls type-check, and unplanned names, missing or wrong properties do not.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { tsc } from "./tsc.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

test("planned calls type-check against the generated PlannedEvents", () => {
  assert.equal(tsc("-p", here("types/plan/tsconfig.json")), "");
});

test("every misuse of a planned event is a type error", () => {
  const file = here("types/plan/misuse.ts");
  const output = tsc("--noEmit", "--strict", "--lib", "ES2017,DOM", "--types", "",
    here("../static/analytix/js/analytix.d.ts"), here("types/plan/analytics_plan.d.ts"), file);
  const failing = new Set([...output.matchAll(/misuse\.ts\((\d+),/g)].map((m) => Number(m[1])));
  const lines = readFileSync(file, "utf8").split("\n");
  const misuses = lines.flatMap((line, i) => (/api\.track\(.*\/\/ /.test(line) ? [i + 1] : []));
  assert.equal(misuses.length, 7);
  assert.deepEqual(misuses.filter((n) => !failing.has(n)), [], output);
});
