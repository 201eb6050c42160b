"""Opt-in pytest fixtures for Playwright tests of a project's analytics:
`pytest_plugins = ["analytix_frontend.testing.pytest_plugin"]` in your top-level conftest.py.

Works with pytest-playwright's `page` and `context` fixtures, and without pytest-playwright
with any sync Playwright Page or BrowserContext you make yourself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from analytix_frontend.testing.browser import FakeVendors, route_vendor_fakes


@pytest.fixture
def analytix_fake_vendors() -> Callable[..., FakeVendors]:
    """`analytix_fake_vendors(page_or_context, blocked=(), hold=False) -> FakeVendors`: routes
    the six vendors' script hosts to recording fakes."""
    return route_vendor_fakes


@pytest.fixture
def analytix_vendors(request: pytest.FixtureRequest) -> FakeVendors:
    """Recording fakes on the test's `page` (pytest-playwright's, or a `page` fixture of
    your own) before the test opens anything."""
    try:
        page: Any = request.getfixturevalue("page")
    except pytest.FixtureLookupError:
        raise pytest.UsageError(
            "analytix_vendors needs a Playwright `page` fixture (pytest-playwright has one); "
            "without one, call analytix_fake_vendors(your_page_or_context)"
        ) from None
    return route_vendor_fakes(page)
