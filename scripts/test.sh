#!/usr/bin/env bash
# Every check and test: ruff (lint, format), mypy, ESLint, the JS unit tests (node --test +
# jsdom), the Python tests on each supported Django LTS (nox), then the full pytest run (Python,
# the built wheel, and the browser tests in headless Chromium) last, so its summary closes the log.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== eslint"
npx eslint .
echo "== node --test"
node --test test/
echo "== nox (Django 4.2 and 5.2 LTS)"
.venv/bin/nox --reuse-venv=yes
echo "== pytest"
.venv/bin/python -m pytest "$@"
