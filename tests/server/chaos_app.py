"""The chaos test's web app: each request makes one server call inside a transaction that
also writes a business row (a user named after the call's marker), then commits or rolls
back; `/state` tells the test what the database holds."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from analytix_frontend.server import (
    record_kissmetrics_event,
    set_kissmetrics_properties,
    submit_hubspot_form,
    update_hubspot_contact,
)
from analytix_frontend.server.models import ServerCall
from tests.server.chaos_vendor import marker_and_kind

FORM_GUID = "0f6e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
CALLS = {
    "form": lambda n: submit_hubspot_form(FORM_GUID, {"email": f"c{n}@example.com", "n": n}),
    "contact": lambda n: update_hubspot_contact(f"c{n}@example.com", {"n": n, "plan": "pro"}),
    "event": lambda n: record_kissmetrics_event(f"c{n}", f"Chaos {n}", {"n": n}),
    "properties": lambda n: set_kissmetrics_properties(f"c{n}", {"n": n, "Plan": "pro"}),
}


class RolledBack(Exception):
    pass


@csrf_exempt
def make_call(request: HttpRequest) -> JsonResponse:
    n, kind = request.POST["n"], request.POST["kind"]
    try:
        with transaction.atomic():
            User.objects.create(username=f"c{n}")
            CALLS[kind](n)
            if request.POST.get("rollback") == "1":
                raise RolledBack
    except RolledBack:
        return JsonResponse({"result": "rolled back"})
    except IntegrityError:  # made by an earlier try whose answer the test did not get
        return JsonResponse({"result": "exists"})
    return JsonResponse({"result": "committed"})


def _marker(record: ServerCall) -> str:
    data: dict[str, Any] = record.data
    url = data["url"].split("//", 1)[1]
    body = json.dumps(data.get("json")).encode() if data.get("json") else b""
    return marker_and_kind(data["method"], url[url.index("/") :], data["params"], body)[0]


def state(request: HttpRequest) -> JsonResponse:
    users = [name[1:] for name in User.objects.values_list("username", flat=True)]
    calls = [
        {
            "id": str(record.pk),
            "marker": _marker(record),
            "state": record.state,
            "attempts": record.attempts,
            "maybe_sent_twice": record.maybe_sent_twice,
        }
        for record in ServerCall.objects.all()
    ]
    return JsonResponse({"users": users, "calls": calls})


def without_the_table(request: HttpRequest) -> JsonResponse:
    """A project that has not run migrate, on this database: the call fails to store, and
    the caller's transaction still commits its own rows (the store's savepoint)."""
    table = ServerCall._meta.db_table
    ServerCall._meta.db_table = "analytix_frontend_not_migrated"
    try:
        with transaction.atomic():
            User.objects.create(username="before-the-call")
            record_kissmetrics_event("nobody", "No table")
            User.objects.create(username="after-the-call")
    finally:
        ServerCall._meta.db_table = table
    names = ["before-the-call", "after-the-call"]
    return JsonResponse({"committed": User.objects.filter(username__in=names).count()})


urlpatterns = [
    path("call", make_call),
    path("state", state),
    path("without-the-table", without_the_table),
]
