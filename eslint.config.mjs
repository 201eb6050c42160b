import js from "@eslint/js";
import globals from "globals";

export default [
  // analytix.min.js and main.min.js are built from the linted sources (scripts/build-js.mjs).
  { ignores: ["node_modules/", "**/.venv/", ".nox/", ".test-static-root/", "demo/static-root/", "build/", "dist/", "static/analytix/js/analytix.min.js", "static/analytix/js/main.min.js"] },
  js.configs.recommended,
  {
    // The shipped files: plain browser scripts, concatenation-safe, no modules.
    files: ["static/**/*.js", "tests/static/**/*.js", "benchmarks/static/**/*.js"],
    languageOptions: { ecmaVersion: 2015, sourceType: "script", globals: { ...globals.browser } },
    rules: { "no-implied-eval": "error", "no-eval": "error", "no-new-func": "error", "no-script-url": "error" },
  },
  {
    files: ["demo/static/**/*.js"],
    ignores: ["demo/static/**/*-sw.js"],
    languageOptions: { ecmaVersion: 2015, sourceType: "script", globals: { ...globals.browser } },
  },
  {
    files: ["demo/static/**/*-sw.js"],
    languageOptions: { ecmaVersion: 2015, sourceType: "script", globals: { ...globals.serviceworker } },
  },
  {
    files: ["test/**/*.js", "test/**/*.mjs", "scripts/**/*.mjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
  },
];
