#!/usr/bin/env bash
# Starts the demo site on http://127.0.0.1:8000/ (set PORT to change it): one page per area,
# LOG_LEVEL "verbose", so the browser console shows every decision.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cd demo
../.venv/bin/python manage.py check
exec ../.venv/bin/python manage.py runserver "127.0.0.1:${PORT:-8000}"
