"""Caches never hand one visitor's page to another (caching.py, middleware.py, cache_checks.py).

Against Django's real caches (LocMemCache): `@cache_page`, the site-wide cache middleware, and
the headers that keep a CDN or proxy from sharing a per-visitor page. Views and URLs are in
this module (ROOT_URLCONF points here); each view counts its renders, so a cache hit is a
request that rendered nothing.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from csp.constants import NONCE, SELF
from django.contrib.auth.models import User
from django.core.checks import run_checks
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.test import AsyncClient, Client
from django.urls import path
from django.utils.cache import has_vary_header
from django.views.decorators.cache import cache_control, cache_page

from tests.html import page_config

RENDERS: list[str] = []
CONTEXT = {"area": "signup"}


def page(request: HttpRequest) -> HttpResponse:
    RENDERS.append(request.path)
    return render(request, "tests/page.html", CONTEXT)


def template_response_page(request: HttpRequest) -> TemplateResponse:
    RENDERS.append(request.path)
    return TemplateResponse(request, "tests/page.html", CONTEXT)  # rendered after the view


urlpatterns = [
    path("page/", page),
    path("cached/", cache_page(600)(page)),
    path("cached-template-response/", cache_page(600)(template_response_page)),
    path("public/", cache_control(public=True, max_age=600)(page)),
]

BASE_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "csp.middleware.CSPMiddleware",
]
OURS = "analytix_frontend.middleware.AnalytixCacheMiddleware"
UPDATE = "django.middleware.cache.UpdateCacheMiddleware"
FETCH = "django.middleware.cache.FetchFromCacheMiddleware"
SITE_CACHE = [UPDATE, OURS, *BASE_MIDDLEWARE, FETCH]  # as docs/privacy.md says
SITE_CACHE_WITHOUT_OURS = [UPDATE, *BASE_MIDDLEWARE, FETCH]


@pytest.fixture(autouse=True)
def caches(settings: Any, request: Any) -> None:
    settings.ROOT_URLCONF = __name__
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,  # a fresh cache per test
        }
    }
    settings.MIDDLEWARE = [OURS, *BASE_MIDDLEWARE]
    RENDERS.clear()


def services_on(response: Any) -> set[str]:
    return {s["name"] for s in page_config(response.content.decode())["services"] if s["on"]}


def identity(response: Any) -> Any:
    return page_config(response.content.decode()).get("identity")


def cache_control_of(response: Any) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def signed_in_client(name: str = "alice") -> Client:
    client = Client()
    client.force_login(User.objects.create(username=name))
    return client


# --- Django's own cache never stores a per-visitor page --------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/cached/", "/cached-template-response/"])
def test_cache_page_never_serves_one_users_identity_to_another(settings: Any, url: str) -> None:
    settings.ANALYTICS_CONFIG = {"IDENTITY": True}
    alice = signed_in_client()
    assert identity(alice.get(url))["id"] == str(User.objects.get(username="alice").pk)

    anonymous = Client().get(url)

    assert identity(anonymous) is None
    assert RENDERS == [url, url]  # rendered for each; Alice's page was never stored


@pytest.mark.django_db
@pytest.mark.parametrize("middleware", [SITE_CACHE, SITE_CACHE_WITHOUT_OURS])
def test_site_wide_cache_never_serves_one_users_identity_to_another(
    settings: Any, middleware: list[str]
) -> None:
    settings.MIDDLEWARE = middleware
    settings.ANALYTICS_CONFIG = {"IDENTITY": True}
    signed_in_client().get("/page/")

    assert identity(Client().get("/page/")) is None
    assert (
        identity(signed_in_client("bob").get("/page/"))["id"]
        != identity(signed_in_client("carol").get("/page/"))["id"]
    )


CONSENTED = {"analytix_consent": "analytics,marketing,functional"}


@pytest.mark.parametrize(
    ("middleware", "url"),
    [(SITE_CACHE, "/page/"), (SITE_CACHE_WITHOUT_OURS, "/page/"), (BASE_MIDDLEWARE, "/cached/")],
)
def test_a_consented_page_is_never_served_to_a_visitor_who_has_not_consented(
    settings: Any, middleware: list[str], url: str
) -> None:
    settings.MIDDLEWARE = middleware
    settings.ANALYTICS_CONFIG = {"CONSENT": True}
    consented = Client()
    consented.cookies.load(CONSENTED)
    assert "hubspot" in services_on(consented.get(url))

    not_consented = Client().get(url)

    assert services_on(not_consented) == set()
    assert page_config(not_consented.content.decode())["consent"]["granted"] == []


@pytest.mark.parametrize(
    ("middleware", "url"), [(SITE_CACHE, "/page/"), (BASE_MIDDLEWARE, "/cached/")]
)
def test_a_gpc_page_is_never_stored(settings: Any, middleware: list[str], url: str) -> None:
    settings.MIDDLEWARE = middleware
    assert services_on(Client().get(url, headers={"Sec-GPC": "1"})) == {"drift"}

    assert "google" in services_on(Client().get(url))
    assert RENDERS == [url, url]


def test_the_default_page_is_not_served_from_djangos_cache_to_a_gpc_visitor(
    settings: Any,
) -> None:
    settings.MIDDLEWARE = SITE_CACHE
    assert "google" in services_on(Client().get("/page/"))

    gpc = Client().get("/page/", headers={"Sec-GPC": "1"})

    assert services_on(gpc) == {"drift"}  # a fresh page: the cache varies on Sec-GPC
    assert RENDERS == ["/page/", "/page/"]


def test_the_default_page_is_not_served_from_djangos_cache_to_a_consented_visitor(
    settings: Any,
) -> None:
    settings.MIDDLEWARE = SITE_CACHE
    settings.ANALYTICS_CONFIG = {"CONSENT": True}
    assert services_on(Client().get("/page/")) == set()
    consented = Client()
    consented.cookies.load(CONSENTED)

    assert "hubspot" in services_on(consented.get("/page/"))


def test_internal_traffic_pages_are_never_stored(settings: Any) -> None:
    settings.MIDDLEWARE = SITE_CACHE
    settings.ANALYTICS_CONFIG = {"INTERNAL": {"IPS": ["10.0.0.0/8"]}}
    assert services_on(Client(REMOTE_ADDR="10.1.2.3").get("/page/")) == set()

    assert "google" in services_on(Client().get("/page/"))


def test_a_page_where_a_condition_ran_is_never_stored(settings: Any) -> None:
    """A condition reads anything in the request: even its yes may be a no for the next."""
    settings.MIDDLEWARE = SITE_CACHE
    settings.ANALYTICS_CONFIG = {"CONDITIONS": {"drift": "tests.conditions.anonymous_only"}}
    first = Client().get("/page/")

    assert "drift" in services_on(first)
    assert "private" in cache_control_of(first)
    Client().get("/page/")
    assert RENDERS == ["/page/", "/page/"]


# --- no needless loss of caching -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("middleware", "url"), [(SITE_CACHE, "/page/"), (BASE_MIDDLEWARE, "/cached/")]
)
@pytest.mark.parametrize(
    "config",
    [
        {},
        {"CONSENT": True, "IDENTITY": True},
        {
            "INTERNAL": {"IPS": ["10.0.0.0/8"]},
            "CONDITIONS": {"drift": "tests.conditions.anonymous_only"},
        },
    ],
)
def test_the_default_page_is_still_cached(
    settings: Any, middleware: list[str], url: str, config: dict[str, Any]
) -> None:
    settings.MIDDLEWARE = middleware
    settings.ANALYTICS_CONFIG = {**config, "AREAS": {"signup": ["google", "hubspot"]}}
    first = Client().get(url)

    second = Client().get(url)

    assert RENDERS == [url]  # the second anonymous visitor got the stored page
    assert second.content == first.content
    assert "private" not in cache_control_of(first)


# --- headers for caches downstream (CDN, proxy) ----------------------------------------------


@pytest.mark.django_db
def test_a_per_visitor_page_is_private_even_when_the_view_says_public(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"IDENTITY": True}

    assert cache_control_of(Client().get("/public/")) == {"public", "max-age=600"}
    signed_in = cache_control_of(signed_in_client().get("/public/"))
    assert "private" in signed_in
    assert "public" not in signed_in


@pytest.mark.parametrize(
    ("config", "vary"),
    [
        ({}, {"Sec-GPC"}),
        ({"GPC": False}, set()),
        ({"CONSENT": True}, {"Sec-GPC", "Cookie"}),
        ({"INTERNAL": {"QA_COOKIE": "qa"}}, {"Sec-GPC", "Cookie"}),
        ({"AREAS": {"signup": []}}, set()),  # no service: the rules read nothing
    ],
)
def test_the_default_page_varies_on_what_the_rules_read(
    settings: Any, config: dict[str, Any], vary: set[str]
) -> None:
    settings.ANALYTICS_CONFIG = config
    response = Client().get("/page/")

    for header in ("Sec-GPC", "Cookie"):
        assert has_vary_header(response, header) == (header in vary), header
    assert "private" not in cache_control_of(response)


@pytest.mark.parametrize(
    ("headers", "cookies"),
    [({"Sec-GPC": "1"}, {}), ({}, {"analytix_qa": "exclude"}), ({}, {"analytix_consent": "none"})],
)
def test_per_visitor_pages_are_private(
    settings: Any, headers: dict[str, str], cookies: dict[str, str]
) -> None:
    settings.ANALYTICS_CONFIG = {"CONSENT": True}
    client = Client()
    client.cookies.load(cookies)

    assert "private" in cache_control_of(client.get("/page/", headers=headers))


def test_pages_without_the_tag_are_left_alone(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"CONSENT": True}
    settings.ROOT_URLCONF = "tests.urls"  # a 404 from a URLconf without the tag
    response = Client().get("/no-such-page/")

    assert "Cache-Control" not in response
    assert not has_vary_header(response, "Sec-GPC")


# --- the CSP nonce ---------------------------------------------------------------------------


def test_a_page_whose_policy_uses_its_nonce_is_never_stored_nor_shared(settings: Any) -> None:
    settings.MIDDLEWARE = SITE_CACHE
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}
    first, second = Client().get("/page/"), Client().get("/page/")

    assert RENDERS == ["/page/", "/page/"]
    assert first["Content-Security-Policy"] != second["Content-Security-Policy"]
    assert "private" in cache_control_of(first)


def test_a_policy_without_a_nonce_keeps_the_page_cacheable(settings: Any) -> None:
    settings.MIDDLEWARE = SITE_CACHE
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF]}}
    Client().get("/page/")
    Client().get("/page/")

    assert RENDERS == ["/page/"]


# --- async ------------------------------------------------------------------------------------


def test_the_middleware_works_under_asgi(settings: Any) -> None:
    settings.MIDDLEWARE = SITE_CACHE

    async def visit() -> tuple[Any, Any]:
        client = AsyncClient()
        return await client.get("/page/", headers={"Sec-GPC": "1"}), await client.get("/page/")

    # In a thread of its own: a browser test may have left an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        gpc, default = pool.submit(asyncio.run, visit()).result()

    assert "private" in cache_control_of(gpc)
    assert has_vary_header(default, "Sec-GPC")
    assert "google" in services_on(default)


# --- system checks ---------------------------------------------------------------------------


def check_ids() -> list[str]:
    return [m.id for m in run_checks() if (m.id or "").startswith("analytix.W3")]


@pytest.mark.parametrize(
    ("middleware", "ids"),
    [
        ([*BASE_MIDDLEWARE], []),
        ([OURS, *BASE_MIDDLEWARE], []),
        (SITE_CACHE, []),
        (["django.middleware.cache.CacheMiddleware", OURS, *BASE_MIDDLEWARE], []),
        (SITE_CACHE_WITHOUT_OURS, ["analytix.W301"]),
        (["django.middleware.cache.CacheMiddleware", *BASE_MIDDLEWARE], ["analytix.W301"]),
        ([OURS, UPDATE, *BASE_MIDDLEWARE, FETCH], ["analytix.W302"]),
        ([UPDATE, *BASE_MIDDLEWARE, OURS, FETCH], ["analytix.W303"]),
    ],
)
def test_checks_report_cache_setups_that_would_leak(
    settings: Any, middleware: list[str], ids: list[str]
) -> None:
    settings.MIDDLEWARE = middleware
    assert check_ids() == ids


def test_check_reports_internal_addresses_behind_a_site_wide_cache(settings: Any) -> None:
    settings.MIDDLEWARE = SITE_CACHE
    settings.ANALYTICS_CONFIG = {"INTERNAL": {"IPS": ["10.0.0.0/8"]}}
    assert check_ids() == ["analytix.W304"]
    settings.MIDDLEWARE = [OURS, *BASE_MIDDLEWARE]
    assert check_ids() == []


def test_every_check_message_says_the_fix(settings: Any) -> None:
    settings.MIDDLEWARE = [UPDATE, *BASE_MIDDLEWARE, FETCH]
    settings.ANALYTICS_CONFIG = {"INTERNAL": {"IPS": ["10.0.0.0/8"]}}
    messages = [m for m in run_checks() if (m.id or "").startswith("analytix.W3")]
    assert messages
    assert all(m.hint for m in messages)
