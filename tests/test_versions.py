"""Version-dependent code paths: Django 6's own CSP nonce (simulated where Django is older)."""

from __future__ import annotations

import django
import pytest
from django.template import Context, Template
from django.test import RequestFactory

from analytix_frontend import nonce
from tests.html import scripts


def test_the_django_csp_import_matches_the_installed_django() -> None:
    has_builtin_csp = django.VERSION >= (6, 0)
    assert (nonce._django_get_nonce is not None) == has_builtin_csp


def test_djangos_own_nonce_is_used_when_nothing_else_gives_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Django 6's middleware stores the nonce on the request; `get_nonce(request)` reads it."""
    request = RequestFactory().get("/")
    monkeypatch.setattr(nonce, "_django_get_nonce", lambda r: "dj6-n0nce" if r is request else None)
    html = Template('{% load analytix %}{% analytics_scripts "signup" %}').render(
        Context({"request": request})
    )
    assert {s.attrs.get("nonce") for s in scripts(html)} == {"dj6-n0nce"}


def test_a_context_nonce_wins_over_djangos(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nonce, "_django_get_nonce", lambda r: "dj6-n0nce")
    request = RequestFactory().get("/")
    assert nonce.find_csp_nonce(request, {"csp_nonce": "c0ntext"}) == "c0ntext"
    assert nonce.find_csp_nonce(request, {}) == "dj6-n0nce"
