"""The page names the record endpoint only when RECORDS is on and the URLs are included, and
`manage.py check` says when they are not (analytix.W204)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks
from django.urls import path

from tests.consent.helpers import consent_part, make_request

urlpatterns = [path("page/", lambda request: None)]  # a site that forgot the include


def w204(settings: Any) -> bool:
    return any(m.id == "analytix.W204" for m in run_checks())


def test_records_on_the_page_names_the_endpoint(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": {"RECORDS": True}}
    part = consent_part(make_request())
    assert part is not None and part["record"] == "/analytix/consent/"
    assert not w204(settings)


def test_records_off_no_endpoint(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": {"RECORDS": False}}
    part = consent_part(make_request())
    assert part is not None and "record" not in part
    assert not w204(settings)


@pytest.mark.urls(__name__)
def test_without_the_urls_the_page_sends_nothing_and_the_check_says_so(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": {"RECORDS": True}}
    part = consent_part(make_request())
    assert part is not None and "record" not in part
    assert w204(settings)
