"""Hostile input, property-based: whatever the ids, area names, identity values, cookies and
headers, the page gains no element or attribute we did not write, and the JSON the browser
reads back is exactly what the server meant."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from analytix_frontend.decide.request import decide_request
from analytix_frontend.decide.services import SERVICES
from analytix_frontend.page.config import build_page_config
from analytix_frontend.page.scripts import origin_for
from tests.html import page_config, parse
from tests.test_privacy import User, make_request

# What the tag may write: these elements, with these attributes, and nothing else.
ALLOWED = {
    "script": {"type", "data-analytix-config", "nonce", "src", "defer", "data-analytix-main"},
    "noscript": set(),
    "img": {"height", "width", "hidden", "alt", "src"},
}
NASTY = st.sampled_from(
    [
        "</script><script>alert(1)</script>",
        "<!--<script>",
        "</SCRIPT >",
        "\u2028\u2029",
        '"><img src=x onerror=alert(1)>',
        "' onload='x",
        "]]><![CDATA[",
        "\\u003C/script>",
        "&lt;&#x3C;",
        "javascript:alert(1)",
        "\x00\r\n\t",
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=40), st.builds("".join, st.lists(NASTY, max_size=3)))
RUNS = hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
CONFIG = {"LOG_LEVEL": "verbose", "CONSENT": True, "IDENTITY": {"TRAITS": ["name", "plan"]}}


def render(request: Any, area: str, **context: Any) -> str:
    template = Template("{% load analytix %}{% analytics_scripts area %}")
    return template.render(Context({"request": request, "area": area, **context}))


def assert_only_our_markup(html: str) -> None:
    for element in parse(html):
        assert element.tag in ALLOWED, element
        assert set(element.attrs) <= ALLOWED[element.tag], element
        src = element.attrs.get("src")
        if src is not None:
            assert src.startswith(("//testserver/static/", "https://www.facebook.com/tr?")), src
    configs = [e for e in parse(html) if e.attrs.get("type") == "application/json"]
    assert len(configs) == 1
    # No "<" at all in the data: nothing in it can close the element or open a comment,
    # whichever HTML parser reads it (Python's is laxer than a browser's; see the test below).
    assert "<" not in configs[0].text


@RUNS
@given(ids=st.fixed_dictionaries({s.id_setting: TEXT for s in SERVICES}))
def test_any_ids(ids: dict[str, str]) -> None:
    with override_settings(ANALYTICS_IDS=ids, ANALYTICS_CONFIG={"LOG_LEVEL": "verbose"}):
        request = make_request()
        html = render(request, "signup")
        assert_only_our_markup(html)
        for service in page_config(html)["services"]:
            setting = next(s.id_setting for s in SERVICES if s.name == service["name"])
            raw = ids[setting].strip()
            # An id reaches the page only when the vendor's pattern matches it in full.
            assert service["id"] in (None, raw)
            if service["id"] is not None:
                assert next(s for s in SERVICES if s.name == service["name"]).id_pattern.fullmatch(
                    raw
                )


@RUNS
@given(area=TEXT)
def test_any_area_name(area: str) -> None:
    with override_settings(ANALYTICS_CONFIG={"LOG_LEVEL": "verbose", "AREAS": {area: ["google"]}}):
        request = make_request()
        html = render(request, area, csp_nonce="n0nce")
        assert_only_our_markup(html)
        meant = build_page_config(area, decide_request(request), origin_for(request))
        assert page_config(html) == json.loads(json.dumps(meant))
        assert page_config(html)["area"] == area


@RUNS
@given(user_id=TEXT.filter(bool), name=TEXT, plan=st.one_of(TEXT, st.integers(), st.booleans()))
def test_any_identity_values(user_id: str, name: str, plan: Any) -> None:
    with override_settings(ANALYTICS_CONFIG=CONFIG):
        user = User(pk=user_id, name=name, plan=plan)
        html = render(make_request(user=user, cookies={"analytix_consent": "analytics"}), "signup")
        assert_only_our_markup(html)
        assert page_config(html)["identity"] == {
            "id": user_id,
            "traits": {"name": name, "plan": plan},
        }


@RUNS
@given(consent_cookie=TEXT, qa_cookie=TEXT, gpc=TEXT, forwarded=TEXT, remote=TEXT, nonce=TEXT)
def test_any_cookie_and_header_values(
    consent_cookie: str, qa_cookie: str, gpc: str, forwarded: str, remote: str, nonce: str
) -> None:
    config = {
        **CONFIG,
        "INTERNAL": {"IPS": ["10.0.0.0/8"], "IP_HEADER": "X-Forwarded-For"},
    }
    with override_settings(ANALYTICS_CONFIG=config):
        request = RequestFactory().get(
            "/", HTTP_SEC_GPC=gpc, HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote
        )
        request.COOKIES = {"analytix_consent": consent_cookie, "analytix_qa": qa_cookie}
        request.user = User(name=consent_cookie, plan=gpc)
        html = render(request, "signup", csp_nonce=nonce)
        assert_only_our_markup(html)
        config_data = page_config(html)
        assert set(config_data["consent"]["granted"]) <= {"analytics", "marketing", "functional"}
        scripts = [e for e in parse(html) if e.tag == "script"]
        assert {e.attrs.get("nonce") for e in scripts} == ({nonce} if nonce else {None})


# --- the browser reads the same JSON back --------------------------------------------------


@pytest.mark.browser
def test_chromium_reads_back_exactly_what_the_server_meant(browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.route("**/*", lambda route: route.abort())

    @RUNS
    @given(area=TEXT, name=TEXT, user_id=TEXT.filter(bool))
    def check(area: str, name: str, user_id: str) -> None:
        config = {**CONFIG, "AREAS": {area: ["google"]}}
        with override_settings(ANALYTICS_CONFIG=config):
            request = make_request(
                user=User(pk=user_id, name=name), cookies={"analytix_consent": "analytics"}
            )
            html = render(request, area, csp_nonce="n0nce")
            meant = build_page_config(area, decide_request(request), origin_for(request))
        page.set_content(f"<!doctype html><html><head>{html}</head><body></body></html>")
        read = page.evaluate(
            """() => {
                const blocks = document.querySelectorAll('script[type="application/json"]');
                return {count: blocks.length, elements: document.head.querySelectorAll('*').length,
                        data: JSON.parse(blocks[0].textContent)};
            }"""
        )
        assert read["count"] == 1
        assert read["elements"] == len(parse(html))
        assert read["data"] == json.loads(json.dumps(meant))

    try:
        check()
    finally:
        context.close()


# --- text that cannot be encoded: lone surrogates -----------------------------------------

# Arbitrary text, lone surrogates ("\ud800"...) included: Python strings may hold them (a
# template variable, a user attribute, a decoded header), UTF-8 cannot.
ANY_TEXT = st.one_of(
    st.just("\ud800"),
    st.text(st.one_of(st.characters(categories=["Cs"]), st.characters()), max_size=30),
    TEXT,
)


def as_response_text(html: str) -> str:
    """The page as the browser receives it: the response must encode as UTF-8."""
    return HttpResponse(html).content.decode("utf-8")


@RUNS
@given(area=ANY_TEXT, user_id=ANY_TEXT.filter(bool), name=ANY_TEXT, nonce=ANY_TEXT)
def test_any_text_renders_and_encodes(area: str, user_id: str, name: str, nonce: str) -> None:
    config = {**CONFIG, "AREAS": {"signup": ["google"], area: ["google"]}}
    with override_settings(ANALYTICS_CONFIG=config):
        request = make_request(
            user=User(pk=user_id, name=name, plan=area), cookies={"analytix_consent": "analytics"}
        )
        html = as_response_text(render(request, area, csp_nonce=nonce))
        assert_only_our_markup(html)
        data = page_config(html)  # parses, as strictly as JSON.parse
        assert data["area"] == replace_surrogates(area)
        assert data["identity"] == {
            "id": replace_surrogates(user_id),
            "traits": {"name": replace_surrogates(name), "plan": replace_surrogates(area)},
        }


def replace_surrogates(text: str) -> str:
    return "".join("\ufffd" if 0xD800 <= ord(c) < 0xE000 else c for c in text)


def test_a_lone_surrogate_in_the_area_or_a_trait_is_no_500(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {
        "IDENTITY": {"TRAITS": ["name"]},
        "LOG_LEVEL": "debug",
        "AREAS": {"sign\udfffup": ["google"]},
    }
    request = make_request(user=User(name="a\ud800b"))
    html = as_response_text(render(request, "sign\udfffup", csp_nonce="n\ud800"))
    assert page_config(html)["area"] == "sign\ufffdup"
    assert page_config(html)["identity"]["traits"] == {"name": "a\ufffdb"}
    assert 'nonce="n\ufffd"' in html
