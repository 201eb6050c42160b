#!/usr/bin/env bash
# Installs everything the demo and the tests need, idempotently: Debian's Chromium and
# redis-server (as root, when missing), a virtualenv in .venv with the project and its test
# extras, the npm dev tools.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need: chromium (browser tests), redis-server (the real Celery
# broker of tests/server/test_celery.py), gettext (makemessages and msgfmt: the consent
# banner's translations, tests/consent/test_tags.py), postgresql (the server tests' chaos
# run on PostgreSQL, which starts its own server in a temp dir).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v msgfmt >/dev/null || missing+=(gettext)
[ -d /usr/lib/postgresql ] || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages for the tests: ${missing[*]} (apt-get install them)" >&2
  fi
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -U pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test,debug-toolbar]"

if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; else npm install --silent --no-audit --no-fund; fi
