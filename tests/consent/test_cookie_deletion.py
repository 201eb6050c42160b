"""Deletion on the next response (consent/middleware.py, consent/cookies.py): the declined
categories' vendor cookies the request carried get a Set-Cookie deletion on the host and its
parent domains; nothing else is touched, and nothing for a visitor who has not answered."""

from __future__ import annotations

import io
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import path

from analytix_frontend.consent.cookies import VENDOR_COOKIES, deletion_domains
from analytix_frontend.consent.middleware import ConsentCookieMiddleware
from tests.consent.helpers import cookie

MIDDLEWARE = "analytix_frontend.consent.middleware.ConsentCookieMiddleware"
VISITOR_COOKIES = {
    "_ga": "GA1.1.1",
    "_ga_ABC123": "GS1.1",
    "_gcl_au": "1.1",
    "hubspotutk": "abc",
    "__hs_opt_out": "no",
    "__hstc": "x",
    "_fbp": "fb.1",
    "fs_uid": "#o-1#1",
    "drift_aid": "d",
    "km_ai": "k",
    "sessionid": "keep-me",
    "_gax": "not google's",  # "_ga" is exact: only "_ga" and "_ga_*" are Google's
}
# The contract's list (/work/consent-contract.md, "Cookie deletion")
CONTRACT = {
    "google": {"_ga", "_ga_*", "_gac_*", "_gid", "_gat*", "_gcl_*"},
    "hubspot": {"hubspotutk", "__hs*", "messagesUtk"},
    "fullstory": {"fs_uid", "fs_lua", "fs_cid", "fs_trusted"},
    "facebook_pixel": {"_fbp", "_fbc"},
    "kissmetrics": {"km_*", "_km*", "kvcd"},
    "drift": {
        "drift_aid",
        "driftt_aid",
        "drift_eid",
        "driftt_eid",
        "driftt_sid",
        "drift_campaign_refresh",
        "DFTT_END_USER_PREV_BOOTSTRAPPED",
    },
}


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("page")


urlpatterns = [path("page/", page)]


def respond(consent: str | None, host: str = "www.example.com", **meta: Any) -> HttpResponse:
    request = RequestFactory().get("/page/", HTTP_HOST=host, **meta)
    request.COOKIES.update(VISITOR_COOKIES)
    if consent is not None:
        request.COOKIES["analytix_consent"] = consent
    return ConsentCookieMiddleware(page)(request)  # type: ignore[return-value]


def deleted(response: HttpResponse) -> dict[str, set[str]]:
    """Cookie name -> the Domain attributes it is deleted on ("" for host-only)."""
    found: dict[str, set[str]] = {}
    for morsel in response.cookies.values():
        assert morsel.value == "" and morsel["max-age"] == 0
        assert morsel["path"] in ("/", "/page", "/page/")  # "/" and each prefix of the path
        found.setdefault(morsel.key, set()).add(morsel["domain"])
    return found


@pytest.fixture(autouse=True)
def consent_required(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True}


def test_the_table_is_the_contract_s() -> None:
    assert {service: set(names) for service, names in VENDOR_COOKIES.items()} == CONTRACT


def test_a_declined_category_s_vendor_cookies_are_deleted_on_the_host_and_parents() -> None:
    response = respond(cookie("analytics"))  # declined: marketing and functional
    domains = {"", "www.example.com", "example.com"}
    assert deleted(response) == {
        "hubspotutk": domains,
        "__hs_opt_out": domains,
        "__hstc": domains,
        "_fbp": domains,
        "drift_aid": domains,
    }
    assert "private" in response["Cache-Control"]


def test_reject_deletes_every_vendor_s_cookies_and_nothing_else() -> None:
    names = set(deleted(respond(cookie("none"))))
    assert names == set(VISITOR_COOKIES) - {"sessionid", "_gax"}


@pytest.mark.parametrize(
    "consent",
    [None, cookie("none", services="00000000"), "analytics,marketing,functional"],
    ids=["no answer", "outdated answer", "everything granted"],
)
def test_nothing_is_deleted_without_a_current_no(consent: str | None) -> None:
    response = respond(consent)
    assert deleted(response) == {} and not response.has_header("Cache-Control")


