"""The demo's pages: one per area, with switches that re-render it under other settings.

Query parameters (each a link on the page): `log` sets ANALYTICS_CONFIG["LOG_LEVEL"],
`consent=1` requires consent, `gpc=1` simulates a browser that sends Global Privacy Control.
The settings change only for the one render, under a lock (the demo server is threaded).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.test.utils import override_settings
from django.utils.safestring import mark_safe

from analytix_frontend.decide.services import LOG_LEVELS
from analytix_frontend.decide.settings import get_settings
from analytix_frontend.plan.config import load_current
from analytix_frontend.plan.directory import directory_html
from analytix_frontend.testing.browser import SCRIPT_HOSTS, fake_vendor_script

SERVICE_WORKER = Path(__file__).resolve().parent.parent / "static" / "demo" / "fake-vendors-sw.js"
_render_lock = threading.Lock()


def _demo_config(request: HttpRequest) -> dict[str, Any]:
    config = dict(settings.ANALYTICS_CONFIG)
    level = request.GET.get("log")
    if level in LOG_LEVELS:
        config["LOG_LEVEL"] = level
    if request.GET.get("consent") == "1":
        config["CONSENT"] = True
    return config


def area_page(request: HttpRequest, area: str = "default") -> HttpResponse:
    """Any area renders, an unknown one too: the page then shows the tag's warning."""
    if request.GET.get("gpc") == "1":
        request.META["HTTP_SEC_GPC"] = "1"  # as a GPC browser (or extension) would send it
    switches = {key: request.GET.get(key, "") for key in ("log", "consent", "gpc")}
    with _render_lock, override_settings(ANALYTICS_CONFIG=_demo_config(request)):
        return render(
            request,
            "demo/page.html",
            {
                "area": area,
                "areas": sorted(get_settings().areas),
                "log_level": get_settings().log_level,
                "log_levels": LOG_LEVELS,
                "switches": switches,
                "fake_vendors": settings.DEMO_FAKE_VENDORS,
            },
        )


def fake_vendors_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that answers vendor hosts with local fakes; served from / so that
    its scope covers every page of the demo."""
    response = FileResponse(SERVICE_WORKER.open("rb"), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


def fake_vendor(request: HttpRequest) -> HttpResponse:
    """The package's recording fake for one vendor host (what the service worker answers)."""
    host = request.GET.get("host", "")
    if host not in SCRIPT_HOSTS:
        raise Http404(host)
    return HttpResponse(fake_vendor_script(host), content_type="text/javascript")


def plan_page(request: HttpRequest) -> HttpResponse:
    """The tracking plan as the directory a marketing team reads (what `manage.py analytix_plan
    export --format html` writes), generated from demo/analytics_plan.yaml."""
    plan, error = load_current()
    return render(
        request,
        "demo/plan.html",
        {
            # directory_html escapes every value it writes
            "directory": mark_safe(directory_html(plan)) if plan else "",
            "error": error,
            "source": plan.source.rsplit("/", 1)[-1] if plan else "",
        },
    )
