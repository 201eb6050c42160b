"""One subject's consent history (export, delete) and the retention purge: the plain functions
behind `manage.py analytix_consent`.

A subject is a consent id (the random id in the visitor's cookie), or a user: the records
made while signed in as them, and every record of the consent ids those records carry (the
same browser before it signed in).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.utils import timezone

from analytix_frontend.consent.models import ConsentRecord

EXPORT_FIELDS = (
    "created",
    "consent_id",
    "action",
    "categories",
    "version_tag",
    "version",
    "services_tag",
    "source",
    "tc_string",
    "page",
    "user_pk",
    "ip_address",
)


class NoSuchUser(LookupError):
    pass


def subject_user_pk(value: str) -> str:
    """The `user_pk` a user's records carry, for a user named by username or pk. A value the
    records hold as a `user_pk` is taken as it is when no user has it: the account may have
    been deleted since (its records must still be exported or erased), or the project has no
    `django.contrib.auth`."""
    try:
        model = get_user_model()
    except (ImproperlyConfigured, LookupError):  # no contrib.auth: pks are all there is
        model = None
    if model is not None:
        found = model._default_manager.filter(**{str(model.USERNAME_FIELD): value}).first()
        if found is None and value.isdigit():
            found = model._default_manager.filter(pk=int(value)).first()
        if found is not None:
            return str(found.pk)
    if ConsentRecord.objects.filter(user_pk=value).exists():
        return value
    by = f"by {model.USERNAME_FIELD} or pk" if model is not None else "by pk"
    raise NoSuchUser(f"no user {value!r} ({by}), and no consent record names that user")


def subject_records(
    consent_id: str | None = None, user_pk: str | None = None
) -> QuerySet[ConsentRecord]:
    """Every record of one subject, oldest first."""
    condition = Q(pk__in=[])
    if consent_id:
        condition |= Q(consent_id=consent_id)
    if user_pk is not None:
        by_user = ConsentRecord.objects.filter(user_pk=user_pk)
        ids = by_user.values_list("consent_id", flat=True)
        condition |= Q(user_pk=user_pk) | Q(consent_id__in=list(ids))
    return ConsentRecord.objects.filter(condition).order_by("created", "pk")


def export_rows(records: Iterable[ConsentRecord]) -> list[dict[str, Any]]:
    rows = []
    for record in records:
        row: dict[str, Any] = {name: getattr(record, name) for name in EXPORT_FIELDS}
        row["created"] = record.created.isoformat()
        row["categories"] = record.categories.split(",") if record.categories else []
        rows.append(row)
    return rows


def write_json(rows: list[dict[str, Any]], stream: IO[str]) -> None:
    json.dump(rows, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def write_csv(rows: list[dict[str, Any]], stream: IO[str]) -> None:
    writer = csv.DictWriter(stream, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {k: "" if v is None else v for k, v in row.items()}
        cells["categories"] = ",".join(row["categories"])
        writer.writerow(cells)


def purge_before(
    days: int, now: datetime | None = None
) -> tuple[datetime, QuerySet[ConsentRecord]]:
    """The records older than `days` (and the cut-off), for `purge` to count or delete."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return cutoff, ConsentRecord.objects.filter(created__lt=cutoff)
