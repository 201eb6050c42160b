"""The deploy checks on the project's Content-Security-Policy (checks/csp.py): W501 when no
policy is enforced, W502 when a policy lacks base-uri; django-csp 3 and 4 and Django 6."""

from __future__ import annotations

from typing import Any

import pytest
from csp.constants import NONCE, SELF
from django.core.checks import run_checks

from analytix_frontend.checks import csp as csp_checks
from analytix_frontend.csp import csp_sources, merge_directives

DJANGO_CSP = "csp.middleware.CSPMiddleware"
DJANGO6_CSP = "django.middleware.csp.ContentSecurityPolicyMiddleware"
BASE_MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]


def ids(deploy: bool = True) -> list[str]:
    found = run_checks(include_deployment_checks=deploy)
    return sorted(m.id for m in found if m.id in ("analytix.W501", "analytix.W502"))


def test_no_policy_at_all_warns_on_deploy_only(settings: Any) -> None:
    settings.MIDDLEWARE = BASE_MIDDLEWARE
    assert ids() == ["analytix.W501"]
    assert ids(deploy=False) == []  # a deploy check: manage.py check --deploy


def test_django_csp_4(settings: Any) -> None:
    settings.MIDDLEWARE = [*BASE_MIDDLEWARE, DJANGO_CSP]
    del settings.CONTENT_SECURITY_POLICY  # the middleware alone sends no header
    assert ids() == ["analytix.W501"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF]}}
    assert ids() == ["analytix.W502"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": merge_directives(
            {"default-src": [SELF], "script-src": [SELF, NONCE]}, csp_sources()
        )
    }
    assert ids() == []  # merge_directives added base-uri 'self'
    settings.CONTENT_SECURITY_POLICY = None
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"base-uri": [SELF]}}
    assert ids() == ["analytix.W501"], "report-only enforces nothing"


def test_django_csp_3(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csp_checks, "_django_csp_4", lambda: False)
    settings.MIDDLEWARE = [*BASE_MIDDLEWARE, DJANGO_CSP]
    assert ids() == ["analytix.W502"]  # django-csp 3 always sends its CSP_* policy
    settings.CSP_BASE_URI = ("'self'",)
    assert ids() == []
    settings.CSP_REPORT_ONLY = True
    assert ids() == ["analytix.W501"]


def test_django_6(settings: Any) -> None:
    settings.MIDDLEWARE = [*BASE_MIDDLEWARE, DJANGO6_CSP]
    settings.SECURE_CSP = {}
    assert ids() == ["analytix.W501"]
    settings.SECURE_CSP = {"default-src": [SELF], "script-src": [SELF, NONCE]}
    assert ids() == ["analytix.W502"]
    settings.SECURE_CSP = {"default-src": [SELF], "base-uri": ["'none'"]}
    assert ids() == []


def test_the_warning_names_the_setting_and_the_fix(settings: Any) -> None:
    settings.MIDDLEWARE = [*BASE_MIDDLEWARE, DJANGO6_CSP]
    settings.SECURE_CSP = {"default-src": [SELF]}
    (message,) = csp_checks.check_csp()
    assert "SECURE_CSP has no base-uri" in message.msg
    assert message.hint is not None and "base-uri 'self'" in message.hint
