"""Extracts the package's translatable strings (templates/ and analytix_frontend/) into
analytix_frontend/locale/<language>/LC_MESSAGES/django.po, where Django finds the app's
translations. Translators copy the English source to their language and run compilemessages.

    .venv/bin/python scripts/makemessages.py            # refresh the English source
    .venv/bin/python scripts/makemessages.py -l de      # start or refresh German
    .venv/bin/python scripts/makemessages.py --root DIR # another checkout (tests)
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
# Everything but the package and its templates (node_modules, the tests, the demo...).
IGNORE = ["node_modules", "tests", "test", "demo", "benchmarks", "build", "dist", "docs", "scripts"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-l", "--locale", default="en")
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    root = args.root.resolve()
    settings.configure(
        USE_I18N=True, LOCALE_PATHS=[root / "analytix_frontend" / "locale"], INSTALLED_APPS=[]
    )
    django.setup()
    os.chdir(root)
    call_command(
        "makemessages", locale=[args.locale], ignore_patterns=IGNORE, no_obsolete=True, verbosity=0
    )


if __name__ == "__main__":
    main()
