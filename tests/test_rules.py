"""The request rules in analytix_frontend/rules/, as the page sees them: CMS previews, staff
and address ranges as internal traffic, and identity values that must be plain."""

from __future__ import annotations

import datetime
import logging
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.checks import run_checks
from django.test import RequestFactory

from tests.html import page_config
from tests.test_privacy import by_name, make_request, render


def reasons(html: str) -> dict[str, tuple[str, str]]:
    return {name: (s["reason"], s["detail"]) for name, s in by_name(html).items()}


def check_ids(settings: Any, config: dict[str, Any]) -> list[str]:
    settings.ANALYTICS_CONFIG = config
    return sorted(m.id for m in run_checks() if m.id and m.id.startswith("analytix."))


def preview_request(**meta: str) -> Any:
    """A request as Wagtail's preview and "view draft" views build it
    (PreviewableMixin.make_preview_request sets is_preview = True)."""
    request = make_request(**meta)
    request.is_preview = True
    return request


# --- CMS previews --------------------------------------------------------------------------


def test_a_preview_gets_no_vendor_by_default(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "debug"}
    html = render(preview_request())
    assert {reason for reason, _ in reasons(html).values()} == {"preview"}
    assert all("request.is_preview" in detail for _, detail in reasons(html).values())
    assert not any(s["on"] or s["waiting"] or s["id"] for s in by_name(html).values())


@pytest.mark.parametrize("value", [False, None, "yes", 1])
def test_only_is_preview_true_counts_as_a_preview(value: Any) -> None:
    request = make_request()
    request.is_preview = value  # Wagtail sets False on live pages
    assert all(s["on"] for s in by_name(render(request)).values())


def test_previews_can_be_tracked(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"EXCLUDE_PREVIEWS": False}
    assert all(s["on"] for s in by_name(render(preview_request())).values())


def test_a_preview_wins_over_every_other_rule(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"CONSENT": True, "INTERNAL": {"IPS": ["127.0.0.0/8"]}}
    services = by_name(render(preview_request(HTTP_SEC_GPC="1")))
    assert {s["reason"] for s in services.values()} == {"preview"}
    assert not any(s["waiting"] for s in services.values())  # no grant() starts them


# --- internal traffic: staff, address ranges -----------------------------------------------


def staff_request(**meta: str) -> Any:
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", **meta)
    request.user = User(pk=7, username="editor", is_staff=True)
    return request


def test_staff_count_as_internal_when_configured(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "debug"}
    assert all(s["on"] for s in by_name(render(staff_request())).values())  # off by default
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "debug", "INTERNAL": {"STAFF": True}}
    found = set(reasons(render(staff_request())).values())
    assert len(found) == 1
    ((reason, detail),) = found
    assert reason == "internal" and "staff user" in detail and "['STAFF']" in detail
    member = staff_request()
    member.user.is_staff = False
    assert all(s["on"] for s in by_name(render(member)).values())
    anonymous = staff_request()
    anonymous.user = AnonymousUser()
    assert all(s["on"] for s in by_name(render(anonymous)).values())


def test_the_qa_cookie_include_brings_analytics_back_for_staff(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"INTERNAL": {"STAFF": True}}
    request = staff_request()
    request.COOKIES["analytix_qa"] = "include"
    assert all(s["on"] for s in by_name(render(request)).values())


def test_the_internal_detail_names_the_rule_that_matched(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "debug", "INTERNAL": {"IPS": ["10.0.0.0/8"]}}
    (address,) = set(reasons(render(make_request(REMOTE_ADDR="10.1.2.3"))).values())
    assert address[0] == "internal" and "client address" in address[1]
    assert "10.1.2.3" not in address[1]  # the visitor's own address stays off the page
    cookie = make_request(REMOTE_ADDR="198.51.100.7", cookies={"analytix_qa": "exclude"})
    (qa,) = set(reasons(render(cookie)).values())
    assert qa[0] == "internal" and "QA cookie" in qa[1]


@pytest.mark.parametrize(
    ("ranges", "address", "internal"),
    [
        (["10.0.0.0/8"], "::ffff:10.1.2.3", True),  # dual-stack listener, IPv4 client
        (["10.0.0.0/8"], "::FFFF:0a01:0203", True),  # the same address, written in hex
        (["10.0.0.0/8"], "::ffff:11.1.2.3", False),
        (["203.0.113.7"], "::ffff:203.0.113.7", True),
        (["::ffff:10.0.0.0/104"], "10.1.2.3", True),  # a range written as mapped IPv6
        (["::ffff:10.0.0.0/104"], "::ffff:10.1.2.3", True),
        (["::ffff:10.0.0.0/104"], "11.1.2.3", False),
        (["::/0"], "::ffff:10.1.2.3", True),  # still matched as IPv6 too
        (["10.0.0.0/8"], "::10.1.2.3", False),  # IPv4-compatible (deprecated), not mapped
        (["2001:db8::/32"], "2001:db8::1", True),
    ],
)
def test_ipv4_mapped_addresses_match_ipv4_ranges(
    settings: Any, ranges: list[str], address: str, internal: bool
) -> None:
    settings.ANALYTICS_CONFIG = {"INTERNAL": {"IPS": ranges}}
    services = by_name(render(make_request(REMOTE_ADDR=address)))
    assert {s["reason"] == "internal" for s in services.values()} == {internal}


