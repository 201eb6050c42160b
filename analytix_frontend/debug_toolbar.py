"""A django-debug-toolbar panel: what `{% analytics_scripts %}` decided and wrote for this
request, and the server-side calls queued while it ran (`pip install
"analytix-frontend[debug-toolbar]"`, then add "analytix_frontend.debug_toolbar.AnalytixPanel"
to DEBUG_TOOLBAR_PANELS; see docs/testing.md).

The panel decides nothing: it turns the request's record (analytix_frontend.qa.record)
into plain JSON-able stats, which the toolbar's history keeps, and a template shows them.
"""

from __future__ import annotations

import contextvars
import html
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from debug_toolbar.panels import Panel
from django.apps import apps
from django.core.checks import CheckMessage
from django.core.checks import Error as CheckError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from analytix_frontend.decide.rules.gpc import DEFAULT_CATEGORIES
from analytix_frontend.page.nonce import django_nonce_getter
from analytix_frontend.qa.record import (
    WAITING_FOR_COMMIT,
    RequestRecord,
    TagRender,
    collect_server_calls,
    request_record,
    stop_collecting,
)

SCRIPT_SRC = re.compile(r'<script src="([^"]+)"')
MAIN_SRCS = re.compile(r'data-analytix-main="([^"]*)"')  # what start.js loads later
ROLLED_BACK = "not sent: the transaction rolled back"


def _state(service: Mapping[str, Any]) -> str:
    if service["on"]:
        return "on"
    return "waiting for consent" if service["waiting"] else "off"


def _page_config(render: TagRender) -> dict[str, Any]:
    """The JSON the page got (the config block is the first part the tag writes)."""
    block = render.html_parts[0]
    parsed = json.loads(block[block.index(">") + 1 : block.rindex("</script>")])
    return parsed if isinstance(parsed, dict) else {}


def _render_stats(render: TagRender) -> dict[str, Any]:
    services = [
        {
            "name": d.service.name,
            "label": d.service.label,
            "category": d.service.category,
            "on": d.enabled,
            "waiting": d.waiting,
            "reason": d.reason,
            "detail": d.detail,
        }
        for d in render.decisions
    ]
    for service in services:
        service["state"] = _state(service)
    scripts = [html.unescape(m) for part in render.html_parts for m in SCRIPT_SRC.findall(part)]
    main = [
        url
        for part in render.html_parts
        for m in MAIN_SRCS.findall(part)
        for url in html.unescape(m).split()
    ]
    config = _page_config(render)
    return {
        "area": render.area,
        "unknown_area": bool(config.get("unknownArea")),
        "log_level": str(config.get("logLevel", "")),
        "services": services,
        "scripts": scripts,
        "main_scripts": main,
        "noscript": any(part.startswith("<noscript>") for part in render.html_parts),
        "ms": round(render.seconds * 1000, 3),
    }


def _nonce_source(request: Any, nonce: str | None) -> str:
    """Where the tag's nonce came from (nonce.find_csp_nonce's order). This runs after the
    response: a lazy nonce is only compared when it was created for the page (its truth
    value says so), since creating one now would raise (django-csp) or mean nothing."""
    if not nonce:
        return ""
    get_nonce = django_nonce_getter()
    candidates = (
        ("request.csp_nonce (django-csp)", getattr(request, "csp_nonce", None)),
        ("Django's CSP middleware", get_nonce(request) if get_nonce is not None else None),
    )
    for source, value in candidates:
        if value is not None and bool(value) and str(value) == nonce:
            return source
    return "the csp_nonce template context variable"


def _rules(request: Any, renders: Sequence[TagRender], stats: Sequence[dict[str, Any]]) -> Any:
    """The request rules in force, as the page config and the decisions state them."""
    config = _page_config(renders[0])
    by_reason: dict[str, list[dict[str, Any]]] = {}
    for render in stats:
        for service in render["services"]:
            if service["reason"]:
                by_reason.setdefault(service["reason"], []).append(service)

    def turned_off(reason: str) -> list[dict[str, str]]:
        return [
            {"label": s["label"], "detail": s["detail"]}
            for s in {s["name"]: s for s in by_reason.get(reason, [])}.values()
        ]

    meta = getattr(request, "META", {})
    consent = config.get("consent")
    return {
        "consent": {
            "required": bool(consent),
            "cookie": str(consent.get("cookie", "")) if consent else "",
            "granted": [str(c) for c in consent.get("granted", [])] if consent else [],
            "decided": bool(consent.get("decided")) if consent else False,
            "waiting": turned_off("consent"),
        },
        "gpc": {
            "sent": str(meta.get("HTTP_SEC_GPC", "")).strip() == "1",
            # Absent from the config: the default, as config.js reads it.
            "categories": [str(c) for c in config.get("gpc", DEFAULT_CATEGORIES)],
            "turned_off": turned_off("privacy"),
        },
        "internal": turned_off("internal"),
        "conditions": turned_off("condition"),
    }


def _server_calls(record: RequestRecord) -> list[dict[str, Any]]:
    in_transaction = transaction.get_connection().in_atomic_block
    calls = []
    for call in record.server_calls:
        call = dict(call)
        if call["state"] == WAITING_FOR_COMMIT and not in_transaction:
            call["state"] = ROLLED_BACK
        calls.append(call)
    return calls


def panel_stats(request: Any) -> dict[str, Any]:
    """Everything the panel shows for this request, as plain JSON-able data."""
    record = request_record(request) or RequestRecord()
    renders = [_render_stats(render) for render in record.renders]
    identity = _page_config(record.renders[0]).get("identity") if record.renders else None
    nonce = next((r.nonce for r in record.renders if r.nonce), None)
    return {
        "renders": renders,
        "areas": list(dict.fromkeys(r["area"] for r in renders)),
        "rules": _rules(request, record.renders, renders) if record.renders else None,
        "nonce": {"found": bool(nonce), "source": _nonce_source(request, nonce)},
        # The keys only: the values are the visitor's own data.
        "identity_keys": (
            ["id", *(f"traits.{name}" for name in identity.get("traits", {}))]
            if isinstance(identity, dict)
            else []
        ),
        "server_calls": _server_calls(record),
        "render_ms": round(sum(r["ms"] for r in renders), 3),
    }


class AnalytixPanel(Panel):
    """This request's analytics: areas, each service's decision and why, the request rules,
    the nonce, identity keys, scripts written, server calls queued, the tag's render time."""

    title = _("Analytix")
    template = "analytics/debug_toolbar_panel.html"
    is_async = True  # the record lives on the request; server calls follow a context variable
    _token: contextvars.Token[RequestRecord | None] | None = None

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
        return text + (f", {len(waiting)} waiting" if waiting else "")

    def enable_instrumentation(self) -> None:
        # Called around the whole request, in its context (sync and async alike).
        self._token = collect_server_calls(self.toolbar.request)

    def disable_instrumentation(self) -> None:
        if self._token is not None:
            stop_collecting(self._token)
            self._token = None

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
