"""The Python tests on each supported Django LTS: `nox` (CI runs it from scripts/test.sh).

Browser and wheel tests run once, in the main pytest run on the project's own venv; here each
session runs the rest against one Django series. Virtualenvs live in .nox/ and are reused.
"""

from __future__ import annotations

import nox

nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True

DJANGO_SERIES = ["4.2", "5.2"]  # the LTS releases we support


@nox.session(python=None)
@nox.parametrize("django", DJANGO_SERIES)
def tests(session: nox.Session, django: str) -> None:
    session.install("-e", ".[test]", f"django~={django}.0")
    session.run("python", "-c", "import django; print('Django', django.get_version())")
    session.run("python", "-m", "pytest", "-m", "not browser and not wheel", *session.posargs)
