"""Version-dependent code paths: Django 6's own CSP nonce (faked on older Django in test_csp.py)."""

from __future__ import annotations

import django

from analytix_frontend import nonce


def test_the_django_csp_import_matches_the_installed_django() -> None:
    has_builtin_csp = django.VERSION >= (6, 0)
    nonce.django_nonce_getter.cache_clear()
    assert (nonce.django_nonce_getter() is not None) == has_builtin_csp
