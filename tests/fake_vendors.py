"""The package's recording fakes (analytix_frontend.testing.browser) on an open_page() page,
as this project's own browser tests use them."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Any

from analytix_frontend.testing.browser import CALLS_KEY, SCRIPT_HOSTS, route_vendor_fakes
from tests.conftest import BrowserPage


def answer_with_recording_fakes(
    browser_page: BrowserPage, *, hold: bool = False, blocked: Collection[str] = ()
) -> Callable[[], None]:
    """Routes the vendor hosts of an open_page() page to the recording fakes, over the
    fixture's own routes (everything else falls back to them). hold: answers wait until the
    returned release() is called; blocked: hosts aborted, as a blocker would. Returns release()."""
    fakes = route_vendor_fakes(
        browser_page.page, blocked={SCRIPT_HOSTS[host] for host in blocked}, hold=hold
    )
    browser_page.vendor_requests = fakes.requests  # the same list: what the page asked for
    return fakes.release


def recorded_calls(browser_page: BrowserPage) -> list[tuple[str, list[Any]]]:
    """Every call the recording fakes received on this page's tab: (service, args)."""
    raw = browser_page.page.evaluate(f"sessionStorage.getItem({json.dumps(CALLS_KEY)}) || '[]'")
    return [(service, args) for service, args in json.loads(raw)]
