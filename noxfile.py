"""The Python tests on each supported Django series: `nox` (CI runs it from scripts/test.sh).

Browser, wheel and chaos tests run once, in the main pytest run on the project's own venv;
here each session runs the rest against one Django series, on a Python that series supports.
Virtualenvs live in .nox/ and are reused. scripts/test.sh exports PYENV_VERSION so python3.12 and
python3.13 resolve under pyenv.

On Django 6 the session also fails unless tests/test_django_csp.py (Django's own CSP) ran
there and passed: those tests skip on older Django, so a skip must never pass for a run.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import nox

nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True

# Django series we support -> the Python its session runs on (6.x needs Python 3.12+).
DJANGO_SERIES = {"5.2": "3.11", "6.0": "3.12", "6.1": "3.13"}
DJANGO_6_CSP_TESTS = "tests.test_django_csp"  # the junit classname of its test cases
# braveblock (the ad-block check) has wheels for CPython 3.11 only; that check does not depend
# on Django, and the main pytest run (on 3.11) runs it.
BRAVEBLOCK_PYTHONS = {"3.11"}


@nox.session
@nox.parametrize(
    "python,django",
    [nox.param(python, django, id=django) for django, python in DJANGO_SERIES.items()],
)
def tests(session: nox.Session, django: str) -> None:
    session.install("-e", ".[test]", f"django~={django}.0")
    session.run("python", "-c", "import django; print('Django', django.get_version())")
    report = Path(session.create_tmp()) / "junit.xml"
    ignore = [] if session.python in BRAVEBLOCK_PYTHONS else ["--ignore=tests/test_adblock.py"]
    ran = session.run(
        "python", "-m", "pytest", "-p", "no:cacheprovider",
        "-m", "not browser and not wheel and not chaos",
        f"--junitxml={report}", *ignore, *session.posargs,
    )  # fmt: skip
    if ran is not None and int(django.split(".")[0]) >= 6 and not session.posargs:
        _require_passed(session, report, DJANGO_6_CSP_TESTS, django)


def _require_passed(session: nox.Session, report: Path, classname: str, django: str) -> None:
    """Fails the session unless `classname`'s tests were collected and every one passed."""
    cases = [
        case
        for case in ElementTree.parse(report).iter("testcase")
        if case.get("classname", "").startswith(classname)
    ]
    not_passed = [
        str(case.get("name"))
        for case in cases
        if any(child.tag in ("skipped", "failure", "error") for child in case)
    ]
    if not cases or not_passed:
        session.error(
            f"{classname}: {len(cases)} collected, not passed: {not_passed or 'none ran'}"
        )
    session.log(f"{classname}: all {len(cases)} passed on Django {django}")
