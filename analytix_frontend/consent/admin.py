"""The admin's view of consent records: searchable by consent id or user (their username or
primary key), read-only (proof is never edited). Deleting stays possible, with Django's delete
permission, for erasure."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest


class ConsentRecordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "created",
        "consent_id",
        "action",
        "categories",
        "version_tag",
        "source",
        "user_pk",
    )
    list_filter = ("action", "source", "version_tag")
    date_hierarchy = "created"
    show_full_result_count = False  # counting a big table on every page is slow
    # "=": whole values (index lookups): a consent id, or a user's primary key
    search_fields = ("=consent_id", "=user_pk")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        """Also finds the records of the user whose username is the search term."""
        results, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            model = get_user_model()
            by_name = {str(model.USERNAME_FIELD): term}
            pks = model._default_manager.filter(**by_name).values_list("pk", flat=True)
            results |= queryset.filter(user_pk__in=[str(pk) for pk in pks])
        return results, duplicates

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
