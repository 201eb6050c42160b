// Runs the TypeScript compiler from node_modules (for the declaration tests): its error
// output, or "" when it found none.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const TSC = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");

export function tsc(...args) {
  try {
    execFileSync(process.execPath, [TSC, ...args], { encoding: "utf8" });
    return "";
  } catch (error) {
    return error.stdout || String(error);
  }
}
