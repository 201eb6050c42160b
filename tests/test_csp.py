"""The CSP source helper (csp.py) and the nonce lookup (nonce.py)."""

from __future__ import annotations

from typing import Any

import pytest
from csp.constants import NONCE, NONE, SELF
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.template import Context, Template
from django.test import RequestFactory

from analytix_frontend.csp import csp_sources, merge_directives
from analytix_frontend.page import nonce
from tests.html import scripts

IDS = {"GOOGLE_ANALYTICS_API_ID": "G-ABC123DEF4", "FACEBOOK_PIXEL_ID": "123456789012345"}


def test_sources_follow_the_ids_that_are_set_and_valid() -> None:
    sources = csp_sources(ids={**IDS, "HUBSPOT_API_ID": "not valid", "DRIFT_ID": ""})
    assert sources["script-src"] == [
        "https://*.googletagmanager.com",
        "https://connect.facebook.net",
    ]
    assert "https://www.facebook.com" in sources["img-src"]
    assert "https://*.google-analytics.com" in sources["connect-src"]
    assert "frame-src" not in sources  # neither service frames anything
    assert not any("hs-scripts" in s for values in sources.values() for s in values)


def test_an_id_the_page_accepts_is_an_id_the_policy_allows(settings: Any) -> None:
    # An int id is valid for the tag (and manage.py check): the policy must allow its hosts.
    settings.ANALYTICS_IDS = {"HUBSPOT_API_ID": 1234567, "FACEBOOK_PIXEL_ID": 123456789012345}
    assert csp_sources(ids=settings.ANALYTICS_IDS) == csp_sources()
    assert "https://js.hs-scripts.com" in csp_sources(ids=settings.ANALYTICS_IDS)["script-src"]


def test_sources_default_to_the_settings_ids() -> None:
    sources = csp_sources()  # tests.settings sets all six
    for host in ("js.hs-scripts.com", "js.driftt.com", "edge.fullstory.com", "i.kissmetrics.io"):
        assert f"https://{host}" in sources["script-src"]
    assert "https://js.driftt.com" in sources["frame-src"]


def test_each_script_host_the_loaders_use_is_allowed() -> None:
    from tests.conftest import VENDOR_HOSTS

    allowed = csp_sources()["script-src"]

    def matches(host: str, source: str) -> bool:
        pattern = source.removeprefix("https://")
        if pattern.startswith("*."):
            return host.endswith(pattern[1:])
        return host == pattern

    for host in VENDOR_HOSTS:
        assert any(matches(host, source) for source in allowed), host


def test_fullstory_regional_org_gets_its_region_hosts() -> None:
    sources = csp_sources(ids={"FULLSTORY_ID": "o-1ABCDE-eu1"})
    assert sources["script-src"] == [
        "https://edge.eu1.fullstory.com",
        "https://rs.eu1.fullstory.com",
    ]


def test_explicit_services_and_unknown_names() -> None:
    assert set(csp_sources(["kissmetrics"])) == {
        "script-src",
        "connect-src",
        "img-src",
        "base-uri",
        "trusted-types",
    }
    with pytest.raises(ValueError, match="nope"):
        csp_sources(["nope"])


def test_merge_keeps_the_base_and_falls_back_to_default_src() -> None:
    base = {"default-src": [SELF], "script-src": [SELF, NONCE], "object-src": NONE}
    merged = merge_directives(base, csp_sources(ids=IDS))
    assert merged["script-src"][:2] == [SELF, NONCE]
    assert merged["img-src"][0] == SELF  # started from default-src, as the browser would
    assert merged["object-src"] == [NONE]
    assert base["script-src"] == [SELF, NONCE]  # not modified
    none_default = merge_directives({"default-src": [NONE]}, {"img-src": ["https://a.example"]})
    assert none_default["img-src"] == ["https://a.example"]  # 'none' cannot sit beside a host


