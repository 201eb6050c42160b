"""The admin's view of consent records: searchable by consent id or user, read-only (proof is
never edited). Deleting stays possible, with Django's delete permission, for erasure."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpRequest


class ConsentRecordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "created",
        "consent_id",
        "action",
        "categories",
        "version_tag",
        "source",
        "user",
    )
    list_filter = ("action", "source", "version_tag")
    date_hierarchy = "created"
    list_select_related = ("user",)
    show_full_result_count = False  # counting a big table on every page is slow

    def get_search_fields(self, request: HttpRequest) -> tuple[str, ...]:
        # "=": the whole consent id (an index lookup); the user by their username field
        return ("=consent_id", f"user__{get_user_model().USERNAME_FIELD}")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
