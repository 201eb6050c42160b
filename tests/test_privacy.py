"""Request-level decisions (decide/request.py) and consent reading (decide/consent.py), as the
page sees them."""

from __future__ import annotations

import logging
import sys
import types
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from analytix_frontend.decide import consent
from analytix_frontend.decide.request import decide_request
from analytix_frontend.decide.rules import gpc, internal
from analytix_frontend.decide.settings import get_settings
from tests.html import page_config, parse, scripts

SIGNUP = ["google", "hubspot", "kissmetrics", "drift", "fullstory", "facebook_pixel"]


def render(request: Any, area: str = "signup") -> str:
    template = Template("{% load analytix %}{% analytics_scripts area %}")
    return template.render(Context({"request": request, "area": area}))


def make_request(*, cookies: dict[str, str] | None = None, user: Any = None, **meta: str) -> Any:
    request = RequestFactory().get("/", **meta)
    request.COOKIES.update(cookies or {})
    request.user = user or AnonymousUser()
    return request


def by_name(html: str) -> dict[str, dict[str, Any]]:
    """Each service's config, with the fields the server leaves out when empty restored (as
    config.js does in the browser)."""
    return {
        s["name"]: {"reason": "", "detail": "", "waiting": False, **s}
        for s in page_config(html)["services"]
    }


def loader_files(html: str) -> list[str]:
    """The vendor loaders the page gets (DEBUG: each a file of the main script)."""
    main = [u for s in scripts(html) for u in str(s.attrs.get("data-analytix-main") or "").split()]
    return [src for src in main if "/vendors/" in src and not src.endswith("-facade.js")]


def is_internal(request: Any) -> bool:
    return internal.decide(get_settings().privacy.internal, request) is not None


def granted(request: Any) -> frozenset[str]:
    """The categories the request's one decision says the visitor consented to."""
    answer = decide_request(request).consent
    assert answer is not None, "consent is not required"
    return answer.granted


class User:
    is_authenticated = True

    def __init__(self, **attrs: Any) -> None:
        self.pk = 42
        self.email = "someone@example.com"
        self.username = "someone"
        self.__dict__.update(attrs)


# --- consent -------------------------------------------------------------------------------


def test_without_consent_required_everything_runs() -> None:
    services = by_name(render(make_request()))
    assert [name for name, s in services.items() if s["on"]] == SIGNUP
    assert "consent" not in page_config(render(make_request()))  # the browser: not required


def test_consent_required_holds_every_service_waiting_with_its_loader(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"CONSENT": True}
    settings.DEBUG = True  # the separate loader files (without DEBUG: one file for all)
    html = render(make_request())
    services = by_name(html)
    assert {s["reason"] for s in services.values()} == {"consent"}
    assert all(s["waiting"] and not s["on"] and s["id"] for s in services.values())
    assert len(loader_files(html)) == 6  # to start without a reload once consent is given
    assert [e for e in parse(html) if e.tag in ("img", "noscript")] == []  # no pixel <img>


def test_consent_cookie_turns_on_its_categories_only(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"CONSENT": True}
    html = render(make_request(cookies={"analytix_consent": "analytics,bogus"}))
    on = sorted(name for name, s in by_name(html).items() if s["on"])
    assert on == ["fullstory", "google", "kissmetrics"]
    consent = page_config(html)["consent"]
    assert {k: v for k, v in consent.items() if k not in NEW_CONSENT_KEYS} == {
        "required": True,
        "cookie": "analytix_consent",
        "granted": ["analytics"],
        "decided": True,
        "basis": {"analytix_consent": "analytics,bogus"},
    }
    assert set(consent) - {"required", "cookie", "granted", "decided", "basis"} == {
        "version",
        "services",
        "source",
        "google",
    }  # tests/test_consent_settings.py checks these


NEW_CONSENT_KEYS = ("version", "services", "source", "google")


