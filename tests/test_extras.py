"""The hints that say how to install an optional feature work before the package is on PyPI:
they name the requirements themselves (`pip install 'analytix-frontend[plan]'` would fail,
or install another package of that name), the same as pyproject.toml's extras."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import tomllib
from django.core.management import call_command
from django.core.management.base import CommandError

from analytix_frontend.checks import plan as plan_checks
from analytix_frontend.checks import server as server_checks
from analytix_frontend.extras import EXTRAS, install_hint

ROOT = Path(__file__).resolve().parent.parent


def test_the_hints_name_the_same_requirements_as_pyproject() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for extra, requirements in EXTRAS.items():
        assert list(requirements) == extras[extra], extra


def test_no_message_asks_for_the_unpublished_package_name() -> None:
    sources = (ROOT / "analytix_frontend").rglob("*.py")
    offenders = [p.name for p in sources if "pip install 'analytix-frontend[" in p.read_text()]
    assert offenders == []


def test_the_plan_check_and_command_say_what_to_install(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "PLAN": tmp_path / "plan.yaml"}
    missing = ["PyYAML", "jsonschema"]
    monkeypatch.setattr(plan_checks, "dependencies_missing", lambda: missing)
    [error] = [m for m in plan_checks.check_plan() if m.id == "analytix.E603"]
    assert "PyYAML and jsonschema are not installed" in error.msg
    assert error.hint == "pip install 'PyYAML>=6' 'jsonschema>=4.18' (the package's [plan] extra)."

    from analytix_frontend.management.commands import analytix_plan

    monkeypatch.setattr(analytix_plan, "dependencies_missing", lambda: missing)
    with pytest.raises(CommandError, match=r"missing: pip install 'PyYAML>=6'"):
        call_command("analytix_plan", "check")


def test_the_server_check_says_what_to_install(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "SERVER": {}}
    monkeypatch.setattr(server_checks, "_installed", lambda module: False)
    [error] = [m for m in server_checks.check_server_settings() if m.id == "analytix.E110"]
    assert error.hint == f"{install_hint('server')}."
    assert "'httpx>=0.27'" in error.hint
