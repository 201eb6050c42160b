"""Supported versions: one list (noxfile.py's) that the package metadata and the running
Django agree with, and the version-dependent code path (Django 6's own CSP nonce; the real
thing is tested in test_django_csp.py, which nox runs on Django 6)."""

from __future__ import annotations

import re
from pathlib import Path

import django
import tomllib
from django.test import RequestFactory

import noxfile
from analytix_frontend.page import nonce

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())


def test_the_django_csp_import_matches_the_installed_django() -> None:
    has_builtin_csp = django.VERSION >= (6, 0)
    nonce.django_nonce_getter.cache_clear()
    assert (nonce.django_nonce_getter() is not None) == has_builtin_csp
    if not has_builtin_csp:
        assert nonce.find_csp_nonce(RequestFactory().get("/")) is None


def test_the_running_django_is_a_supported_series() -> None:
    assert f"{django.VERSION[0]}.{django.VERSION[1]}" in noxfile.DJANGO_SERIES


def test_package_metadata_names_exactly_the_series_nox_tests() -> None:
    classifiers = PYPROJECT["project"]["classifiers"]
    prefix = "Framework :: Django :: "
    declared = {c.removeprefix(prefix) for c in classifiers if c.startswith(prefix)}
    assert declared == set(noxfile.DJANGO_SERIES)
    oldest = min(noxfile.DJANGO_SERIES, key=lambda s: tuple(map(int, s.split("."))))
    assert f"Django>={oldest}" in PYPROJECT["project"]["dependencies"]


def test_each_series_runs_on_a_python_the_package_supports() -> None:
    (floor,) = re.fullmatch(r">=(3\.\d+)", PYPROJECT["project"]["requires-python"]).groups()  # type: ignore[union-attr]
    pythons = {c.rsplit(" :: ", 1)[1] for c in PYPROJECT["project"]["classifiers"]
               if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)}  # fmt: skip
    for python in noxfile.DJANGO_SERIES.values():
        assert tuple(map(int, python.split("."))) >= tuple(map(int, floor.split(".")))
        assert python in pythons
