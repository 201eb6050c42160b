"""The server-call records in the Django admin (registered by analytix_frontend/admin.py):
read-only (the state machine owns them), searchable by id, vendor, kind and state, and by
what the vendor receives (a person's email, to find their calls for an erasure request),
with one action to send calls again.

What a record shows is what its vendor receives (the person, the form's fields) and never a
key: not the access token, which no record holds, nor the Kissmetrics key (`_k`), which is
shown by its setting's name (it is public, on the pages, but a screen shared from the admin
need not carry it). Deleting a record (a
person's erasure request) is allowed.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from analytix_frontend.server.models import ServerCall


# Not ModelAdmin[ServerCall]: Django's classes take no type arguments at run time.
class ServerCallAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "id",
        "vendor",
        "kind",
        "state",
        "attempts",
        "maybe_sent_twice",
        "created_at",
        "sent_at",
        "problem",
    )
    list_filter = ("state", "vendor", "kind")
    search_fields = ("vendor", "kind", "state")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = ("send_again",)
    fields = (
        *("id", "vendor", "kind", "state", "attempts", "next_attempt_at", "lease_until"),
        *("owner", "problem", "repeat_safe", "lost_answers", "maybe_sent_twice"),
        *("created_at", "sent_at", "what_the_vendor_receives"),
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[ServerCall], search_term: str
    ) -> tuple[QuerySet[ServerCall], bool]:
        """A call's id as logged (with dashes) finds it; other words search the fields, and
        what the vendor receives (a person's email or Kissmetrics id: an erasure request)."""
        term = search_term.strip()
        try:
            key = uuid.UUID(term)
        except ValueError:
            found, duplicates = super().get_search_results(request, queryset, search_term)
            if term:
                found = found | queryset.filter(data__icontains=term)
            return found, duplicates
        return queryset.filter(pk=key), False

    @admin.display(description="what the vendor receives")
    def what_the_vendor_receives(self, record: ServerCall) -> SafeString:
        shown = {key: record.data.get(key) for key in ("method", "url", "params", "json", "bearer")}
        if shown.get("bearer"):
            shown["bearer"] = f"the token in ANALYTICS_IDS[{shown['bearer']!r}] (not stored)"
        params = shown.get("params")
        if isinstance(params, dict) and "_k" in params:
            shown["params"] = {**params, "_k": "the key in ANALYTICS_IDS['KISSMETRICS_KEY']"}
        return format_html("<pre>{}</pre>", json.dumps(shown, indent=2, sort_keys=True))

    @admin.action(description="Send again (dead and failed calls get a fresh round)")
    def send_again(self, request: HttpRequest, queryset: QuerySet[ServerCall]) -> None:
        from analytix_frontend.server.config import read_server_settings
        from analytix_frontend.server.operations import send_again

        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        handed = send_again(ids, read_server_settings())
        self.message_user(
            request,
            f"{len(handed)} call(s) handed over to be sent; "
            f"{len(ids) - len(handed)} already sent or being sent.",
        )
