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
# Under pyenv, make python3.11, python3.12 and python3.13 all resolve (the newest installed
# patch release of each); elsewhere nox finds them on PATH.
if [ -z "${PYENV_VERSION:-}" ] && command -v pyenv >/dev/null; then
  PYENV_VERSION=$(for minor in 11 12 13; do
    pyenv versions --bare | grep -E "^3\.${minor}\.[0-9]+$" | sort -V | tail -n 1 || true
  done | paste -sd: -)
  export PYENV_VERSION
fi
.venv/bin/nox --reuse-venv=yes
echo "== pytest"
.venv/bin/python -m pytest "$@"
