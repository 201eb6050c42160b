"""docs/consent-banner.md works as written: its template, script and stylesheet, served under a
nonce Content-Security-Policy, used in Chromium with the keyboard alone.

The view renders the page's template block as it is; its two static files are written where
the static-files finders look. Vendor hosts answer with the recording fakes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from csp.decorators import csp
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from analytix_frontend.testing.browser import route_vendor_fakes
from tests.privacy_views import ALLOWLIST, STRICT

pytestmark = [pytest.mark.browser, pytest.mark.urls(__name__)]

PAGE = Path(__file__).resolve().parent.parent / "docs" / "consent-banner.md"
BLOCK = re.compile(r"<!-- banner: (\w+)(?: (\S+))? -->\n```[a-z]*\n(.*?)```", re.S)


def _blocks() -> tuple[str, dict[str, str]]:
    """The page's template, and its static files by path."""
    template, files = "", {}
    for kind, name, body in BLOCK.findall(PAGE.read_text(encoding="utf-8")):
        if kind == "template":
            template = body
        else:
            assert kind == "static", kind
            files[name] = body
    assert template and set(files) == {"site/consent-banner.js", "site/consent-banner.css"}
    return template, files


def banner_page(request: HttpRequest) -> HttpResponse:
    template = engines["django"].from_string(_blocks()[0])
    return HttpResponse(template.render({}, request))


# Both policies of docs/privacy.md; default-src 'self', so style-src 'self' (no inline style).
urlpatterns = [
    path("allowlist/", csp(ALLOWLIST)(banner_page)),  # script-src 'self' and the nonce
    path("strict/", csp(STRICT)(banner_page)),  # the nonce and 'strict-dynamic' only
]

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""
# The page's area ("default") lists google, hubspot and kissmetrics; the others are off.
STATES = (
    "() => Object.fromEntries(Object.entries(window.analytix.services)"
    ".filter(([, s]) => s.reason !== 'area').map(([name, s]) => [name, s.state]))"
)


@pytest.fixture(params=["allowlist", "strict"])
def site(request: Any, settings: Any, tmp_path: Path, live_server: Any) -> str:
    for name, text in _blocks()[1].items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True}
    return f"{live_server.url}/{request.param}/"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.route("**/*", lambda route: route.abort())  # the network is closed: ours and fakes only
    page.route("http://localhost:*/**", lambda route: route.continue_())
    page.add_init_script(WATCH)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    route_vendor_fakes(page)
    yield page
    context.close()


def _focused(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement.textContent.trim()"))


def _tab_to(page: Any, label: str) -> None:
    """Tab (the keyboard only) until the button with this text has the focus."""
    for _ in range(12):
        page.keyboard.press("Tab")
        if _focused(page) == label:
            return
    pytest.fail(f"Tab never reaches {label!r}")


def _banner_shown(page: Any) -> bool:
    return bool(page.evaluate("() => !document.getElementById('consent-banner').hidden"))


def _consent_cookie(page: Any) -> str | None:
    """The consent cookie's categories (the part before the consent id and the tags)."""
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    value = cookies.get("analytix_consent")
    return None if value is None else value.split(":")[0]


def test_the_banner_asks_once_and_grants_with_the_keyboard(site: str, page: Any) -> None:
    page.goto(site)
    page.wait_for_function("() => !document.getElementById('consent-banner').hidden")
    assert page.evaluate(STATES) == dict.fromkeys(["google", "hubspot", "kissmetrics"], "waiting")
    assert page.evaluate("() => document.getElementById('consent-settings').hidden")

    _tab_to(page, "Analytics only")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.analytix.services.google.state === 'loaded'")
    assert _consent_cookie(page) == "analytics"
    states = page.evaluate(STATES)
    assert states["kissmetrics"] == "loaded" and states["hubspot"] == "waiting", states
    assert not _banner_shown(page)
    assert _focused(page) == "Cookie settings"  # focus stays where the banner was

    # The next page does not ask again; "Cookie settings" opens it, and rejecting is as easy.
    page.reload()
    page.wait_for_function("() => !document.getElementById('consent-settings').hidden")
    assert not _banner_shown(page)
    _tab_to(page, "Cookie settings")
    page.keyboard.press("Enter")
    assert _banner_shown(page)
    assert _focused(page) == "Accept all"
    _tab_to(page, "Reject all")
    page.keyboard.press("Space")
    assert _consent_cookie(page) == "none"
    assert not _banner_shown(page)
    assert page.evaluate("() => window.__violations") == []
    assert page.errors == []


def test_accept_all_starts_every_waiting_service(site: str, page: Any) -> None:
    page.goto(site)
    page.wait_for_function("() => !document.getElementById('consent-banner').hidden")
    page.get_by_role("region", name="Cookies on this site").get_by_role(
        "button", name="Accept all"
    ).click()
    page.wait_for_function(
        "() => ['google', 'hubspot', 'kissmetrics']"
        ".every(name => window.analytix.services[name].state === 'loaded')"
    )
    assert set(_consent_cookie(page).split(",")) == {"analytics", "marketing", "functional"}
    assert page.evaluate("() => window.__violations") == []


def test_no_banner_where_consent_is_not_required(site: str, page: Any, settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": False}
    page.goto(site)
    page.wait_for_function("() => window.analytix.services.google.state === 'loaded'")
    page.evaluate("() => new Promise((done) => window.analytix.ready(done))")
    assert not _banner_shown(page)
    assert page.evaluate("() => document.getElementById('consent-settings').hidden")
