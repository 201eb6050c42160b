from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest
from django.test import RequestFactory

from analytix_frontend.server import (
    hubspot_visitor_token,
    send,
    submit_hubspot_form,
    update_hubspot_contact,
)
from tests.server import helpers
from tests.server.conftest import (
    FORM_GUID,
    TOKEN,
    failures,
    replayed_call,
    replays,
    sent,
    set_server,
)
from tests.server.fake_vendor import Answer, FakeVendor

HUTK = "0123456789abcdef0123456789abcdef"


def form_request(**extra: Any) -> Any:
    request = RequestFactory().post(
        "/demo/?ref=ad", REMOTE_ADDR="203.0.113.9", HTTP_HOST="shop.example.com", **extra
    )
    request.COOKIES["hubspotutk"] = HUTK
    return request


def test_form_submission_payload(server_settings: Any, vendor: FakeVendor) -> None:
    before = int(time.time() * 1000)
    submit_hubspot_form(
        FORM_GUID,
        {"email": "ada@example.com", "firstname": "Ada", "interests": ["a", "b"], "skip": None},
        form_request(),
        page_name="Book a demo",
    )
    [request] = sent(vendor)
    assert (request.method, request.path) == (
        "POST",
        f"/submissions/v3/integration/submit/1234567/{FORM_GUID}",
    )
    assert request.headers["content-type"] == "application/json"
    assert "authorization" not in request.headers  # the Forms API needs no token
    assert request.headers["user-agent"].startswith("analytix-frontend/")
    body = request.json()
    assert before <= int(body.pop("submittedAt")) <= int(time.time() * 1000)
    assert body == {
        "fields": [
            {"name": "email", "value": "ada@example.com"},
            {"name": "firstname", "value": "Ada"},
            {"name": "interests", "value": "a;b"},
        ],
        "context": {
            "hutk": HUTK,
            "pageUri": "http://shop.example.com/demo/?ref=ad",
            "pageName": "Book a demo",
            "ipAddress": "203.0.113.9",
        },
    }


def test_without_a_request_the_context_has_only_the_page_name(
    server_settings: Any, vendor: FakeVendor
) -> None:
    submit_hubspot_form(FORM_GUID, {"email": "ada@example.com"}, page_name="Import")
    [request] = sent(vendor)
    assert request.json()["context"] == {"pageName": "Import"}


def test_the_request_is_reduced_to_plain_json_before_it_is_queued(server_settings: Any) -> None:
    set_server(server_settings, DISPATCH="tests.server.helpers.record_dispatch")
    submit_hubspot_form(FORM_GUID, {"email": "ada@example.com", "n": 3}, form_request())
    [call] = helpers.dispatched
    assert json.loads(json.dumps(call)) == call  # nothing but JSON types: no request, no user
    assert call["json"]["context"]["hutk"] == HUTK
    assert call["json"]["fields"][1] == {"name": "n", "value": "3"}


def test_a_host_django_refuses_leaves_out_the_page_uri(
    server_settings: Any, vendor: FakeVendor
) -> None:
    server_settings.ALLOWED_HOSTS = ["shop.example.com"]
    request = form_request()
    request.META["HTTP_HOST"] = "evil.example.net"
    submit_hubspot_form(FORM_GUID, {"email": "ada@example.com"}, request)
    [received] = sent(vendor)
    assert "pageUri" not in received.json()["context"]


def client_ip_sent(vendor: FakeVendor, request: Any) -> str | None:
    submit_hubspot_form(FORM_GUID, {"email": "ada@example.com"}, request)
    ip: str | None = sent(vendor)[-1].json()["context"].get("ipAddress")
    return ip


