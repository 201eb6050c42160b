// Builds the two minified first-party scripts, each from the files its compressor bundle
// template lists, in that order, concatenated and minified with terser (pinned in
// package.json, so the output is reproducible):
//
//   static/analytix/js/analytix.min.js   start.js, the critical path   (templates/analytics/bundle.html)
//   static/analytix/js/main.min.js       every other file               (templates/analytics/bundle_main.html)
//
//   node scripts/build-js.mjs           write both files
//   node scripts/build-js.mjs --check   exit 1 when a committed file is out of date
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { minify } from "terser";

const ROOT = new URL("../", import.meta.url);
const STATIC = new URL("static/", ROOT);
// Each output and the template that lists its files.
export const OUTPUTS = {
  "analytix/js/analytix.min.js": "templates/analytics/bundle.html",
  "analytix/js/main.min.js": "templates/analytics/bundle_main.html",
};

// The files of one output, in load order, from the list its compressor bundle already keeps.
export function bundleFiles(output) {
  const template = readFileSync(new URL(OUTPUTS[output], ROOT), "utf8");
  return [...template.matchAll(/\{% static '([^']+)' %\}/g)].map((match) => match[1]);
}

export async function buildBundle(files) {
  const sources = Object.fromEntries(files.map((file) => [file, readFileSync(new URL(file, STATIC), "utf8")]));
  const result = await minify(sources, {
    ecma: 5,
    compress: { passes: 2 },
    mangle: true,
    format: {
      comments: false,
      preamble: `/* analytix: ${files.length} file${files.length > 1 ? "s" : ""} minified by scripts/build-js.mjs; edit the sources, then run it */`,
    },
  });
  return result.code + "\n";
}

async function main() {
  const check = process.argv.includes("--check");
  let stale = false;
  for (const output of Object.keys(OUTPUTS)) {
    const target = new URL(output, STATIC);
    const built = await buildBundle(bundleFiles(output));
    if (!check) {
      writeFileSync(target, built);
      console.log(`wrote ${fileURLToPath(target)} (${built.length} bytes)`);
      continue;
    }
    let current = "";
    try {
      current = readFileSync(target, "utf8");
    } catch {
      // missing: out of date
    }
    if (current !== built) {
      console.error(`${output} is out of date: run node scripts/build-js.mjs`);
      stale = true;
    } else {
      console.log(`${output} matches its sources`);
    }
  }
  if (stale) {
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
}
