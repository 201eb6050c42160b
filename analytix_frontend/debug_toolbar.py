"""A django-debug-toolbar panel: what `{% analytics_scripts %}` decided and wrote for this
request, and the server-side calls queued while it ran (`pip install
"analytix-frontend[debug-toolbar]"`, then add "analytix_frontend.debug_toolbar.AnalytixPanel"
to DEBUG_TOOLBAR_PANELS; see docs/testing.md).

The panel decides nothing: `qa.panel` turns what the request recorded into stats.
"""

from __future__ import annotations

import contextvars

from debug_toolbar.panels import Panel
from django.apps import apps
from django.core.checks import CheckMessage
from django.core.checks import Error as CheckError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from analytix_frontend.page.state import record_renders, stop_recording
from analytix_frontend.qa.panel import panel_stats
from analytix_frontend.server.record import RequestRecord, collect_server_calls, stop_collecting


class AnalytixPanel(Panel):
    """This request's analytics: areas, each service's decision and why, the request rules,
    the nonce, identity keys, scripts written, server calls queued, the tag's render time."""

    title = _("Analytix")
    template = "analytics/debug_toolbar_panel.html"
    is_async = True  # the record lives on the request; server calls follow a context variable
    _token: contextvars.Token[RequestRecord | None] | None = None
    _renders_token: contextvars.Token[bool] | None = None

    @property
    def nav_subtitle(self) -> str:
        stats = self.get_stats()  # type: ignore[no-untyped-call]
        renders = stats.get("renders") or []
        if not renders:
            return "no tag on this page"
        on = {s["name"] for r in renders for s in r["services"] if s["on"]}
        waiting = {s["name"] for r in renders for s in r["services"] if s["waiting"]} - on
        areas = ", ".join(dict.fromkeys(r["area"] for r in renders))
        text = f"{areas}: {len(on)} on"
        violations = len(stats.get("plan_violations") or [])
        text += (
            f", {violations} plan violation{'s' if violations != 1 else ''}" if violations else ""
        )
        return text + (f", {len(waiting)} waiting" if waiting else "")

    def enable_instrumentation(self) -> None:
        # Called around the whole request, in its context (sync and async alike).
        self._token = collect_server_calls(self.toolbar.request)
        self._renders_token = record_renders()

    def disable_instrumentation(self) -> None:
        if self._token is not None:
            stop_collecting(self._token)
            self._token = None
        if self._renders_token is not None:
            stop_recording(self._renders_token)
            self._renders_token = None

    def generate_stats(self, request: HttpRequest, response: HttpResponse) -> None:
        self.record_stats(panel_stats(request))  # type: ignore[no-untyped-call]

    def generate_server_timing(self, request: HttpRequest, response: HttpResponse) -> None:
        stats = self.get_stats()  # type: ignore[no-untyped-call]
        if stats.get("renders"):
            self.record_server_timing(  # type: ignore[no-untyped-call]
                "render", "analytix tag", stats["render_ms"]
            )

    @classmethod
    def run_checks(cls) -> list[CheckMessage]:
        if not apps.is_installed("analytix_frontend"):
            return [
                CheckError(
                    "AnalytixPanel needs 'analytix_frontend' in INSTALLED_APPS (its template "
                    "and its tag live there).",
                    hint="Add 'analytix_frontend' to INSTALLED_APPS.",
                    id="analytix.E301",
                )
            ]
        return []
