import secrets
from importlib.util import find_spec

from django.shortcuts import render
from django.urls import include, path


def area_page(request, area):
    return render(request, "tests/page.html", {"area": area, "twice": "twice" in request.GET})


def events_page(request, area):
    """The events test page; ?csp=1 serves it under a strict nonce-based policy."""
    nonce = secrets.token_urlsafe(16) if "csp" in request.GET else ""
    response = render(request, "tests/events.html", {"area": area, "csp_nonce": nonce})
    if nonce:
        response["Content-Security-Policy"] = (
            f"default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'"
        )
    return response


urlpatterns = [
    path("page/<str:area>/", area_page),
    path("events/<str:area>/", events_page),
    path("privacy/", include("tests.privacy_views")),
    path("attack/", include("tests.attack_views")),
    path("consent-browser/", include("tests.consent_views")),
    path("analytix/", include("analytix_frontend.urls")),
    path("security/", include("tests.security_views")),
]

if find_spec("debug_toolbar") is not None:  # tests/settings.py installs it then
    urlpatterns.append(path("__debug__/", include("debug_toolbar.urls")))