def test_consent_cookie_name_is_configurable(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"CONSENT": {"COOKIE_NAME": "ok"}}
    request = make_request(cookies={"ok": "marketing", "analytix_consent": "analytics"})
    assert granted(request) == {"marketing"}


def test_a_consent_cookie_name_that_is_not_a_token_is_never_written_to_the_page(
    settings: Any,
) -> None:
    # consent.js writes document.cookie with the name: it could add attributes (E202 says so).
    settings.ANALYTICS_CONFIG = {"CONSENT": {"COOKIE_NAME": "c; domain=example.com"}}
    html = render(make_request())
    assert page_config(html)["consent"]["cookie"] == "analytix_consent"
    assert "domain" not in html


def test_consent_required_false_in_a_dict_turns_it_off(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"CONSENT": {"REQUIRED": False}}
    assert get_settings().privacy.consent_required is False


@pytest.fixture
def fake_cookie_consent(settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """django-cookie-consent's util module, faked: its answers per cookie-group varname."""
    answers: dict[str, Any] = {}
    package = types.ModuleType("cookie_consent")
    util = types.ModuleType("cookie_consent.util")
    util.get_cookie_value_from_request = lambda request, varname: answers[varname]  # type: ignore[attr-defined]
    package.util = util  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cookie_consent", package)
    monkeypatch.setitem(sys.modules, "cookie_consent.util", util)
    monkeypatch.setattr(consent.apps, "is_installed", lambda label: label == "cookie_consent")
    settings.ANALYTICS_CONFIG = {
        "CONSENT": {"COOKIE_GROUPS": {"analytics": "stats", "marketing": "ads"}}
    }
    return answers


def test_cookie_consent_groups_answer_for_their_categories(fake_cookie_consent) -> None:
    fake_cookie_consent.update(stats=True, ads=False)
    request = make_request(cookies={"analytix_consent": "marketing,functional"})
    # Its "declined" wins over our cookie; unanswered groups leave our cookie's answer.
    assert granted(request) == {"analytics", "functional"}
    fake_cookie_consent.update(stats=None, ads=None)
    request = make_request(cookies={"analytix_consent": "marketing,functional"})  # a new page
    assert granted(request) == {"marketing", "functional"}


def test_cookie_consent_failing_never_breaks_the_page(fake_cookie_consent, caplog) -> None:
    fake_cookie_consent.clear()  # every lookup raises KeyError
    with caplog.at_level(logging.WARNING, logger="analytix_frontend"):
        services = by_name(render(make_request(cookies={"analytix_consent": "analytics"})))
    assert services["google"]["on"] and services["hubspot"]["waiting"]
    assert "django-cookie-consent failed" in caplog.text


# --- Global Privacy Control ----------------------------------------------------------------


def test_gpc_header_turns_off_analytics_and_marketing(settings: Any) -> None:
    settings.DEBUG = True  # the separate loader files (without DEBUG: one file for all)
    html = render(make_request(HTTP_SEC_GPC="1"))
    services = by_name(html)
    assert [n for n, s in services.items() if s["on"]] == ["drift"]
    assert {services[n]["reason"] for n in SIGNUP if n != "drift"} == {"privacy"}
    # Every loader, as in the minified file (issue 12): inert until boot.js starts its service.
    assert len(loader_files(html)) == 6
    assert "gpc" not in page_config(html)  # the default (analytics, marketing): config.js's


@pytest.mark.parametrize("value", ["0", "", "true", "1, 1"])
def test_only_the_exact_gpc_value_counts(value: str) -> None:
    assert gpc.sends_gpc(make_request(HTTP_SEC_GPC=value)) is False


def test_gpc_categories_are_configurable(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"GPC": ["marketing"]}
    services = by_name(render(make_request(HTTP_SEC_GPC="1")))
    assert sorted(n for n, s in services.items() if not s["on"]) == ["facebook_pixel", "hubspot"]
    settings.ANALYTICS_CONFIG = {"GPC": False}
    assert all(s["on"] for s in by_name(render(make_request(HTTP_SEC_GPC="1"))).values())
    assert page_config(render(make_request()))["gpc"] == []


def test_gpc_wins_over_consent(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"CONSENT": True}
    request = make_request(HTTP_SEC_GPC="1", cookies={"analytix_consent": "analytics,marketing"})
    services = by_name(render(request))
    assert services["google"]["reason"] == "privacy" and not services["google"]["waiting"]
    assert services["drift"]["reason"] == "consent" and services["drift"]["waiting"]


# --- internal traffic ----------------------------------------------------------------------


def test_internal_addresses_get_no_vendor_at_all(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"INTERNAL": {"IPS": ["10.0.0.0/8", "2001:db8::/32"]}}
    for address in ("10.1.2.3", "2001:db8::1"):
        html = render(make_request(REMOTE_ADDR=address))
        assert {s["reason"] for s in by_name(html).values()} == {"internal"}
        assert loader_files(html) == []
        assert "vendors/" not in html and "<!--" not in html  # omitted, not commented out
    assert all(s["on"] for s in by_name(render(make_request(REMOTE_ADDR="11.0.0.1"))).values())


def test_a_client_supplied_forwarded_for_is_not_trusted_by_default(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"INTERNAL": {"IPS": ["10.0.0.0/8"]}}
    request = make_request(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert is_internal(request) is False


def test_a_configured_proxy_header_is_read_from_the_right(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {
        "INTERNAL": {"IPS": ["10.0.0.0/8"], "IP_HEADER": "X-Forwarded-For"}
    }
    # The client forged "10.0.0.1"; our proxy appended the address it really saw.
    forged = make_request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.7")
    assert is_internal(forged) is False
    real = make_request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1, 10.9.9.9")
    assert is_internal(real) is True
    settings.ANALYTICS_CONFIG = {
        "INTERNAL": {"IPS": ["10.0.0.0/8"], "IP_HEADER": "X-Forwarded-For", "PROXY_COUNT": 2}
    }
    two_proxies = make_request(HTTP_X_FORWARDED_FOR="1.1.1.1, 10.0.0.5, 172.16.0.1")
    assert is_internal(two_proxies) is True
    too_short = make_request(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert is_internal(too_short) is False  # fewer entries than proxies: no address


@pytest.mark.parametrize("garbage", ["not-an-ip", "10.0.0.1:443", "", "10.0.0.1\x00"])
def test_malformed_addresses_are_not_internal_and_never_raise(settings: Any, garbage: str) -> None:
    settings.ANALYTICS_CONFIG = {
        "INTERNAL": {"IPS": ["10.0.0.0/8", "bogus"], "IP_HEADER": "X-Real-IP"}
    }
    assert is_internal(make_request(HTTP_X_REAL_IP=garbage, REMOTE_ADDR="8.8.8.8")) is False


def test_qa_cookie_includes_or_excludes_this_browser(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"INTERNAL": {"IPS": ["127.0.0.0/8"], "QA_COOKIE": "qa"}}
    assert is_internal(make_request()) is True  # RequestFactory: 127.0.0.1
    assert is_internal(make_request(cookies={"qa": "include"})) is False
    outside = {"REMOTE_ADDR": "198.51.100.7"}
    assert is_internal(make_request(cookies={"qa": "exclude"}, **outside)) is True
    assert is_internal(make_request(cookies={"qa": "other"}, **outside)) is False


# --- per-service conditions ----------------------------------------------------------------


def test_condition_decides_per_request(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"CONDITIONS": {"drift": "tests.conditions.anonymous_only"}}
    assert by_name(render(make_request()))["drift"]["on"] is True
    signed_in = by_name(render(make_request(user=User())))
    assert signed_in["drift"]["on"] is False and signed_in["drift"]["reason"] == "condition"
    assert signed_in["google"]["on"] is True


@pytest.mark.parametrize(
    "path", ["tests.conditions.always_raises", "tests.conditions.NOT_CALLABLE", "no.such.module"]
)
def test_a_failing_condition_turns_its_service_off_and_logs(
    settings: Any, caplog, path: str
) -> None:
    settings.ANALYTICS_CONFIG = {"CONDITIONS": {"drift": path}, "LOG_LEVEL": "debug"}
    with caplog.at_level(logging.WARNING, logger="analytix_frontend"):
        html = render(make_request())
    drift = by_name(html)["drift"]
    assert (drift["on"], drift["reason"]) == (False, "condition")
    assert "see the server log" in drift["detail"]
    assert "secret internal detail" not in html  # the exception stays in the server log
    assert path in caplog.text
    assert by_name(html)["google"]["on"] is True


def test_a_condition_given_as_the_function_itself_keeps_its_service_off(settings: Any) -> None:
    """E209 says the service stays off until the value is a dotted path: so it does."""
    from tests.conditions import anonymous_only

    settings.ANALYTICS_CONFIG = {"CONDITIONS": {"drift": anonymous_only}}
    drift = by_name(render(make_request()))["drift"]
    assert (drift["on"], drift["reason"]) == (False, "condition")


# --- identity ------------------------------------------------------------------------------


def test_no_identity_unless_the_project_opts_in(settings: Any) -> None:
    assert "identity" not in page_config(render(make_request(user=User())))
    settings.ANALYTICS_CONFIG = {"IDENTITY": True}
    assert "identity" not in page_config(render(make_request()))  # anonymous
    config = page_config(render(make_request(user=User())))
    assert config["identity"] == {"id": "42", "traits": {}}
    assert "someone" not in render(make_request(user=User()))  # no e-mail, no username


def test_identity_traits_only_those_listed(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {
        "IDENTITY": {"ID_ATTRIBUTE": "uuid", "TRAITS": ["email", "plan", "missing"]}
    }
    user = User(uuid="u-1", plan="pro")
    config = page_config(render(make_request(user=user)))
    assert config["identity"] == {
        "id": "u-1",
        "traits": {"email": "someone@example.com", "plan": "pro", "missing": None},
    }


def test_password_and_private_attributes_are_never_traits(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"IDENTITY": {"TRAITS": ["password", "_secret", "plan"]}}
    user = User(password="pbkdf2_sha256$hash", _secret="s", plan="pro")
    html = render(make_request(user=user))
    assert page_config(html)["identity"]["traits"] == {"plan": "pro"}
    assert "pbkdf2" not in html


@pytest.mark.parametrize("attribute", ["password", "_secret"])
def test_password_and_private_attributes_are_never_the_id(settings: Any, attribute: str) -> None:
    settings.ANALYTICS_CONFIG = {"IDENTITY": {"ID_ATTRIBUTE": attribute}}
    user = User(password="pbkdf2_sha256$hash", _secret="s")
    html = render(make_request(user=user))
    assert page_config(html)["identity"] == {"id": "42", "traits": {}}  # the default, pk
    assert "pbkdf2" not in html


def test_identity_values_the_browser_cannot_read_or_that_raise_are_left_out(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(User):
        @property
        def plan(self) -> str:
            raise RuntimeError("no plan table")

    settings.ANALYTICS_CONFIG = {"IDENTITY": {"TRAITS": ["score", "limit", "plan"]}}
    user = Broken(score=float("nan"), limit=float("inf"))
    config = page_config(render(make_request(user=user)))  # parsed as strictly as JSON.parse
    assert config["identity"] == {"id": "42", "traits": {}}
    assert "reading user.plan for the identity raised" in caplog.text


def test_no_identity_when_no_service_may_run(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"IDENTITY": True, "LOG_LEVEL": "debug"}
    assert "identity" not in page_config(
        render(make_request(user=User(), HTTP_SEC_GPC="1"), "default")
    )
