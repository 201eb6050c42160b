"""A CSP middleware is on but the tag finds no nonce: the browser blocks every script it
writes. The server says so once per process, naming the fix; the page config says
`nonceMissing` (a hint for the browser)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.template import Context, Template

from analytix_frontend.page import nonce
from tests.html import page_config, scripts

WARNING = "found no CSP nonce"


@pytest.fixture
def caplog_fresh(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Each test starts as a fresh process: the warning not yet given."""
    nonce._warn_missing_nonce.cache_clear()
    with caplog.at_level(logging.WARNING, logger="analytix_frontend"):
        yield caplog
    nonce._warn_missing_nonce.cache_clear()


def render(**context: Any) -> str:
    return Template("{% load analytix %}{% analytics_scripts %}").render(Context(context))


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if WARNING in r.getMessage()]


def test_no_request_in_the_context_under_csp_warns_once_and_marks_the_page(
    settings: Any, client: Any, caplog_fresh: pytest.LogCaptureFixture
) -> None:
    # The usual mistake: TEMPLATES without the request context processor.
    settings.TEMPLATES = [{**django_settings.TEMPLATES[0], "OPTIONS": {"context_processors": []}}]
    for _ in range(3):
        html = client.get("/privacy/csp-strict/signup/").content.decode()
        assert page_config(html)["nonceMissing"] is True
        assert all(not s.attrs.get("nonce") for s in scripts(html))
    (message,) = warnings(caplog_fresh)  # once per process, never per page
    assert "django.template.context_processors.request" in message
    assert "django.template.context_processors.csp" in message
    assert "csp_nonce" in message


def test_with_the_nonce_found_nothing_is_said(
    client: Any, caplog_fresh: pytest.LogCaptureFixture
) -> None:
    html = client.get("/privacy/csp-strict/signup/").content.decode()
    assert "nonceMissing" not in page_config(html)
    assert all(s.attrs.get("nonce") for s in scripts(html))
    assert render(csp_nonce="abc123") and warnings(caplog_fresh) == []


@pytest.mark.parametrize(
    "middleware",
    ["csp.middleware.CSPMiddleware", "django.middleware.csp.ContentSecurityPolicyMiddleware"],
)
def test_either_csp_middleware_counts(
    settings: Any, caplog_fresh: pytest.LogCaptureFixture, middleware: str
) -> None:
    settings.MIDDLEWARE = ["django.middleware.common.CommonMiddleware", middleware]
    assert page_config(render())["nonceMissing"] is True
    assert len(warnings(caplog_fresh)) == 1


def test_without_a_csp_middleware_a_missing_nonce_is_fine(
    settings: Any, caplog_fresh: pytest.LogCaptureFixture
) -> None:
    settings.MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
    assert "nonceMissing" not in page_config(render())
    assert warnings(caplog_fresh) == []
