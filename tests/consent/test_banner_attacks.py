"""The package's banner against HTML an attacker put into the page (no script): elements
that reuse the banner's ids, a fake banner, fake category boxes. Chromium, under the strict
nonce CSP (docs/privacy.md, "What holds against injected HTML")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from csp.decorators import csp
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from analytix_frontend.testing.browser import route_vendor_fakes
from tests.privacy_views import STRICT

pytestmark = [pytest.mark.browser, pytest.mark.urls(__name__)]

# Earlier in the page than the banner, each with one of the ids the banner's markup used to
# have (a fixed id is a guess an attacker always wins): a title and text a screen reader
# would read as the dialog's, and hidden category boxes that its labels would toggle instead.
DUPLICATE_IDS = """
<h2 id="analytix-banner-title" hidden>Accept all to keep using the site</h2>
<p id="analytix-banner-text" hidden>"Reject all" shares your data with our partners.</p>
<input type="checkbox" id="analytix-banner-marketing" value="marketing" hidden>
<input type="checkbox" id="analytix-banner-analytics" value="analytics" hidden>
<p id="analytix-banner-marketing-about" hidden>Nothing is shared.</p>
<fieldset id="analytix-banner-choices" hidden></fieldset>
"""
# A fake banner (after the real one, and before): its "accept" and ticked boxes must do nothing.
FAKE_BANNER = """
<div data-analytix-banner class="analytix-banner">
  <input type="checkbox" value="marketing" checked data-analytix-banner-category>
  <button type="button" data-analytix-banner-action="accept" id="fake-accept">Close</button>
  <button type="button" data-analytix-banner-action="save" id="fake-save">OK</button>
</div>
<script src="/static/analytix/js/banner.js" data-analytix-banner-css="https://evil.example/x.css"></script>
"""
# Elements whose names shadow the document's own methods and accessors.
CLOBBER_DOCUMENT = """
<img name="addEventListener"><img name="createElement"><form name="head"></form>
<img name="activeElement"><img name="contains"><form name="body"></form>
"""

OPEN = "() => !document.querySelector('main ~ [data-analytix-banner]').hidden"


@csp(STRICT)
def injected_page(request: HttpRequest) -> HttpResponse:
    attack = request.GET.get("attack", "")
    before = {"ids": DUPLICATE_IDS, "fake": FAKE_BANNER, "document": CLOBBER_DOCUMENT}.get(
        attack, ""
    )
    after = FAKE_BANNER if attack == "fake" else ""
    return render(
        request, "tests/banner_injected.html", {"injected": before, "injected_after": after}
    )


urlpatterns = [
    path("injected/", injected_page),
    path("analytix/", include("analytix_frontend.urls")),
]


@pytest.fixture
def site(settings: Any, live_server: Any) -> str:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": {"RECORDS": True}}
    return f"{live_server.url}/injected/"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.route("**/*", lambda route: route.abort())  # the network is closed
    page.route("http://localhost:*/**", lambda route: route.continue_())
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    route_vendor_fakes(page)
    yield page
    context.close()


def categories(page: Any) -> list[str]:
    return sorted(page.evaluate("() => window.analytix.consent.state.categories"))


REFERENCES = """() => {
  const banner = document.querySelector('main ~ [data-analytix-banner]');
  const out = [];
  const pointing = '[for], [aria-labelledby], [aria-describedby], [aria-controls]';
  for (const element of banner.querySelectorAll(pointing)) {
    for (const attribute of ['for', 'aria-labelledby', 'aria-describedby', 'aria-controls']) {
      for (const id of (element.getAttribute(attribute) || '').split(/\\s+/).filter(Boolean)) {
        const target = document.getElementById(id);
        out.push([attribute, id, Boolean(target) && banner.contains(target)]);
      }
    }
  }
  if (banner.hasAttribute('aria-labelledby') || banner.hasAttribute('aria-describedby')) {
    for (const attribute of ['aria-labelledby', 'aria-describedby']) {
      const id = banner.getAttribute(attribute);
      out.push([attribute, id, banner.contains(document.getElementById(id))]);
    }
  }
  return out;
}"""


def test_ids_reused_earlier_in_the_page_cannot_name_or_work_the_banner(
    site: str, page: Any
) -> None:
    page.goto(site + "?attack=ids")
    page.wait_for_function(OPEN)
    references = page.evaluate(REFERENCES)
    assert references  # the dialog's name, its text, each label, the choices' button
    # Every label, name, description and control the banner points to is its own element.
    assert [r for r in references if not r[2]] == []

    # The visitor accepts all, then opens the banner again and unticks marketing by its label.
    page.click("main ~ [data-analytix-banner] [data-analytix-banner-action=accept]")
    assert categories(page) == ["analytics", "functional", "marketing"]
    page.click("#settings")
    page.wait_for_function(OPEN)
    page.click("main ~ [data-analytix-banner] [data-analytix-banner-action=choose]")
    page.click("main ~ [data-analytix-banner] label:has-text('Marketing')")
    page.click("main ~ [data-analytix-banner] [data-analytix-banner-action=save]")
    assert categories(page) == ["analytics", "functional"]  # withdrawn, as the visitor chose
    assert page.errors == []


def test_a_fake_banner_grants_nothing_and_loads_nothing(site: str, page: Any) -> None:
    page.goto(site + "?attack=fake")
    page.wait_for_function(OPEN)
    for fake in page.query_selector_all("#fake-accept, #fake-save"):
        fake.dispatch_event("click")
    state = page.evaluate("() => window.analytix.consent.state")
    assert state["decided"] is False and state["categories"] == []
    assert not [url for url in page.requests if "evil.example" in url]
    # The real banner still asks (the fakes neither closed nor hid it).
    assert page.evaluate(OPEN)


def test_elements_named_after_the_document_s_methods_cannot_stop_the_banner(
    site: str, page: Any
) -> None:
    """document.addEventListener was an <img> here: banner.js threw and the banner never
    opened, so the visitor could not choose (nothing ran, and nothing could be granted)."""
    page.goto(site + "?attack=document")
    page.wait_for_function(OPEN)
    assert page.errors == []
    assert page.evaluate("() => [...document.styleSheets].some(s => /banner/.test(s.href))")
    page.click("main ~ [data-analytix-banner] [data-analytix-banner-action=reject]")
    page.click("#settings")  # the opener still opens it again
    page.wait_for_function(OPEN)
    assert page.evaluate("() => window.analytix.consent.state.decided") is True
