"""The consent record endpoint (consent/views.py, consent/records.py), with Django's test
client: one record per decision, and every refusal with its status, its JSON reason and a
log line (a record is never lost silently). Never a 500."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from analytix_frontend.consent import ratelimit
from analytix_frontend.consent.models import ConsentRecord
from tests.consent.helpers import CONSENT_ID, SERVICES_TAG, sha8

pytestmark = pytest.mark.django_db

URL = "/analytix/consent/"
SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}
DECISION = {
    "id": CONSENT_ID,
    "action": "grant",
    "categories": ["marketing", "analytics"],
    "version": sha8("2026-12"),
    "services": SERVICES_TAG,
    "source": "banner",
    "page": "/signup/?email=someone@example.com#top",
}


@pytest.fixture(autouse=True)
def records_on(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "CONSENT": {"VERSION": "2026-12", "RECORDS": True},
    }
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"}
    }
    from django.core.cache import cache

    cache.clear()


def post(body: Any = DECISION, content_type: str = "application/json", **headers: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    meta = headers or SAME_ORIGIN
    return Client().post(URL, data=data, content_type=content_type, **meta)


def test_the_url_has_its_name() -> None:
    assert reverse("analytix:consent-record") == URL


def test_a_decision_is_stored_as_sent(caplog: pytest.LogCaptureFixture) -> None:
    response = post()
    assert response.status_code == 204 and response.content == b""
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    (record,) = ConsentRecord.objects.all()
    assert (record.consent_id, record.action, record.categories, record.source) == (
        CONSENT_ID,
        "grant",
        "analytics,marketing",
        "banner",
    )
    assert (record.version_tag, record.version, record.services_tag) == (
        sha8("2026-12"),
        "2026-12",
        SERVICES_TAG,
    )
    assert record.page == "/signup/"  # never the query string: it may hold personal data
    assert record.user_pk == "" and record.ip_address is None and record.tc_string == ""


def test_sendbeacon_s_text_plain_and_the_tcf_string_are_accepted() -> None:
    body = {
        **DECISION,
        "source": "tcf",
        "tcString": "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA.YAAAAAAAAAAA",
    }
    assert post(json.dumps(body), content_type="text/plain;charset=UTF-8").status_code == 204
    assert ConsentRecord.objects.get().tc_string == body["tcString"]


def test_a_decision_on_an_old_notice_keeps_its_tag_but_not_the_current_text() -> None:
    assert (
        post(
            {**DECISION, "version": sha8("2026-06"), "action": "reject", "categories": []}
        ).status_code
        == 204
    )
    record = ConsentRecord.objects.get()
    assert (record.version_tag, record.version, record.action) == (sha8("2026-06"), "", "reject")


def test_the_signed_in_user_and_with_record_ip_the_address(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "CONSENT": {"RECORDS": True, "RECORD_IP": True},
    }
    user = User.objects.create_user("someone")
    client = Client()
    client.force_login(user)
    response = client.post(
        URL,
        json.dumps(DECISION),
        content_type="application/json",
        REMOTE_ADDR="203.0.113.9",
        **SAME_ORIGIN,
    )
    assert response.status_code == 204
    record = ConsentRecord.objects.get()
    assert (record.user_pk, record.ip_address) == (str(user.pk), "203.0.113.9")


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"HTTP_SEC_FETCH_SITE": "same-origin"}, 204),
        ({"HTTP_SEC_FETCH_SITE": "same-site"}, 403),  # a sibling subdomain
        ({"HTTP_SEC_FETCH_SITE": "cross-site"}, 403),
        ({"HTTP_SEC_FETCH_SITE": "none"}, 403),  # typed into the address bar
        ({"HTTP_ORIGIN": "http://testserver"}, 204),  # an older browser: no Sec-Fetch-Site
        ({"HTTP_ORIGIN": "https://evil.example"}, 403),
        ({"HTTP_ORIGIN": "null"}, 403),
        ({"HTTP_REFERER": "http://testserver/signup/"}, 204),
        ({"HTTP_REFERER": "http://testserver.evil.example/"}, 403),
        ({"HTTP_X_NOTHING": "1"}, 403),  # no header says where it came from
    ],
)
def test_cross_site_requests_are_refused_without_a_token(
    headers: dict[str, str], status: int
) -> None:
    assert post(**headers).status_code == status
    assert ConsentRecord.objects.count() == (1 if status == 204 else 0)


def test_a_secure_request_needs_an_https_origin() -> None:
    client = Client()
    kwargs = {"content_type": "application/json", "secure": True}
    assert (
        client.post(
            URL, json.dumps(DECISION), HTTP_ORIGIN="http://testserver", **kwargs
        ).status_code
        == 403
    )
    assert (
        client.post(
            URL, json.dumps(DECISION), HTTP_ORIGIN="https://testserver", **kwargs
        ).status_code
        == 204
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ({k: v for k, v in DECISION.items() if k != "id"}, "missing: id"),
        ({**DECISION, "id": "short"}, "id is malformed"),
        ({**DECISION, "id": "<script>alert(1)</script>xxxxx"}, "id is malformed"),
        ({**DECISION, "action": "maybe"}, "action must be"),
        ({**DECISION, "categories": "analytics"}, "categories must be"),
        ({**DECISION, "categories": ["analytics", "ads"]}, "categories must be"),
        ({**DECISION, "version": "2026-12"}, "version is malformed"),
        ({**DECISION, "services": ""}, "services is malformed"),
        ({**DECISION, "source": "onetrust"}, "source must be"),
        ({**DECISION, "tcString": "CP..."}, "tcString is for source 'tcf' only"),
        ({**DECISION, "source": "tcf", "tcString": "<b>"}, "tcString is malformed"),
        ({**DECISION, "page": 7}, "page must be a path"),
    ],
)
def test_a_malformed_body_is_a_400_with_a_reason(
    body: Any, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="analytix_frontend.consent"):
        response = post(body)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert ConsentRecord.objects.count() == 0
    assert "consent record refused (400" in caplog.text


def test_another_content_type_is_refused() -> None:
    response = post(json.dumps(DECISION), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "Content-Type" in response.json()["error"]


def test_over_4_kb_is_a_413() -> None:
    body = {**DECISION, "page": "/" + "a" * 4096}
    assert post(body).status_code == 413
    just_under = {**DECISION, "page": "/" + "a" * (4096 - len(json.dumps(DECISION)) - 40)}
    assert post(just_under).status_code == 204
    assert len(ConsentRecord.objects.get().page) == 500  # kept short


def test_records_off_is_a_404(settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True}
    with caplog.at_level(logging.WARNING, logger="analytix_frontend.consent"):
        assert post().status_code == 404
    assert "CONSENT['RECORDS']" in caplog.text


def test_only_post() -> None:
    response = Client().get(URL, **SAME_ORIGIN)
    assert response.status_code == 405 and response["Allow"] == "POST"


def test_the_rate_limit_per_consent_id_and_per_address(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(ratelimit, "PER_CONSENT_ID", 3)
    monkeypatch.setattr(ratelimit, "PER_ADDRESS", 5)
    statuses = [post().status_code for _ in range(4)]
    assert statuses == [204, 204, 204, 429]
    other = {**DECISION, "id": "B" * 22}
    statuses = [post(other).status_code for _ in range(2)]
    assert statuses == [204, 429]  # the address's fifth and sixth
    assert ConsentRecord.objects.count() == 4
    with caplog.at_level(logging.WARNING, logger="analytix_frontend.consent"):
        post(other)
    assert "consent record refused (429" in caplog.text


def test_a_cache_that_fails_never_refuses_a_record(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.BrokenCache"}}
    with caplog.at_level(logging.WARNING, logger="analytix_frontend.consent"):
        assert post().status_code == 204
    assert "rate limit could not use the cache" in caplog.text


def test_a_database_failure_is_a_503_and_a_line_to_store_it_again(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseError("database is locked")

    monkeypatch.setattr(ConsentRecord.objects, "create", fail)
    with caplog.at_level(logging.ERROR, logger="analytix_frontend.consent"):
        response = post()
    assert response.status_code == 503
    (line,) = [r for r in caplog.records if "could not be stored" in r.getMessage()]
    message = line.getMessage()
    logged = json.loads(message[message.index("{") :])
    assert logged == {
        "action": "grant",
        "categories": "analytics,marketing",
        "consent_id": CONSENT_ID,
        "ip_address": None,
        "page": "/signup/",
        "services_tag": SERVICES_TAG,
        "source": "banner",
        "tc_string": "",
        "user_pk": "",
        "version": "2026-12",
        "version_tag": sha8("2026-12"),
    }


def test_any_other_failure_is_a_503_never_a_500(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from analytix_frontend.consent import views

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "read_decision", broken)
    with caplog.at_level(logging.ERROR, logger="analytix_frontend.consent"):
        assert post().status_code == 503
    assert "the consent record endpoint failed" in caplog.text


from django.core.cache.backends.base import BaseCache  # noqa: E402


class BrokenCache(BaseCache):
    def __init__(self, location: str = "", params: Any = None) -> None:
        super().__init__(params or {})

    def add(self, *args: Any, **kwargs: Any) -> bool:
        raise ConnectionError("the cache server is down")


def test_a_declared_length_over_4_kb_is_refused_before_reading() -> None:
    from django.test import RequestFactory

    from analytix_frontend.consent.views import record_consent

    request = RequestFactory().post(
        URL, "{}", content_type="application/json", CONTENT_LENGTH="100000", **SAME_ORIGIN
    )
    assert record_consent(request).status_code == 413