def test_nothing_is_deleted_where_consent_is_not_required(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": False}
    assert deleted(respond("none")) == {}


def test_an_ip_host_gets_host_only_deletions_and_https_secure_ones() -> None:
    response = respond(cookie("none"), host="203.0.113.5:8000", **{"wsgi.url_scheme": "https"})
    assert set().union(*deleted(response).values()) == {""}
    assert all(m["secure"] is True for m in response.cookies.values())


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("localhost", [None]),
        ("[::1]", [None]),
        ("10.0.0.1", [None]),
        ("Example.COM.", [None, "example.com"]),
        (
            "a.b.shop.example.co.uk",
            [
                None,
                "a.b.shop.example.co.uk",
                "b.shop.example.co.uk",
                "shop.example.co.uk",
                "example.co.uk",
            ],
        ),
    ],
)
def test_deletion_domains(host: str, expected: list[str | None]) -> None:
    assert deletion_domains(host) == expected


def test_the_view_s_own_cookie_wins() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse()
        response.set_cookie("_fbp", "set-by-the-view")
        return response

    request = RequestFactory().get("/", HTTP_HOST="example.com")
    request.COOKIES.update({"_fbp": "x", "analytix_consent": cookie("none")})
    response = ConsentCookieMiddleware(view)(request)
    assert [m.value for m in response.cookies.values()] == ["set-by-the-view"]


@pytest.mark.django_db  # the handler's request_started closes old connections
@pytest.mark.urls(__name__)
def test_the_wsgi_response_carries_one_set_cookie_per_name_domain_and_path(
    settings: Any,
) -> None:
    settings.MIDDLEWARE = [MIDDLEWARE]
    environ = RequestFactory()._base_environ(
        PATH_INFO="/page/",
        REQUEST_METHOD="GET",
        HTTP_HOST="shop.example.com",
        HTTP_COOKIE=f"_fbp=fb.1; sessionid=s; analytix_consent={cookie('analytics')}",
    )
    environ["wsgi.input"] = io.BytesIO()
    headers: list[tuple[str, str]] = []
    WSGIHandler()(environ, lambda status, sent: headers.extend(sent))
    set_cookies = [value for name, value in headers if name == "Set-Cookie"]
    assert len(set_cookies) == 9
    parsed = [SimpleCookie(value)["_fbp"] for value in set_cookies]
    assert {(m["domain"], m["path"]) for m in parsed} == {
        (domain, path)
        for domain in ("", "shop.example.com", "example.com")
        for path in ("/", "/page", "/page/")
    }
    assert all(m.value == "" and m["max-age"] == "0" for m in parsed)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_crafted_cookie_header_deletes_only_vendor_cookies_and_never_breaks(
    settings: Any,
) -> None:
    """Names a browser may carry (set by a sibling subdomain, say) built to smuggle attributes
    or other cookies into the deletions: each is deleted as itself or skipped, the response
    is the page's, and no other cookie is set or deleted."""
    settings.MIDDLEWARE = [MIDDLEWARE]
    crafted = [
        "_ga_x,sessionid=1",  # a comma: no Set-Cookie can carry it
        '_ga_"q"=1',
        "_gcl_\\x=1",
        "km_ a=1",
        "_fbp; Domain=evil.example",
        "__hs_x=1; __hs_x=2",  # a repeat
        "_ga_o.k!=1",  # legal in a Set-Cookie name: deleted as itself
    ]
    environ = RequestFactory()._base_environ(
        PATH_INFO="/page/",
        REQUEST_METHOD="GET",
        HTTP_HOST="shop.example.com",
        HTTP_COOKIE="; ".join([*crafted, f"analytix_consent={cookie('')}", "sessionid=s"]),
    )
    environ["wsgi.input"] = io.BytesIO()
    sent: list[Any] = []
    body = WSGIHandler()(environ, lambda status, headers: sent.extend([status, headers]))
    assert sent[0] == "200 OK" and b"".join(body) == b"page"
    names = set()
    for name, value in sent[1]:
        if name == "Set-Cookie":
            assert "\n" not in value and "evil" not in value and "sessionid" not in value
            names.update(SimpleCookie(value).keys())
    assert names <= {"_ga_o.k!", "__hs_x", "_fbp"}
    assert "_ga_o.k!" in names and "__hs_x" in names
