"""The consent cookie's format (decide/consent.py): the consent id, the version and services
tags, and what makes a visitor undecided again."""

from __future__ import annotations

from typing import Any

import pytest

from analytix_frontend.decide.consent import parse_cookie
from analytix_frontend.decide.request import decide_request
from analytix_frontend.decide.settings import get_settings
from tests.consent.helpers import (
    CONSENT_ID,
    SERVICES_TAG,
    consent_part,
    cookie,
    make_request,
    sha8,
)


def answer(value: str) -> Any:
    found = decide_request(make_request(cookies={"analytix_consent": value})).consent
    assert found is not None
    return found


@pytest.fixture
def version(settings: Any) -> str:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": {"VERSION": "2026-12"}}
    return "2026-12"


def test_the_tags_are_the_contract_s(version: str) -> None:
    consent = get_settings().privacy.consent
    assert consent.version_tag == sha8("2026-12")
    assert consent.services_tag == SERVICES_TAG


def test_the_services_tag_follows_the_services_with_a_valid_id(settings: Any) -> None:
    settings.ANALYTICS_IDS = {**settings.ANALYTICS_IDS, "DRIFT_ID": "Not Valid"}
    five = (
        "facebook_pixel:marketing,fullstory:analytics,google:analytics,"
        "hubspot:marketing,kissmetrics:analytics"
    )
    assert get_settings().privacy.consent.services_tag == sha8(five) != SERVICES_TAG


def test_a_current_cookie_grants_its_categories_and_names_its_id(version: str) -> None:
    found = answer(cookie("analytics,marketing", version))
    assert found.granted == {"analytics", "marketing"}
    assert found.decided and found.consent_id == CONSENT_ID and found.outdated is None


def test_none_is_a_decision(version: str) -> None:
    found = answer(cookie("none", version))
    assert found.granted == frozenset() and found.decided


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (cookie("analytics", "2026-06"), "version"),  # the visitor answered another VERSION
        (cookie("analytics", ""), "version"),  # answered before there was a VERSION
        (cookie("analytics", "2026-12", services=sha8("google:analytics")), "services"),
        ("analytics", "version"),  # the old format, once a VERSION is set
        ("analytics:short:", "malformed"),
        (f"analytics:{CONSENT_ID}:{sha8('2026-12')}:NOTHEX00", "malformed"),
    ],
)
def test_an_outdated_or_malformed_cookie_is_undecided(version: str, value: str, why: str) -> None:
    found = answer(value)
    assert (found.granted, found.decided, found.outdated) == (frozenset(), False, why)
    # ... so every service waits for consent again
    services = decide_request(make_request(cookies={"analytix_consent": value})).services("signup")
    assert not any(d.enabled for d in services) and all(d.waiting for d in services)


def test_an_outdated_cookie_keeps_its_consent_id(version: str) -> None:
    assert answer(cookie("analytics", "2026-06")).consent_id == CONSENT_ID


def test_without_a_version_the_old_format_counts_as_before(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True}
    found = answer("analytics,bogus")
    assert (found.granted, found.decided, found.consent_id) == ({"analytics"}, True, None)
    # a new-format cookie without a VERSION has an empty version tag
    assert answer(cookie("marketing")).granted == {"marketing"}


def test_a_bad_consent_id_is_not_kept_but_the_answer_counts(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": True}
    value = f'analytics:x"<y::{SERVICES_TAG}'
    found = answer(value)
    assert found.consent_id is None and found.granted == {"analytics"}
    part = consent_part(make_request(cookies={"analytix_consent": value}))
    assert part is not None and "id" not in part


@pytest.mark.parametrize(
    "raw",
    ["", ":::", "a:b:c:d:e", "analytics:" + "A" * 22 + "::" + "0" * 9, "\ud800:x:y:z"],
)
def test_hostile_cookies_never_raise(raw: str) -> None:
    value = parse_cookie(raw)
    assert value is None or value.categories <= {"analytics", "marketing", "functional"}


def test_the_page_carries_the_tags_and_the_id(version: str) -> None:
    part = consent_part(make_request(cookies={"analytix_consent": cookie("analytics", version)}))
    assert part is not None
    assert (part["version"], part["services"], part["id"], part["source"]) == (
        sha8(version),
        SERVICES_TAG,
        CONSENT_ID,
        "analytix",
    )
    assert part["granted"] == ["analytics"] and part["decided"] is True
    assert "record" not in part and "tcf" not in part  # RECORDS off; SOURCE not "tcf"


def test_an_outdated_visitor_s_page_is_undecided_and_keeps_the_id(version: str) -> None:
    part = consent_part(make_request(cookies={"analytix_consent": cookie("analytics", "old")}))
    assert part is not None
    assert (part["granted"], part["decided"], part["id"]) == ([], False, CONSENT_ID)
