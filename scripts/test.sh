#!/usr/bin/env bash
# Every check and test: ruff (lint, format), mypy, ESLint, the JS unit tests (node --test +
# jsdom), the Python tests on each supported Django series (nox), then the full pytest run (Python,
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
echo "== nox (Django 5.2 LTS on Python 3.11, 6.0 on 3.12, 6.1 on 3.13)"
# pyenv: make python3.12 and python3.13 resolve next to the default 3.11 (nox needs all three;
# a machine with those interpreters on PATH by other means ignores this).
export PYENV_VERSION="${PYENV_VERSION:-3.11.7:3.12.1:3.13.0}"
.venv/bin/nox --reuse-venv=yes
echo "== pytest"
.venv/bin/python -m pytest "$@"
