"""DOM clobbering in Chromium (issue 11.1): an attacker who can add HTML, not script, names
elements after the globals and document members the package reads. Under django-csp's real
middleware, with a nonce + 'strict-dynamic' policy and with a nonce + host allow-list, the
page must request exactly the vendor scripts a clean page requests, from the real vendor
hosts only, deliver events, and raise no error.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest

from analytix_frontend.decide.services import DEFAULT_AREAS
from tests.conftest import VENDOR_HOSTS, BrowserPage
from tests.fake_vendors import answer_with_recording_fakes, recorded_calls

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# One element per global the loaders, the logger, the loader and the events file read, and
# per document member they call. No element here fetches anything itself (no src to another
# host), so any request outside the vendor hosts would be the package's.
CLOBBERING = "".join(
    [
        '<form id="analytix"><input name="__analytix__"><input name="logger">'
        '<input name="track"><input name="registerVendor"><input name="dom"></form>',
        '<img name="dataLayer" src="data:,">',
        '<embed name="gtag">',
        '<form id="_hsq"><input name="push"></form>',
        '<a id="_kmq" href="https://evil.example/"></a><a id="_kmq"></a>',
        '<a id="_kmk" href="https://evil.example/key"></a>',
        '<form id="drift"><input name="init"></form>',
        '<form id="driftt"><input name="init"><input name="invoked"></form>',
        '<iframe name="FS"></iframe>',
        '<a id="_fs_host" href="https://evil.example/"></a>',
        '<a id="_fs_script" href="https://evil.example:443/fs.js"></a>',
        '<a id="_fs_org" href="https://evil.example/o-EVIL-na1"></a>',
        '<a id="_fs_namespace" href="https://evil.example/"></a>',
        '<embed name="fbq">',
        '<img name="_fbq" src="data:,">',
        # Named <img>/<form> elements override the document's own members.
        '<img name="head" src="data:,">',
        '<img name="documentElement" src="data:,">',
        '<img name="createElement" src="data:,">',
        '<form name="querySelectorAll"></form>',
        '<img name="addEventListener" src="data:,">',
    ]
)
SIGNUP_HOSTS = {
    host for host, service in VENDOR_HOSTS.items() if service in DEFAULT_AREAS["signup"]
}
BOOTED = "() => Object.keys((window.analytix && window.analytix.services) || {}).length === 6"
SETTLED = (
    "() => Object.values(window.analytix.services)"
    ".every(s => s.state === 'loaded' || s.state === 'failed')"
)
# The reported bypass: an href whose "scheme" is the attacker's host, so that
# "https://" + String(anchor) is https://evil.example:443/fs.js.
FULLSTORY_HOSTS = (
    '<a id="_fs_script" href="evil.example:443/fs.js"></a>'
    '<a id="_fs_host" href="evil.example:443/"></a>'
)


def hostile_page(open_page: Any, policy: str, **markup: str) -> BrowserPage:
    browser_page = open_page("block")  # anything but a vendor host: recorded and aborted
    answer_with_recording_fakes(browser_page)
    query = f"?{urlencode(markup)}" if markup else ""
    browser_page.goto(f"/attack/{policy}/signup/{query}")
    browser_page.page.wait_for_function(BOOTED)
    browser_page.page.wait_for_function(SETTLED)
    return browser_page


def script_urls(browser_page: BrowserPage) -> set[str]:
    """The vendor URLs requested, with Drift's five-minute time bucket taken out."""
    return {re.sub(r"/include/\d+/", "/include/T/", url) for url in browser_page.vendor_requests}


def delivered_to(browser_page: BrowserPage, event: str) -> set[str]:
    raw = recorded_calls(browser_page)
    key = event.lower().replace(" ", "_")
    return {service for service, args in raw if event in repr(args) or key in repr(args)}


@pytest.mark.parametrize("policy", ["strict", "allowlist"])
@pytest.mark.parametrize("where", ["head", "html"])
def test_clobbering_markup_changes_no_script_url_and_no_event(
    open_page: Any, policy: str, where: str
) -> None:
    clean = hostile_page(open_page, policy)
    attacked = hostile_page(open_page, policy, **{where: CLOBBERING})
    html = attacked.page.content()
    assert 'id="_fs_script"' in html and 'name="createElement"' in html  # it was injected

    assert attacked.requested_hosts() == SIGNUP_HOSTS  # no other host: not evil.example
    assert script_urls(attacked) == script_urls(clean)
    assert len(script_urls(clean)) == len(SIGNUP_HOSTS)
    assert attacked.page.evaluate("[window._fs_script, window._fs_host]") == [
        "edge.fullstory.com/s/fs.js",
        "fullstory.com",
    ]

    sent = attacked.page.evaluate("() => window.analytix.track('Clobber Probe')")
    assert sorted(sent) == sorted(DEFAULT_AREAS["signup"])
    attacked.page.click("#tracked")  # declarative tracking still listens
    for event in ("Clobber Probe", "Clicked Tracked"):
        assert delivered_to(attacked, event) == set(DEFAULT_AREAS["signup"])
    assert attacked.errors == []
    assert [line for line in attacked.console_lines() if "WARNING" in line] == []


@pytest.mark.parametrize("policy", ["strict", "allowlist"])
def test_fullstory_hosts_come_from_the_org_id_alone(open_page: Any, policy: str) -> None:
    attacked = hostile_page(open_page, policy, html=FULLSTORY_HOSTS)
    assert "https://edge.fullstory.com/s/fs.js" in attacked.vendor_requests
    assert attacked.requested_hosts() == SIGNUP_HOSTS
    assert attacked.page.evaluate("[window._fs_script, window._fs_host]") == [
        "edge.fullstory.com/s/fs.js",
        "fullstory.com",
    ]
    assert attacked.page.evaluate("() => window.analytix.services.fullstory.state") == "loaded"
