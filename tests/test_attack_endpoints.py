"""Forged posts to the site's two endpoints (the consent record, consent/views.py, and the
plan report, plan/reports.py): bodies built to break the reader, a spoofed forwarding
header, and one client's many IPv6 addresses. Each is a 400 or a 429 with one log line,
never a traceback in the log (docs/privacy.md "What the endpoint accepts and refuses",
docs/plan.md "The page's report")."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from analytix_frontend.consent import ratelimit
from analytix_frontend.consent.models import ConsentRecord
from analytix_frontend.plan import reports
from tests.consent.helpers import CONSENT_ID, SERVICES_TAG
from tests.plan.project import PLAN

pytestmark = pytest.mark.django_db

CONSENT = "/analytix/consent/"
PLAN_REPORT = "/analytix/plan/report/"
SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}
DECISION = {
    "id": CONSENT_ID,
    "action": "grant",
    "categories": ["analytics"],
    "version": "",
    "services": SERVICES_TAG,
    "source": "banner",
}
REPORT = {
    "area": "signup",
    "path": "/signup/",
    "violations": [{"event": "Signed Up", "problems": ["unplanned"], "blocked": False}],
}


@pytest.fixture(autouse=True)
def endpoints_on(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = tmp_path / "analytics_plan.yaml"
    plan.write_text(PLAN)
    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "CONSENT": {"RECORDS": True},
        "PLAN": plan,
    }
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ae"}
    }
    from django.core.cache import cache

    cache.clear()
    # each test's reports are logged as new, and none is left for the process's exit
    monkeypatch.setattr(reports.repeats, "reported", reports.repeats.Repeats())


def post(url: str, body: Any, **meta: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return Client().post(url, data=data, content_type="text/plain", **{**SAME_ORIGIN, **meta})


# Under 4 KB, nested deeper than Python's recursion limit: json.loads raises RecursionError,
# which is no ValueError.
NESTED = "[" * 4000


@pytest.mark.parametrize("url", [CONSENT, PLAN_REPORT])
def test_a_body_nested_too_deep_is_a_400_not_a_traceback(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="analytix_frontend"):
        response = post(url, NESTED)
    assert response.status_code == 400, response.content
    assert [r for r in caplog.records if r.exc_info] == []
    ours = [r for r in caplog.records if r.name.startswith("analytix_frontend")]
    assert [r.levelno for r in ours] == [logging.WARNING]


@pytest.mark.parametrize("url", [CONSENT, PLAN_REPORT])
def test_a_spoofed_forwarding_header_is_not_an_address_of_its_own(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No IP_HEADER configured: X-Forwarded-For is whatever the client sent."""
    monkeypatch.setattr(ratelimit, "PER_ADDRESS", 3)
    monkeypatch.setattr(reports, "PER_ADDRESS", 3)
    body = DECISION if url == CONSENT else REPORT
    statuses = [
        post(
            url,
            {**body, "id": f"{CONSENT_ID[:-2]}{i:02d}"} if url == CONSENT else body,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        ).status_code
        for i in range(5)
    ]
    assert statuses == [204, 204, 204, 429, 429]


@pytest.mark.parametrize("url", [CONSENT, PLAN_REPORT])
def test_one_client_s_ipv6_addresses_share_one_count(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client gets a whole /64 (SLAAC, privacy addresses): each of its 2**64 addresses must
    not be a fresh count, or the limit caps nothing."""
    monkeypatch.setattr(ratelimit, "PER_ADDRESS", 3)
    monkeypatch.setattr(reports, "PER_ADDRESS", 3)
    statuses = []
    for i in range(5):
        body = {**DECISION, "id": f"{CONSENT_ID[:-2]}{i:02d}"} if url == CONSENT else REPORT
        statuses.append(post(url, body, REMOTE_ADDR=f"2001:db8:1:2::{i + 1:x}").status_code)
    assert statuses == [204, 204, 204, 429, 429]
    # Another /64 is another client; an IPv4 address counts alone.
    body = {**DECISION, "id": f"{CONSENT_ID[:-2]}zz"} if url == CONSENT else REPORT
    assert post(url, body, REMOTE_ADDR="2001:db8:1:3::1").status_code == 204
    assert post(url, body, REMOTE_ADDR="192.0.2.1").status_code == 204
    if url == CONSENT:
        assert ConsentRecord.objects.count() == 5


@pytest.mark.parametrize("url", [CONSENT, PLAN_REPORT])
def test_requests_without_a_readable_address_share_one_count_and_it_is_said(
    url: str, settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """INTERNAL's IP_HEADER with fewer entries than PROXY_COUNT: no client address. Such posts
    must not go unlimited; they share one count (UNKNOWN_FACTOR times an address's), and the
    site is told once how to fix its settings."""
    settings.ANALYTICS_CONFIG = {
        **settings.ANALYTICS_CONFIG,
        "INTERNAL": {"IP_HEADER": "X-Forwarded-For", "PROXY_COUNT": 2},
    }
    monkeypatch.setattr(ratelimit, "PER_ADDRESS", 1)
    monkeypatch.setattr(reports, "PER_ADDRESS", 1)
    monkeypatch.setattr(ratelimit, "UNKNOWN_FACTOR", 2)
    monkeypatch.setattr(ratelimit, "_unknown_said", False)
    statuses = []
    with caplog.at_level(logging.WARNING, logger="analytix_frontend"):
        for i in range(4):  # each from "another" client, as a forger would claim
            body = {**DECISION, "id": f"{CONSENT_ID[:-2]}{i:02d}"} if url == CONSENT else REPORT
            statuses.append(post(url, body, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code)
    assert statuses == [204, 204, 429, 429]
    said = [r.getMessage() for r in caplog.records if "no client address" in r.getMessage()]
    assert len(said) == 1 and "PROXY_COUNT" in said[0]