def test_sources_carry_base_uri_and_the_trusted_types_policy_whatever_the_services() -> None:
    for sources in (csp_sources([]), csp_sources(ids=IDS), csp_sources()):
        assert sources["base-uri"] == [SELF]
        assert sources["trusted-types"] == ["analytix"]


def test_merge_adds_base_uri_only_where_the_site_has_none() -> None:
    merged = merge_directives({"default-src": [NONE]}, csp_sources(ids=IDS))
    assert merged["base-uri"] == [SELF]  # not started from default-src: it never falls back
    strict = merge_directives({"default-src": [SELF], "base-uri": [NONE]}, csp_sources(ids=IDS))
    assert strict["base-uri"] == [NONE]  # the site's stricter choice is kept
    own = merge_directives({"base-uri": "https://cdn.example"}, csp_sources(ids=IDS))
    assert own["base-uri"] == ["https://cdn.example"]


def test_merge_names_the_policy_only_where_the_site_restricts_policy_names() -> None:
    # Without a trusted-types directive every name is allowed: adding one would refuse the
    # site's own policies (and the vendors').
    required = {"default-src": [SELF], "require-trusted-types-for": ["'script'"]}
    assert "trusted-types" not in merge_directives(required, csp_sources(ids=IDS))
    named = merge_directives({**required, "trusted-types": ["dompurify"]}, csp_sources(ids=IDS))
    assert named["trusted-types"] == ["dompurify", "analytix"]
    assert named["require-trusted-types-for"] == ["'script'"]
    none = merge_directives({"trusted-types": [NONE]}, csp_sources(ids=IDS))
    assert none["trusted-types"] == ["analytix"]  # 'none' cannot stand beside a name
    # Sources of the caller's own for these directives are merged like any other.
    mine = merge_directives(required, {"trusted-types": ["analytix", "dompurify"]})
    assert mine["trusted-types"] == ["analytix", "dompurify"]


def test_the_merged_dict_builds_a_django_csp_policy() -> None:
    directives = merge_directives(
        {"default-src": [SELF], "script-src": [SELF, NONCE]}, csp_sources(ids=IDS)
    )
    policy = build_policy(config=directives, nonce="abc")
    assert (
        "script-src 'self' 'nonce-abc' https://*.googletagmanager.com https://connect.facebook.net"
        in policy
    )


# --- nonce ---------------------------------------------------------------------------------


def render(**context: Any) -> str:
    return Template('{% load analytix %}{% analytics_scripts "signup" %}').render(Context(context))


def test_django_csp_lazy_nonce_is_used_before_anything_else_touched_it() -> None:
    """django-csp's request.csp_nonce is falsy until first read: it must still be found."""
    request = RequestFactory().get("/")
    CSPMiddleware(lambda r: None).process_request(request)
    found = {s.attrs.get("nonce") for s in scripts(render(request=request))}
    assert found == {request._csp_nonce} and request._csp_nonce


class LazyNonce:
    """Like Django 6's nonce: falsy until first turned into a string."""

    def __init__(self, request: Any) -> None:
        self.request, self.used = request, False

    def __bool__(self) -> bool:
        return self.used

    def __str__(self) -> str:
        self.used = True
        return getattr(self.request, "_django6_nonce", "")


def test_context_nonce_wins() -> None:
    request = RequestFactory().get("/")
    request.csp_nonce = "request"
    assert nonce.find_csp_nonce(request, Context({"csp_nonce": "context"})) == "context"


def test_a_lazy_context_nonce_is_found_before_its_first_use() -> None:
    """Django 6's csp context processor puts its lazy nonce in the context as `csp_nonce`."""
    request = RequestFactory().get("/")
    request._django6_nonce = "lazy-context"
    lazy = LazyNonce(request)
    assert not lazy
    assert {s.attrs.get("nonce") for s in scripts(render(csp_nonce=lazy))} == {"lazy-context"}
