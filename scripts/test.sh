#!/usr/bin/env bash
# Every test: ESLint, the JS unit tests (node --test + jsdom), then pytest (Python, the built
# wheel, and the browser tests in headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== eslint"
npx eslint .
echo "== node --test"
node --test test/
echo "== pytest"
.venv/bin/python -m pytest "$@"