def test_client_ip_ignores_proxy_headers_unless_one_is_trusted(
    server_settings: Any, vendor: FakeVendor
) -> None:
    request = form_request(HTTP_X_FORWARDED_FOR="198.51.100.7, 192.0.2.1")
    assert client_ip_sent(vendor, request) == "203.0.113.9"
    set_server(server_settings, CLIENT_IP_HEADER="X-Forwarded-For")
    # the last address is the one our own proxy added; earlier ones are the client's claims
    assert client_ip_sent(vendor, request) == "192.0.2.1"
    request = form_request(HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip_sent(vendor, request) is None
    assert client_ip_sent(vendor, form_request()) is None  # header configured but absent


@pytest.mark.parametrize(
    ("cookie", "expected"),
    [(HUTK, HUTK), (HUTK.upper(), HUTK.upper()), ("", None), (HUTK + "0", None), ("x" * 32, None)],
)
def test_visitor_token_is_validated(cookie: str, expected: str | None) -> None:
    request = RequestFactory().get("/")
    request.COOKIES["hubspotutk"] = cookie
    assert hubspot_visitor_token(request) == expected


def test_visitor_token_absent_or_without_a_request() -> None:
    assert hubspot_visitor_token(RequestFactory().get("/")) is None
    assert hubspot_visitor_token(None) is None


@pytest.mark.parametrize(
    ("consent", "expected"), [("", None), ("analytics", None), ("marketing", HUTK)]
)
def test_visitor_token_needs_marketing_consent_when_consent_is_required(
    settings: Any, consent: str, expected: str | None
) -> None:
    settings.ANALYTICS_CONFIG = {"CONSENT": True}
    request = RequestFactory().get("/")
    request.COOKIES.update(hubspotutk=HUTK, analytix_consent=consent)
    assert hubspot_visitor_token(request) == expected


def test_form_without_marketing_consent_is_skipped(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    server_settings.ANALYTICS_CONFIG = {**server_settings.ANALYTICS_CONFIG, "CONSENT": True}
    with caplog.at_level(logging.DEBUG, "analytix_frontend.server"):
        submit_hubspot_form(FORM_GUID, {"email": "ada@example.com"}, form_request())
    assert sent(vendor) == []
    assert "HubSpot form submission skipped: the visitor has not consented to 'marketing'." in (
        caplog.messages
    )


def test_form_opt_out_is_asked_with_the_email_field(
    server_settings: Any, vendor: FakeVendor
) -> None:
    set_server(server_settings, OPT_OUT="tests.server.helpers.opt_out_listed")
    submit_hubspot_form(FORM_GUID, {"email": "opted-out@example.com"})
    assert sent(vendor) == []


@pytest.mark.parametrize(
    ("guid", "fields"), [("../../x", {"a": 1}), (FORM_GUID, ["a"]), (None, {"a": 1})]
)
def test_bad_arguments_send_nothing_and_never_raise(
    server_settings: Any, vendor: FakeVendor, guid: Any, fields: Any
) -> None:
    submit_hubspot_form(guid, fields)
    assert sent(vendor) == []


def test_form_skipped_without_a_portal_id(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    server_settings.ANALYTICS_IDS = {"HUBSPOT_API_ID": "not-a-portal"}
    with caplog.at_level(logging.DEBUG, "analytix_frontend.server"):
        submit_hubspot_form(FORM_GUID, {"email": "ada@example.com"})
    assert sent(vendor) == []
    assert "ANALYTICS_IDS['HUBSPOT_API_ID'] is not set or not valid" in caplog.text


def test_contact_update_patches_the_existing_contact_by_email(
    server_settings: Any, vendor: FakeVendor
) -> None:
    update_hubspot_contact(
        "ada+test@example.com", {"lifecyclestage": "customer", "seats": 3, "old": None}
    )
    [request] = sent(vendor)
    assert (request.method, request.path) == (
        "PATCH",
        "/crm/v3/objects/contacts/ada%2Btest@example.com",
    )
    assert request.query == {"idProperty": "email"}
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.json() == {"properties": {"lifecyclestage": "customer", "seats": "3", "old": ""}}


def test_the_crm_api_version_is_one_setting(server_settings: Any, vendor: FakeVendor) -> None:
    set_server(server_settings, HUBSPOT_CRM_VERSION="v4")
    update_hubspot_contact("ada@example.com", {"a": "b"})
    assert sent(vendor)[0].path == "/crm/v4/objects/contacts/ada@example.com"


def test_unknown_contact_is_logged_not_created_not_retried(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    vendor.answer(Answer(404, body='{"status":"error","message":"resource not found"}'))
    with caplog.at_level(logging.INFO, "analytix_frontend.server"):
        update_hubspot_contact("nobody@example.com", {"a": "b"})
        [request] = sent(vendor)  # one PATCH: no retry, and no POST creating the contact
    assert request.method == "PATCH"
    ours = [r for r in caplog.records if r.name == "analytix_frontend.server"]
    assert [r.levelname for r in ours] == ["INFO"]
    assert "no such record (404); nothing updated or created" in caplog.text


def test_contact_update_skipped_without_an_access_token(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    server_settings.ANALYTICS_IDS = {"HUBSPOT_API_ID": "1234567"}
    with caplog.at_level(logging.DEBUG, "analytix_frontend.server"):
        update_hubspot_contact("ada@example.com", {"a": "b"})
    assert sent(vendor) == []
    assert caplog.messages == [
        "HubSpot contact update skipped: ANALYTICS_IDS['HUBSPOT_ACCESS_TOKEN'] is not set."
    ]


@pytest.mark.parametrize("email", ["", "no-at-sign", "a@b/../../x", None])
def test_contact_update_with_a_bad_email_sends_nothing(
    server_settings: Any, vendor: FakeVendor, email: Any
) -> None:
    update_hubspot_contact(email, {"a": "b"})
    assert sent(vendor) == []


def test_the_token_never_reaches_a_log_line_even_when_everything_fails(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    # The fake echoes the token back in its error, as a careless proxy might.
    vendor.answer(500, 500, Answer(500, body=f"bad token {TOKEN}"), Answer(401, body=TOKEN))
    with caplog.at_level(logging.DEBUG):  # every logger, httpx's included
        update_hubspot_contact("ada@example.com", {"a": "b"})
        assert len(sent(vendor)) == 3
        update_hubspot_contact("bob@example.com", {"a": "b"})
        assert len(sent(vendor)) == 4
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in vendor.received)
    assert caplog.records
    assert not [r for r in caplog.records if TOKEN in r.getMessage()]
    assert "[token]" in caplog.text


def test_a_final_failure_logs_a_line_that_replays_it(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    vendor.answer(503, 503, 503)
    update_hubspot_contact("ada@example.com", {"plan": "pro"})
    assert len(sent(vendor)) == 3
    [failure] = failures(caplog)
    assert failure.startswith("HubSpot contact update failed after 3 attempts: answered 503")
    assert "ada@example.com" not in failure
    [line] = replays(caplog)
    replay = replayed_call(line)
    assert TOKEN not in json.dumps(replay)
    assert send(replay) is True  # the fake answers 200 now
    fourth = vendor.received[3]
    assert (fourth.path, fourth.json()) == (
        vendor.received[0].path,
        {"properties": {"plan": "pro"}},
    )
    assert fourth.headers["authorization"] == f"Bearer {TOKEN}"


def test_the_access_token_never_reaches_a_page(settings: Any) -> None:
    from django.template import Context, Template

    settings.ANALYTICS_IDS = {**settings.ANALYTICS_IDS, "HUBSPOT_ACCESS_TOKEN": TOKEN}
    settings.ANALYTICS_CONFIG = {"LOG_LEVEL": "verbose"}
    html = Template('{% load analytix %}{% analytics_scripts "signup" %}').render(Context())
    assert "1234567" in html  # the portal id is on the page, as the tracking code needs
    assert TOKEN not in html
    assert "pat-" not in html


def test_a_gpc_visitors_form_goes_without_any_tracking_context(
    server_settings: Any, vendor: FakeVendor
) -> None:
    request = form_request(HTTP_SEC_GPC="1")
    assert hubspot_visitor_token(request) is None
    submit_hubspot_form(FORM_GUID, {"email": "ada@example.com"}, request, page_name="Book a demo")
    [sent_form] = sent(vendor)
    body = sent_form.json()
    assert body["fields"] == [{"name": "email", "value": "ada@example.com"}]
    assert body["context"] == {"pageName": "Book a demo"}  # no hutk, page URL or IP address
    assert HUTK not in sent_form.body.decode() and "203.0.113.9" not in sent_form.body.decode()


def test_gpc_without_marketing_in_its_categories_keeps_the_context(
    server_settings: Any, vendor: FakeVendor
) -> None:
    server_settings.ANALYTICS_CONFIG = {**server_settings.ANALYTICS_CONFIG, "GPC": ["analytics"]}
    submit_hubspot_form(FORM_GUID, {"email": "ada@example.com"}, form_request(HTTP_SEC_GPC="1"))
    [sent_form] = sent(vendor)
    assert sent_form.json()["context"]["hutk"] == HUTK


def test_a_gpc_visitors_contact_is_not_updated(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, "analytix_frontend.server"):
        update_hubspot_contact(
            "ada@example.com", {"plan": "pro"}, request=form_request(HTTP_SEC_GPC="1")
        )
    assert sent(vendor) == []
    assert "HubSpot contact update skipped: the visitor sent Global Privacy Control" in caplog.text
