"""`manage.py analytix_consent`: export one subject's history (JSON, CSV; by consent id or by
user), delete it, and purge what is older than RETENTION_DAYS; and the admin's view."""

from __future__ import annotations

import csv
import importlib
import io
import json
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin import AdminSite
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from analytix_frontend.consent.admin import ConsentRecordAdmin
from analytix_frontend.consent.models import ConsentRecord
from tests.consent.helpers import CONSENT_ID, SERVICES_TAG

pytestmark = pytest.mark.django_db

OTHER_ID = "B" * 22
LATER_ID = "C" * 22


def record(consent_id: str = CONSENT_ID, days_ago: int = 0, **fields: Any) -> ConsentRecord:
    values = {
        "action": "grant",
        "categories": "analytics",
        "services_tag": SERVICES_TAG,
        "source": "banner",
        "page": "/",
        "created": timezone.now() - timedelta(days=days_ago),
        **fields,
    }
    return ConsentRecord.objects.create(consent_id=consent_id, **values)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("analytix_consent", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def history() -> User:
    """Someone who granted analytics before signing in, then rejected while signed in, and
    later signed in from another browser; and a stranger."""
    user = User.objects.create_user("someone")
    record(days_ago=3)
    record(days_ago=2, action="reject", categories="", user_pk=str(user.pk))
    record(LATER_ID, days_ago=1, categories="analytics,marketing", user_pk=str(user.pk))
    record(OTHER_ID, days_ago=1)
    return user


def test_export_one_consent_id_as_json(history: User) -> None:
    rows = json.loads(run("export", CONSENT_ID))
    assert [(r["consent_id"], r["action"], r["categories"]) for r in rows] == [
        (CONSENT_ID, "grant", ["analytics"]),
        (CONSENT_ID, "reject", []),
    ]
    assert set(rows[0]) == {
        "created", "consent_id", "action", "categories", "version_tag", "version",
        "services_tag", "source", "tc_string", "page", "user_pk", "ip_address",
    }  # fmt: skip
    assert rows[1]["user_pk"] == str(history.pk) and rows[0]["user_pk"] == ""


def test_export_by_user_includes_their_browsers_history_before_sign_in(history: User) -> None:
    rows = json.loads(run("export", "--user", "someone"))
    assert [r["consent_id"] for r in rows] == [CONSENT_ID, CONSENT_ID, LATER_ID]
    assert json.loads(run("export", "--user", str(history.pk))) == rows


def test_export_as_csv_reads_back(history: User) -> None:
    rows = list(csv.DictReader(io.StringIO(run("export", CONSENT_ID, "--format", "csv"))))
    assert [(r["action"], r["categories"], r["ip_address"]) for r in rows] == [
        ("grant", "analytics", ""),
        ("reject", "", ""),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export",), "Name the subject"),
        (("export", "nope"), "is not a consent id"),
        (("export", "--user", "nobody"), "no user 'nobody'"),
    ],
)
def test_a_bad_subject_is_a_clear_error(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_delete_one_subject(history: User) -> None:
    assert run("delete", "--user", "someone", "--no-input") == "Deleted 3 consent records.\n"
    assert list(ConsentRecord.objects.values_list("consent_id", flat=True)) == [OTHER_ID]


def test_a_deleted_account_s_records_can_still_be_exported_and_erased(history: User) -> None:
    """Erasure often comes after the account is gone: its pk is still on the records."""
    pk = str(history.pk)
    history.delete()
    assert len(json.loads(run("export", "--user", pk))) == 3
    assert run("delete", "--user", pk, "--no-input") == "Deleted 3 consent records.\n"
    assert list(ConsentRecord.objects.values_list("consent_id", flat=True)) == [OTHER_ID]


def test_delete_asks_first(history: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(CommandError, match="Nothing deleted"):
        run("delete", CONSENT_ID)
    assert ConsentRecord.objects.count() == 4


def test_purge_deletes_what_is_older_than_retention_days(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {**settings.ANALYTICS_CONFIG, "CONSENT": {"RETENTION_DAYS": 30}}
    record(days_ago=31)
    kept = record(OTHER_ID, days_ago=29)
    assert run("purge", "--dry-run").startswith("Would delete 1 consent records older than 30 days")
    assert ConsentRecord.objects.count() == 2
    assert run("purge").startswith("Deleted 1 consent records older than 30 days")
    assert list(ConsentRecord.objects.all()) == [kept]


def test_purge_uses_three_years_by_default() -> None:
    record(days_ago=1096)
    kept = record(days_ago=1094)
    run("purge")
    assert list(ConsentRecord.objects.all()) == [kept]


# --- the admin -------------------------------------------------------------------------------


def admin_request() -> Any:
    request = RequestFactory().get("/admin/")
    request.user = User.objects.create_superuser("admin")
    return request


def test_the_admin_registers_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    # (admin.site needs django.contrib.admin installed; the tests' settings do without it)
    from django.contrib import admin

    site = AdminSite()
    monkeypatch.setattr(admin, "site", site)
    monkeypatch.delitem(sys.modules, "analytix_frontend.admin", raising=False)
    importlib.import_module("analytix_frontend.admin")
    assert isinstance(site._registry[ConsentRecord], ConsentRecordAdmin)


def test_the_admin_is_read_only_but_can_erase(history: User) -> None:
    model_admin = ConsentRecordAdmin(ConsentRecord, AdminSite())
    request = admin_request()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, ConsentRecord.objects.first())
    assert model_admin.has_view_permission(request) and model_admin.has_delete_permission(request)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        (CONSENT_ID, [CONSENT_ID, CONSENT_ID]),
        ("someone", sorted([CONSENT_ID, LATER_ID])),
        ("C" * 21, []),
    ],
)
def test_the_admin_searches_by_consent_id_or_user(
    history: User, term: str, expected: list[str]
) -> None:
    model_admin = ConsentRecordAdmin(ConsentRecord, AdminSite())
    found, _ = model_admin.get_search_results(admin_request(), ConsentRecord.objects.all(), term)
    assert sorted(found.values_list("consent_id", flat=True)) == expected


def test_the_admin_finds_a_users_records_by_their_primary_key_too(history: User) -> None:
    model_admin = ConsentRecordAdmin(ConsentRecord, AdminSite())
    request = admin_request()
    found, _ = model_admin.get_search_results(request, ConsentRecord.objects.all(), str(history.pk))
    assert sorted(found.values_list("consent_id", flat=True)) == sorted([CONSENT_ID, LATER_ID])


@pytest.mark.parametrize(
    "args",
    [
        ("export", CONSENT_ID),
        ("delete", CONSENT_ID, "--no-input"),
        ("purge",),
        ("purge", "--dry-run"),
    ],
)
def test_without_migrate_each_command_says_to_migrate(
    args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No traceback (OperationalError: no such table) for a project that has not migrated."""
    monkeypatch.setattr(ConsentRecord._meta, "db_table", "analytix_frontend_not_migrated")
    with pytest.raises(CommandError, match=r"does not exist: run `manage\.py migrate`"):
        call_command("analytix_consent", *args)
