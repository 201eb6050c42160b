"""Test pages served under Content-Security-Policies built with analytix_frontend.csp.

django-csp's middleware is installed in tests/settings.py with no default policy; each view
here sets its own with django-csp's `@csp` decorator (the live server's middleware chain is
built once, so the policy varies per view, not per setting).
"""

from __future__ import annotations

from csp.constants import NONCE, NONE, SELF, STRICT_DYNAMIC
from csp.decorators import csp
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from analytix_frontend.csp import csp_sources, merge_directives

# img-src data: is for the test page's empty favicon.
BASE = {"default-src": [SELF], "img-src": [SELF, "data:"], "object-src": [NONE], "base-uri": [NONE]}
VENDORS = csp_sources(ids=settings.ANALYTICS_IDS)

# (a) a host allow-list: our own files, the nonce, and each vendor's documented hosts.
ALLOWLIST = merge_directives({**BASE, "script-src": [SELF, NONCE]}, VENDORS)
# (b) nonce-only with 'strict-dynamic': host lists in script-src are ignored by the browser.
STRICT = merge_directives(
    {**BASE, "script-src": [NONCE, STRICT_DYNAMIC]},
    {k: v for k, v in VENDORS.items() if k != "script-src"},
)
# A control: 'self' only, no nonce and no vendor hosts: our files run, vendor scripts are
# refused. (With the nonce they would run: a nonce admits a script from any host.)
NO_VENDORS = {**BASE, "script-src": [SELF]}


def _page(request: HttpRequest, area: str) -> HttpResponse:
    return render(request, "tests/privacy_page.html", {"area": area})


@csp(ALLOWLIST)
def allowlist_page(request: HttpRequest, area: str) -> HttpResponse:
    return _page(request, area)


@csp(STRICT)
def strict_page(request: HttpRequest, area: str) -> HttpResponse:
    return _page(request, area)


@csp(NO_VENDORS)
def no_vendors_page(request: HttpRequest, area: str) -> HttpResponse:
    return _page(request, area)


urlpatterns = [
    path("csp-allowlist/<str:area>/", allowlist_page),
    path("csp-strict/<str:area>/", strict_page),
    path("csp-no-vendors/<str:area>/", no_vendors_page),
    path("plain/<str:area>/", _page),
]
