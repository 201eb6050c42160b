"""Operating the records: `manage.py analytix_calls` (counts, --send, --retry-dead, --purge),
`manage.py analytix_replay FILE`, and the admin."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin import AdminSite
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from analytix_frontend.server import (
    record_kissmetrics_event,
    submit_hubspot_form,
    update_hubspot_contact,
)
from analytix_frontend.server.admin import ServerCallAdmin
from analytix_frontend.server.models import ServerCall, State
from tests.server.conftest import FORM_GUID, TOKEN, Clock, records, sent, set_server, states
from tests.server.fake_vendor import HOLD, FakeVendor


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def stored(server_settings: Any) -> Any:
    """Calls stored and handed to a dispatcher that sends nothing."""
    set_server(server_settings, DISPATCH="tests.server.helpers.record_dispatch", TIMEOUT=2.0)
    return server_settings


def test_counts_by_vendor_and_state(stored: Any, vendor: FakeVendor) -> None:
    record_kissmetrics_event("ada", "Paid")
    record_kissmetrics_event("bob", "Paid")
    submit_hubspot_form(FORM_GUID, {"email": "ada@example.com"})
    ServerCall.objects.filter(vendor="HubSpot").update(state=State.SENT, maybe_sent_twice=1)
    table = run("analytix_calls")
    assert "DISPATCH = 'tests.server.helpers.record_dispatch'" in table
    header, hubspot, kissmetrics, total = table.splitlines()[1:5]
    assert header.split() == [
        *("vendor", "pending", "sending", "sent", "failed", "dead", "maybe", "sent", "twice")
    ]
    assert hubspot.split() == ["HubSpot", "0", "0", "1", "0", "0", "1"]
    assert kissmetrics.split() == ["Kissmetrics", "2", "0", "0", "0", "0", "0"]
    assert total.split() == ["total", "2", "0", "1", "0", "0", "1"]
    assert "Oldest open call: 0 min old." in table
    as_json = json.loads(run("analytix_calls", "--json"))
    assert as_json["by_vendor"] == {"HubSpot": {"sent": 1}, "Kissmetrics": {"pending": 2}}
    assert as_json["maybe_sent_twice"] == {"HubSpot": 1, "Kissmetrics": 0}


def test_send_sends_every_pending_call_now_once(
    stored: Any, vendor: FakeVendor, clock: Clock
) -> None:
    record_kissmetrics_event("ada", "First")
    record_kissmetrics_event("ada", "Second")
    _, second = records()
    ServerCall.objects.filter(pk=second.pk).update(next_attempt_at=clock.now() + timedelta(hours=1))
    assert "Sent now: 2 sent." in run("analytix_calls", "--send")
    assert [r.query["_n"] for r in vendor.received] == ["First", "Second"]
    assert "Sent now: nothing was pending." in run("analytix_calls", "--send")
    assert len(vendor.received) == 2


def test_send_takes_over_a_call_whose_sender_stopped(
    stored: Any, vendor: FakeVendor, clock: Clock
) -> None:
    record_kissmetrics_event("ada", "Paid")
    ServerCall.objects.update(state=State.SENDING, attempts=1, owner="a-dead-process")
    assert "Sent now: nothing was pending." in run("analytix_calls", "--send")  # claim holds
    clock.advance(121)
    assert "Sent now: 1 sent." in run("analytix_calls", "--send")
    assert states() == ["sent"]


def test_send_leaves_a_transient_failure_pending_for_its_retry(
    stored: Any, vendor: FakeVendor
) -> None:
    vendor.answer(503)
    record_kissmetrics_event("ada", "Paid")
    assert "Sent now: 1 pending." in run("analytix_calls", "--send")
    assert states() == ["pending"]


def test_retry_dead_gives_dead_calls_another_round(
    server_settings: Any, vendor: FakeVendor
) -> None:
    vendor.answer(500, 500, 500)
    update_hubspot_contact("ada@example.com", {"plan": "pro"})
    sent(vendor)
    assert states() == ["dead"]
    assert "Dead calls given another round: 1." in run("analytix_calls", "--retry-dead")
    assert len(vendor.received) == 4 and states() == ["sent"]  # flushed before the command ends
    assert records()[0].attempts == 1


def test_purge_deletes_finished_calls_past_retention_only(
    stored: Any, vendor: FakeVendor, settings: Any
) -> None:
    for name in ("old sent", "old dead", "old pending", "new sent"):
        record_kissmetrics_event("ada", name)
    old_sent, old_dead, old_pending, new_sent = records()
    ServerCall.objects.filter(pk__in=[old_sent.pk, new_sent.pk]).update(state=State.SENT)
    ServerCall.objects.filter(pk=old_dead.pk).update(state=State.DEAD)
    month_ago = old_sent.created_at - timedelta(days=31)
    ServerCall.objects.exclude(pk=new_sent.pk).update(created_at=month_ago)
    assert "2 finished call(s) are older than RETENTION_DAYS (30)" in run("analytix_calls")
    assert "Purged 0 finished call(s) older than 40 days." in run(
        "analytix_calls", "--purge", "--older-than", "40"
    )
    assert "Purged 2 finished call(s) older than 30 days." in run("analytix_calls", "--purge")
    assert {r.pk for r in records()} == {old_pending.pk, new_sent.pk}
    set_server(settings, RETENTION_DAYS=1)
    assert "Purged 0" in run("analytix_calls", "--purge")  # the new one is from today
    assert "Purged 1 finished call(s) older than 0 days." in run(
        "analytix_calls", "--purge", "--older-than", "0"
    )
    assert [r.pk for r in records()] == [old_pending.pk]  # an open call is never purged


def test_counts_say_when_pending_calls_wait_past_lease_and_what_to_check(stored: Any) -> None:
    record_kissmetrics_event("ada", "Paid")
    record_kissmetrics_event("bob", "Paid")
    assert "nothing picked them up" not in run("analytix_calls")  # both just made
    long_ago = datetime(2000, 1, 1, tzinfo=timezone.utc)
    ServerCall.objects.filter(pk=records()[0].pk).update(next_attempt_at=long_ago)
    out = run("analytix_calls")
    assert "1 pending call(s) have been due for more than LEASE (120 s)" in out
    assert "DISPATCH = 'tests.server.helpers.record_dispatch' needs the dispatcher" in out
    assert "`manage.py analytix_calls --send` sends them now." in out
    assert json.loads(run("analytix_calls", "--json"))["overdue"] == 1


def test_a_bad_older_than_on_the_command_line_is_a_usage_error_not_a_traceback(
    stored: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from analytix_frontend.management.commands.analytix_calls import Command

    for bad in ("-1", "abc"):
        with pytest.raises(SystemExit) as exited:
            Command().run_from_argv(["manage.py", "analytix_calls", "--purge", "--older-than", bad])
        assert exited.value.code == 2
        assert f"whole number of days, not {bad!r}" in capsys.readouterr().err


def test_bad_options_and_a_missing_table_say_what_to_do(
    stored: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(CommandError, match="--older-than goes with --purge"):
        run("analytix_calls", "--older-than", "3")
    with pytest.raises(CommandError, match="whole number of days"):
        run("analytix_calls", "--purge", "--older-than", "-1")
    monkeypatch.setattr(ServerCall._meta, "db_table", "analytix_frontend_not_migrated")
    with pytest.raises(CommandError, match=r"run `manage\.py migrate`"):
        run("analytix_calls")


def test_replay_sends_each_logged_call_once(
    server_settings: Any, vendor: FakeVendor, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    vendor.answer(400, 400)
    record_kissmetrics_event("ada", "First")
    record_kissmetrics_event("bob", "Second")
    sent(vendor)
    log = tmp_path / "replay.log"
    lines = [r.getMessage() for r in caplog.records if r.name.endswith(".replay")]
    log.write_text("\n".join(["an unrelated line", *lines, "Replay: {not json"]) + "\n")
    out = run("analytix_replay", str(log))
    assert out == "Replayed 3 line(s): 1 not a call, 2 sent (1 other line(s) skipped).\n"
    assert sorted(r.query["_n"] for r in vendor.received[2:]) == ["First", "Second"]
    out = run("analytix_replay", str(log))  # again: nothing goes twice
    assert "2 already sent" in out
    assert len(vendor.received) == 4
    assert states() == ["sent", "sent"]
    with pytest.raises(CommandError, match="Cannot read"):
        run("analytix_replay", str(tmp_path / "missing.log"))


# The admin


def admin_view() -> ServerCallAdmin:
    return ServerCallAdmin(ServerCall, AdminSite())


def test_admin_finds_a_call_by_its_logged_id_vendor_or_state(stored: Any) -> None:
    record_kissmetrics_event("ada", "Paid")
    submit_hubspot_form(FORM_GUID, {"email": "ada@example.com"})
    event, form = records()
    request = RequestFactory().get("/")
    model_admin = admin_view()

    def search(term: str) -> list[Any]:
        found, _ = model_admin.get_search_results(request, ServerCall.objects.all(), term)
        return sorted(found.values_list("pk", flat=True))

    assert search(str(form.pk)) == [form.pk]  # as the log lines write it, dashes and all
    assert search("HubSpot") == [form.pk]
    assert search("pending") == sorted([event.pk, form.pk])


def test_admin_finds_a_persons_calls_for_an_erasure_request(stored: Any) -> None:
    submit_hubspot_form(FORM_GUID, {"email": "ada@example.com"})
    update_hubspot_contact("ada@example.com", {"plan": "pro"})
    record_kissmetrics_event("ada@example.com", "Paid")
    record_kissmetrics_event("bob@example.com", "Paid")
    ada = sorted(r.pk for r in records() if "bob" not in json.dumps(r.data))
    found, _ = admin_view().get_search_results(
        RequestFactory().get("/"), ServerCall.objects.all(), "Ada@Example.com"
    )
    assert len(ada) == 3 and sorted(found.values_list("pk", flat=True)) == ada


def test_admin_is_read_only_and_never_shows_the_token(stored: Any) -> None:
    update_hubspot_contact("ada@example.com", {"plan": "pro"})
    [record] = records()
    request = RequestFactory().get("/")
    model_admin = admin_view()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, record)
    shown = str(model_admin.what_the_vendor_receives(record))
    assert "ada@example.com" in shown  # what the vendor receives, the person included
    assert "the token in ANALYTICS_IDS[&#x27;HUBSPOT_ACCESS_TOKEN&#x27;] (not stored)" in shown
    assert TOKEN not in shown


def test_admin_never_shows_the_kissmetrics_key(stored: Any, settings: Any) -> None:
    record_kissmetrics_event("ada@example.com", "Paid", {"Plan": "pro"})
    [record] = records()
    assert record.data["params"]["_k"] == settings.ANALYTICS_IDS["KISSMETRICS_KEY"]  # to send
    shown = str(admin_view().what_the_vendor_receives(record))
    assert settings.ANALYTICS_IDS["KISSMETRICS_KEY"] not in shown
    assert "the key in ANALYTICS_IDS[&#x27;KISSMETRICS_KEY&#x27;]" in shown
    assert "ada@example.com" in shown and "pro" in shown  # the rest as the vendor gets it


def test_admin_action_sends_again(server_settings: Any, vendor: FakeVendor) -> None:
    vendor.answer(400)
    record_kissmetrics_event("ada", "Paid")
    sent(vendor)
    assert states() == ["failed"]
    request = RequestFactory().post("/")
    messages: list[str] = []
    model_admin = admin_view()
    model_admin.message_user = lambda request, message, *a, **k: messages.append(message)  # type: ignore[method-assign]
    model_admin.send_again(request, ServerCall.objects.all())
    sent(vendor)
    assert states() == ["sent"] and len(vendor.received) == 2
    assert messages == ["1 call(s) handed over to be sent; 0 already sent or being sent."]


def test_a_call_on_hold_is_not_sent_twice_by_send(stored: Any, vendor: FakeVendor) -> None:
    vendor.answer(HOLD)
    record_kissmetrics_event("ada", "Paid")
    ServerCall.objects.update(state=State.SENDING, attempts=1, owner="a-live-process")
    assert "nothing was pending" in run("analytix_calls", "--send")
    assert vendor.received == []
