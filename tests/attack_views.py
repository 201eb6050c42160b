"""A hostile page for the attack tests: HTML an attacker wrote (a CMS rich-text block, a
comment, a profile field rendered unescaped) is put into the page as it is, under a real
django-csp policy. The threat model: the attacker can add HTML, but not script.

    /attack/<policy>/<area>/?html=<markup>    policy: "strict" (nonce + 'strict-dynamic')
                                                      or "allowlist" (nonce + vendor hosts);
                                                      "-nobase": the same without `base-uri`
    &head=<markup>                             the same, placed in <head> before the tag
"""

from __future__ import annotations

from csp.decorators import csp
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.safestring import mark_safe

from tests.privacy_views import ALLOWLIST, STRICT

POLICIES = {"strict": STRICT, "allowlist": ALLOWLIST}
# A site that has not added `base-uri` (the README's policies had none until issue 19): what
# must hold without it.
POLICIES.update(
    {
        f"{name}-nobase": {k: v for k, v in p.items() if k != "base-uri"}
        for name, p in POLICIES.items()
    }
)


def _hostile_page(request: HttpRequest, area: str) -> HttpResponse:
    return render(
        request,
        "tests/hostile_page.html",
        {
            "area": area,
            # Unescaped on purpose: this is the injection the page suffers.
            "injected": mark_safe(request.GET.get("html", "")),
            "injected_head": mark_safe(request.GET.get("head", "")),
        },
    )


_VIEWS = {name: csp(policy)(_hostile_page) for name, policy in POLICIES.items()}


def hostile_page(request: HttpRequest, policy: str, area: str) -> HttpResponse:
    view = _VIEWS.get(policy)
    if view is None:
        raise Http404(policy)
    return view(request, area)


urlpatterns = [path("<str:policy>/<str:area>/", hostile_page)]
