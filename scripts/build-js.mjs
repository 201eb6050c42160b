// Builds static/analytix/js/analytix.min.js: every first-party file, in the order the
// compressor bundle lists them (templates/analytics/bundle.html), concatenated and minified
// with terser (pinned in package.json, so the output is reproducible).
//
//   node scripts/build-js.mjs           write the file
//   node scripts/build-js.mjs --check   exit 1 when the committed file is out of date
//   node scripts/build-js.mjs --core    print (not write) the same build without the events
//                                       and consent files: the logger and loaders alone,
//                                       as benchmarks/weight.py reports them
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { minify } from "terser";

const ROOT = new URL("../", import.meta.url);
const STATIC = new URL("static/", ROOT);
export const OUTPUT = "analytix/js/analytix.min.js";
// Not part of "the logger and the loaders" (the page-weight goal of docs/performance.md).
const NOT_CORE = ["analytix/js/consent.js", "analytix/js/events.js"];

// The files, in load order, from the one list the compressor bundle already keeps.
export function bundleFiles() {
  const template = readFileSync(new URL("templates/analytics/bundle.html", ROOT), "utf8");
  return [...template.matchAll(/\{% static '([^']+)' %\}/g)].map((match) => match[1]);
}

export async function buildBundle(files = bundleFiles()) {
  const sources = Object.fromEntries(files.map((file) => [file, readFileSync(new URL(file, STATIC), "utf8")]));
  const result = await minify(sources, {
    ecma: 5,
    compress: { passes: 2 },
    mangle: true,
    format: {
      comments: false,
      preamble: `/* analytix: ${files.length} files minified by scripts/build-js.mjs; edit the sources, then run it */`,
    },
  });
  return result.code + "\n";
}

async function main() {
  const target = new URL(OUTPUT, STATIC);
  if (process.argv.includes("--core")) {
    process.stdout.write(await buildBundle(bundleFiles().filter((file) => !NOT_CORE.includes(file))));
    return;
  }
  const built = await buildBundle();
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(target, "utf8");
    } catch {
      // missing: out of date
    }
    if (current !== built) {
      console.error(`${OUTPUT} is out of date: run node scripts/build-js.mjs`);
      process.exit(1);
    }
    console.log(`${OUTPUT} matches its sources`);
    return;
  }
  writeFileSync(target, built);
  console.log(`wrote ${fileURLToPath(target)} (${built.length} bytes)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
}
