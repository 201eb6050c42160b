"""What the debug-toolbar panel shows for one request, as plain JSON-able stats (which the
toolbar's history keeps; `templates/analytics/debug_toolbar_panel.html` shows them).

It decides nothing: it reads the request's decision (`decide.request`), what the tag wrote
(`page.state`) and the server calls queued (`qa.record`). Works without the toolbar installed.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from analytix_frontend.decide.request import RequestDecision, recorded_decision
from analytix_frontend.page.nonce import django_nonce_getter
from analytix_frontend.page.state import TagRender, page_state
from analytix_frontend.server.models import current_states
from analytix_frontend.server.record import WAITING_FOR_COMMIT, RequestRecord, request_record

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


def _rules(decision: RequestDecision, stats: Sequence[dict[str, Any]]) -> Any:
    """The request rules in force, as the request's one decision states them."""
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

    answer = decision.consent
    return {
        "consent": {
            "required": answer is not None,
            "cookie": decision.privacy.consent.cookie if answer is not None else "",
            "granted": sorted(answer.granted) if answer is not None else [],
            "decided": answer.decided if answer is not None else False,
            "waiting": turned_off("consent"),
        },
        "gpc": {
            "sent": decision.sends_gpc,
            "categories": sorted(decision.privacy.gpc_categories),
            "turned_off": turned_off("privacy"),
        },
        "internal": turned_off("internal"),
        "conditions": turned_off("condition"),
    }


def _server_calls(record: RequestRecord) -> list[dict[str, Any]]:
    in_transaction = transaction.get_connection().in_atomic_block
    ids = [call["id"] for call in record.server_calls if call.get("id")]
    states = current_states(ids) if ids else {}  # each call's record, as it is now
    calls = []
    for call in record.server_calls:
        call = dict(call)
        if call["state"] == WAITING_FOR_COMMIT and not in_transaction:
            call["state"] = ROLLED_BACK
        elif call["state"] != WAITING_FOR_COMMIT and call.get("id") in states:
            call["state"] = states[call["id"]]
        calls.append(call)
    return calls


def panel_stats(request: Any) -> dict[str, Any]:
    """Everything the panel shows for this request, as plain JSON-able data."""
    record = request_record(request) or RequestRecord()
    state = page_state(request)
    tags = state.renders if state is not None else []
    renders = [_render_stats(render) for render in tags]
    decision = recorded_decision(request)
    identity = next((_page_config(r).get("identity") for r in tags), None)  # as written
    nonce = next((r.nonce for r in tags if r.nonce), None)
    return {
        "renders": renders,
        "areas": list(dict.fromkeys(r["area"] for r in renders)),
        "rules": _rules(decision, renders) if decision is not None and tags else None,
        "nonce": {"found": bool(nonce), "source": _nonce_source(request, nonce)},
        # The keys only: the values are the visitor's own data.
        "identity_keys": (
            ["id", *(f"traits.{name}" for name in identity.get("traits", {}))]
            if isinstance(identity, dict)
            else []
        ),
        "server_calls": _server_calls(record),
        "plan_violations": list(record.plan_violations),  # the tracking plan's, server side
        "render_ms": round(sum(r["ms"] for r in renders), 3),
    }
