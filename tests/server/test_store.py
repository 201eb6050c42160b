"""A call's record is written with the caller's transaction: it exists exactly when the
caller's own writes commit. Without the table (no `migrate` yet) a call is logged for
replay and the caller's request and transaction carry on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from analytix_frontend.server import record_kissmetrics_event, send, submit_hubspot_form
from analytix_frontend.server.models import ServerCall
from tests.server.conftest import FORM_GUID, failures, records, replayed_call, replays, sent
from tests.server.fake_vendor import FakeVendor


def signup(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        User.objects.create(username="ada")
        record_kissmetrics_event("ada", "Signed up", request=request)
        User.objects.create(username="ada-2")  # the transaction goes on after the call
    return HttpResponse("ok")


urlpatterns = [path("signup/", signup)]


def test_a_committed_call_has_its_record_and_is_sent(
    server_settings: Any, vendor: FakeVendor
) -> None:
    with transaction.atomic():
        User.objects.create(username="ada")
        record_kissmetrics_event("ada", "Signed up")
        assert len(records()) == 1  # written with the transaction, before it commits
        assert sent(vendor) == []  # and not handed over before
    assert len(sent(vendor)) == 1
    assert ServerCall.objects.get().state == "sent"


def test_a_rolled_back_transaction_leaves_no_record_and_sends_nothing(
    server_settings: Any, vendor: FakeVendor
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        User.objects.create(username="ada")
        record_kissmetrics_event("ada", "Signed up")
        raise RuntimeError("the signup failed")
    assert sent(vendor) == []
    assert records() == [] and not User.objects.exists()


def test_a_rolled_back_savepoint_drops_only_its_own_calls(
    server_settings: Any, vendor: FakeVendor
) -> None:
    with transaction.atomic():
        record_kissmetrics_event("ada", "Kept")
        try:
            with transaction.atomic():
                record_kissmetrics_event("ada", "Dropped")
                raise RuntimeError
        except RuntimeError:
            pass
    assert [r.query["_n"] for r in sent(vendor)] == ["Kept"]
    assert len(records()) == 1


def test_the_record_holds_what_the_vendor_gets_and_never_the_token(
    server_settings: Any, vendor: FakeVendor
) -> None:
    from tests.server.conftest import TOKEN

    submit_hubspot_form(FORM_GUID, {"email": "ada@example.com"})
    from analytix_frontend.server import update_hubspot_contact

    update_hubspot_contact("ada@example.com", {"plan": "pro"})
    sent(vendor)
    form, contact = records()
    assert (form.vendor, form.kind, form.repeat_safe) == ("HubSpot", "form submission", False)
    assert (contact.kind, contact.repeat_safe) == ("contact update", True)
    assert form.data["json"]["fields"] == [{"name": "email", "value": "ada@example.com"}]
    assert contact.data["bearer"] == "HUBSPOT_ACCESS_TOKEN"  # the setting's name
    assert TOKEN not in str(form.data) + str(contact.data)
    assert form.created_at <= form.sent_at  # type: ignore[operator]


@pytest.fixture
def no_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A project that has not run `migrate`: the records' table is not there."""
    monkeypatch.setattr(ServerCall._meta, "db_table", "analytix_frontend_not_migrated")
    yield


def test_without_the_table_a_call_is_logged_for_replay_and_never_raises(
    server_settings: Any, vendor: FakeVendor, no_table: None, caplog: pytest.LogCaptureFixture
) -> None:
    record_kissmetrics_event("ada", "Signed up")
    assert sent(vendor) == []
    [error] = failures(caplog)
    assert error.startswith("Kissmetrics event not sent: the table analytix_frontend_not_migrated")
    assert "run `manage.py migrate`, then `manage.py analytix_replay` on these lines" in error
    [replay] = replays(caplog)
    assert replayed_call(replay)["params"]["_n"] == "Signed up"


@pytest.mark.urls(__name__)
def test_without_the_table_a_view_still_answers_and_commits_its_own_writes(
    server_settings: Any, vendor: FakeVendor, no_table: None, caplog: pytest.LogCaptureFixture
) -> None:
    response = Client(raise_request_exception=False).get("/signup/")
    assert response.status_code == 200
    assert sorted(User.objects.values_list("username", flat=True)) == ["ada", "ada-2"]
    assert len(replays(caplog)) == 1


def test_a_replay_line_sent_once_the_table_exists_goes_out_once(
    server_settings: Any, vendor: FakeVendor, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ServerCall._meta, "db_table", "analytix_frontend_not_migrated")
        record_kissmetrics_event("ada", "Signed up")
    [replay] = replays(caplog)
    assert send(replayed_call(replay)) is True
    assert send(replayed_call(replay)) is True  # already sent: not sent again
    assert len(vendor.received) == 1


@pytest.mark.in_test_transaction
def test_in_a_test_transaction_captured_commit_hooks_send_the_call(
    server_settings: Any, vendor: FakeVendor, django_capture_on_commit_callbacks: Any
) -> None:
    """Django's TestCase and pytest-django's `django_db` never commit: the pool's threads
    could not see the record, so the captured commit hook sends it in the test's thread."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record_kissmetrics_event("ada", "Paid")
        assert vendor.received == []
    assert len(callbacks) == 1
    assert len(vendor.received) == 1
    assert ServerCall.objects.get().state == "sent"