def test_a_mapped_address_from_the_proxy_header_is_matched_too(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {
        "INTERNAL": {"IPS": ["10.0.0.0/8"], "IP_HEADER": "X-Forwarded-For"}
    }
    request = make_request(HTTP_X_FORWARDED_FOR="198.51.100.7, ::ffff:10.9.9.9")
    assert {s["reason"] for s in by_name(render(request)).values()} == {"internal"}


# --- identity: plain values only -----------------------------------------------------------


def test_methods_never_reach_the_page(settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    settings.ANALYTICS_CONFIG = {
        "IDENTITY": {"ID_ATTRIBUTE": "natural_key", "TRAITS": ["get_full_name", "username"]}
    }
    user = User(pk=7, username="alice", first_name="Alice", last_name="Liddell")
    with caplog.at_level(logging.WARNING, logger="analytix_frontend"):
        html = render(make_request(user=user))
    assert "identity" not in page_config(html)  # no id: no identity at all
    assert "bound method" not in html and "Alice" not in html
    assert "user.natural_key is a method" in caplog.text
    settings.ANALYTICS_CONFIG = {"IDENTITY": {"TRAITS": ["get_full_name", "username"]}}
    with caplog.at_level(logging.WARNING, logger="analytix_frontend"):
        html = render(make_request(user=user))
    assert page_config(html)["identity"] == {"id": "7", "traits": {"username": "alice"}}
    assert "bound method" not in html and "Liddell" not in html
    assert "user.get_full_name is a method" in caplog.text
    assert "alice" not in caplog.text  # the log names the attribute, never the value


class Plan:
    def __str__(self) -> str:
        return "secret plan"


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        ("pro", "pro"),
        (3, 3),
        (2.5, 2.5),
        (True, True),
        (None, None),
        (
            datetime.datetime(2024, 5, 6, 7, 8, tzinfo=datetime.timezone.utc),
            "2024-05-06T07:08:00+00:00",
        ),
        (datetime.date(2024, 5, 6), "2024-05-06"),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
    ],
)
def test_plain_trait_values_are_sent(settings: Any, value: Any, sent: Any) -> None:
    settings.ANALYTICS_CONFIG = {"IDENTITY": {"TRAITS": ["plan"]}}
    user = User(pk=7)
    user.plan = value  # type: ignore[attr-defined]
    assert page_config(render(make_request(user=user)))["identity"]["traits"] == {"plan": sent}


@pytest.mark.parametrize(
    "value", [Plan(), ["a"], {"a": 1}, b"bytes", float("nan"), lambda: "x", object(), Plan]
)
def test_other_trait_values_are_left_out(settings: Any, value: Any) -> None:
    settings.ANALYTICS_CONFIG = {"IDENTITY": {"TRAITS": ["plan", "username"]}}
    user = User(pk=7, username="alice")
    user.plan = value  # type: ignore[attr-defined]
    html = render(make_request(user=user))
    assert page_config(html)["identity"]["traits"] == {"username": "alice"}
    assert "secret plan" not in html and "object at" not in html


@pytest.mark.parametrize("value", [Plan(), 2.5, True, "", None, User.get_full_name])
def test_an_id_that_is_not_a_string_whole_number_or_uuid_means_no_identity(
    settings: Any, value: Any
) -> None:
    settings.ANALYTICS_CONFIG = {"IDENTITY": {"ID_ATTRIBUTE": "ref"}}
    user = User(pk=7)
    user.ref = value  # type: ignore[attr-defined]
    assert "identity" not in page_config(render(make_request(user=user)))


def test_a_uuid_id_is_sent_as_text(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"IDENTITY": {"ID_ATTRIBUTE": "ref"}}
    user = User(pk=7)
    user.ref = uuid.UUID(int=2)  # type: ignore[attr-defined]
    identity = page_config(render(make_request(user=user)))["identity"]
    assert identity == {"id": "00000000-0000-0000-0000-000000000002", "traits": {}}


@pytest.mark.parametrize(
    ("identity", "expected"),
    [
        ({"TRAITS": ["get_full_name"]}, ["analytix.E211"]),
        ({"ID_ATTRIBUTE": "natural_key"}, ["analytix.E211"]),
        (
            {"ID_ATTRIBUTE": "get_username", "TRAITS": ["get_short_name", "email"]},
            ["analytix.E211"] * 2,
        ),
        ({"TRAITS": ["get_full_name", "get_full_name"]}, ["analytix.E211"]),  # once per name
        ({"ID_ATTRIBUTE": "pk", "TRAITS": ["email", "date_joined", "is_staff", "plan"]}, []),
        ({"ID_ATTRIBUTE": "username", "TRAITS": ["is_authenticated"]}, []),  # a property
    ],
)
def test_a_method_of_the_user_model_is_refused_by_a_check(
    settings: Any, identity: dict[str, Any], expected: list[str]
) -> None:
    assert check_ids(settings, {"IDENTITY": identity}) == expected


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"EXCLUDE_PREVIEWS": "no"}, ["analytix.E212"]),
        ({"EXCLUDE_PREVIEWS": False}, []),
        ({"INTERNAL": {"STAFF": "yes"}}, ["analytix.E207"]),
        ({"INTERNAL": {"STAFF": True}}, []),
    ],
)
def test_preview_and_staff_settings_are_checked(
    settings: Any, config: dict[str, Any], expected: list[str]
) -> None:
    assert check_ids(settings, config) == expected
