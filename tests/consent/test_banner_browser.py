"""The banner in Chromium under a strict nonce CSP ('strict-dynamic', default-src 'self'):
keyboard only (Tab to each control, Enter and Space, Escape), reject as easy as accept, 0
axe-core violations, asked again after a VERSION change; and the next response deleting a
declined vendor's cookies, the privacy status with GPC."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from csp.decorators import csp
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from analytix_frontend.testing.browser import route_vendor_fakes
from tests.consent.helpers import sha8
from tests.privacy_views import STRICT

pytestmark = [pytest.mark.browser, pytest.mark.urls(__name__)]

AXE = Path(__file__).resolve().parent.parent.parent / "node_modules" / "axe-core" / "axe.min.js"


@csp(STRICT)
def banner_page(request: HttpRequest) -> HttpResponse:
    return render(request, "tests/banner_page.html")


urlpatterns = [
    path("banner/", banner_page),
    path("analytix/", include("analytix_frontend.urls")),
]

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""
GPC = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
OPEN = "() => !document.querySelector('[data-analytix-banner]').hidden"
FOCUSED = """() => {
  const e = document.activeElement;
  return e.getAttribute('data-analytix-banner-action') || e.value || e.id || e.textContent.trim();
}"""


@pytest.fixture
def site(settings: Any, live_server: Any) -> str:
    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "CONSENT": {"RECORDS": True},
    }
    return f"{live_server.url}/banner/"


@pytest.fixture
def make_page(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.route("**/*", lambda route: route.abort())  # the network is closed
        page.route("http://localhost:*/**", lambda route: route.continue_())
        page.add_init_script(WATCH)
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        route_vendor_fakes(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page: Any) -> Any:
    return make_page()


def focused(page: Any) -> str:
    return str(page.evaluate(FOCUSED))


def tab_to(page: Any, target: str, shift: bool = False) -> list[str]:
    """Tab (the keyboard alone) until `target` has the focus; returns what was passed."""
    passed = []
    for _ in range(15):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        passed.append(focused(page))
        if passed[-1] == target:
            return passed
    pytest.fail(f"Tab never reaches {target!r}: {passed}")


def state(page: Any) -> dict[str, Any]:
    return dict(page.evaluate("() => window.analytix.consent.state"))


def consent_cookie(page: Any) -> str | None:
    return {c["name"]: c["value"] for c in page.context.cookies()}.get("analytix_consent")


def test_keyboard_only_from_the_first_visit_to_a_choice(site: str, page: Any) -> None:
    page.goto(site)
    page.wait_for_function(OPEN)
    # The dialog takes the focus as it opens; Tab reaches each control in order.
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "dialog"
    assert tab_to(page, "choose") == ["Privacy policy", "accept", "reject", "choose"]
    page.keyboard.press("Enter")  # the choices open; focus on the first
    assert focused(page) == "analytics"
    assert page.evaluate("() => document.querySelector('[data-analytix-banner-action=choose]')"
                         ".getAttribute('aria-expanded')") == "true"  # fmt: skip
    page.keyboard.press("Space")  # ticks analytics
    assert tab_to(page, "save") == ["marketing", "functional", "accept", "reject", "choose", "save"]
    # Escape closes the choices first (focus back on "Choose"), then the banner: no answer.
    page.keyboard.press("Escape")
    assert focused(page) == "choose" and page.evaluate(OPEN)
    page.keyboard.press("Escape")
    assert not page.evaluate(OPEN)
    assert state(page)["decided"] is False and consent_cookie(page) is None

    # "Cookie settings" opens it again, by keyboard; this time save a choice.
    page.evaluate("() => document.getElementById('first-link').focus()")
    tab_to(page, "settings")
    page.keyboard.press("Enter")
    page.wait_for_function(OPEN)
    tab_to(page, "choose")
    page.keyboard.press("Space")
    page.keyboard.press("Space")  # ticks analytics (the focus moved to it)
    tab_to(page, "save")
    page.keyboard.press("Enter")
    assert not page.evaluate(OPEN)
    assert focused(page) == "settings"  # focus goes back where the visitor was
    current = state(page)
    assert current["decided"] is True and current["categories"] == ["analytics"]
    page.wait_for_function("() => window.analytix.services.google.state === 'loaded'")
    assert page.evaluate("() => window.analytix.services.hubspot.state") == "waiting"
    assert page.evaluate("() => window.__violations") == [] and page.errors == []


def test_reject_all_is_one_key_press_away_like_accept_all(site: str, page: Any) -> None:
    page.goto(site)
    page.wait_for_function(OPEN)
    tab_to(page, "reject")
    page.keyboard.press("Space")
    assert not page.evaluate(OPEN)
    assert state(page)["decided"] is True and state(page)["categories"] == []
    assert str(consent_cookie(page)).split(":")[0] == "none"
    # The next page does not ask again.
    page.reload()
    page.evaluate("() => new Promise((done) => window.analytix.ready(done))")
    assert not page.evaluate(OPEN)


def test_accept_and_reject_look_the_same(site: str, page: Any) -> None:
    page.goto(site)
    page.wait_for_function(OPEN)
    styles = page.evaluate(
        """() => ['accept', 'reject'].map((action) => {
          const button = document.querySelector(`[data-analytix-banner-action=${action}]`);
          const style = getComputedStyle(button);
          const box = button.getBoundingClientRect();
          return {tag: button.tagName, height: box.height, visible: box.bottom <= innerHeight,
                  ...Object.fromEntries(['font-size', 'font-weight', 'color', 'background-color',
                    'border-top-width', 'border-top-color', 'padding-top', 'padding-left',
                    'min-width', 'display'].map((p) => [p, style.getPropertyValue(p)]))};
        })"""
    )
    accept, reject = styles
    assert accept == reject, (accept, reject)
    assert accept["visible"] and accept["background-color"] != "rgba(0, 0, 0, 0)"


def test_no_axe_violations(site: str, make_page: Any) -> None:
    # axe is injected as a nonce-less script: only a context that bypasses the CSP runs it
    page = make_page(bypass_csp=True)
    page.goto(site)
    page.wait_for_function(OPEN)
    page.add_script_tag(path=str(AXE))
    for step in ("closed choices", "open choices"):
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
        assert violations == [], f"{step}: {violations}"
        page.click("[data-analytix-banner-action=choose]")


def test_a_new_version_asks_again(site: str, page: Any, live_server: Any, settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "CONSENT": {"RECORDS": True, "VERSION": "2026-12"},
    }
    # A visitor who answered the notice of 2026-06 (the new format and the old one alike)
    for old in (f"analytics:{'A' * 22}:{sha8('2026-06')}:{sha8('x')}", "analytics"):
        page.context.clear_cookies()
        page.context.add_cookies(
            [{"name": "analytix_consent", "value": old, "url": live_server.url}]
        )
        page.goto(site)
        page.wait_for_function(OPEN)
        assert state(page)["decided"] is False
        assert page.evaluate("() => window.analytix.services.google.state") == "waiting"


def test_the_next_response_deletes_a_declined_vendor_s_cookies(
    site: str, page: Any, live_server: Any
) -> None:
    cookies = {"analytix_consent": "none", "_ga": "GA1.1.5", "_fbp": "fb.1.2", "own": "kept"}
    page.context.add_cookies(
        [{"name": n, "value": v, "url": live_server.url} for n, v in cookies.items()]
    )
    page.goto(site)
    left = {c["name"] for c in page.context.cookies()}
    assert "_ga" not in left and "_fbp" not in left and "own" in left


def test_the_privacy_status_with_gpc(site: str, make_page: Any) -> None:
    page = make_page(extra_http_headers={"Sec-GPC": "1"})
    page.add_init_script(GPC)  # a browser that sends the header has the flag too
    page.goto(site)
    status = page.locator("[data-analytix-privacy-status]")
    assert status.is_visible() and status.text_content() == "Opt-Out Request Honored"
    plain = make_page()
    plain.goto(site)
    assert not plain.locator("[data-analytix-privacy-status]").is_visible()
