"""Django 6's own CSP, for real: `ContentSecurityPolicyMiddleware` with `SECURE_CSP` and
`CSP.NONCE`, with and without the `django.template.context_processors.csp` context processor.

Every `<script>` the tag writes carries the nonce of the response's Content-Security-Policy
header. These tests skip on Django < 6 (no such module); nox runs them on 6.0 and 6.1 and
fails those sessions unless every one of them passed there (noxfile.py).
"""

from __future__ import annotations

import re
from typing import Any

import django
import pytest

if django.VERSION < (6, 0):
    pytest.skip("Django 6's own CSP (nox runs this on Django 6.0 and 6.1)", allow_module_level=True)

from django.http import HttpRequest, HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware, get_nonce
from django.template import engines
from django.test import RequestFactory
from django.urls import path
from django.utils.csp import CSP

from analytix_frontend.page.nonce import find_csp_nonce
from tests.html import scripts

PAGE = (
    '{% load analytix %}<!doctype html><html><head>{% analytics_scripts "signup" %}</head>'
    "<body>{{ csp_nonce|default:'' }}</body></html>"
)
JINJA_PAGE = "<!doctype html><html><head>{{ analytics_scripts('signup') }}</head></html>"


def django_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(engines["django"].from_string(PAGE).render({}, request))


def jinja_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(engines["jinja2"].from_string(JINJA_PAGE).render({}, request))


urlpatterns = [
    path("django/", django_page),
    path("jinja/", jinja_page),
]

REQUEST_PROCESSOR = "django.template.context_processors.request"
CSP_PROCESSOR = "django.template.context_processors.csp"


@pytest.fixture
def django_csp(settings: Any) -> Any:
    """Django's own middleware alone (no django-csp) and a strict nonce-only policy."""
    settings.ROOT_URLCONF = __name__
    settings.MIDDLEWARE = ["django.middleware.csp.ContentSecurityPolicyMiddleware"]
    settings.SECURE_CSP = {
        "default-src": [CSP.SELF],
        "script-src": [CSP.NONCE, CSP.STRICT_DYNAMIC],
        "object-src": [CSP.NONE],
    }
    return settings


def use_templates(settings: Any, *processors: str) -> None:
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": list(processors)},
        },
        {
            "BACKEND": "django.template.backends.jinja2.Jinja2",
            "OPTIONS": {"extensions": ["analytix_frontend.jinja2.AnalytixExtension"]},
        },
    ]


def header_nonce(response: HttpResponse) -> str:
    policy = response.headers["Content-Security-Policy"]
    found = re.findall(r"'nonce-([^']+)'", policy)
    assert len(found) == 1, policy
    return str(found[0])


def script_nonces(response: HttpResponse) -> list[str | None]:
    written = scripts(response.content.decode())
    assert len(written) >= 2  # the config block and at least one first-party script
    return [s.attrs.get("nonce") for s in written]


@pytest.mark.parametrize("debug", [False, True], ids=["prebuilt", "readable-files"])
@pytest.mark.parametrize(
    "processors",
    [(REQUEST_PROCESSOR, CSP_PROCESSOR), (REQUEST_PROCESSOR,)],
    ids=["csp-context-processor", "get_nonce-from-request"],
)
def test_every_script_carries_the_nonce_of_the_policy_header(
    django_csp: Any, client: Any, processors: tuple[str, ...], debug: bool
) -> None:
    use_templates(django_csp, *processors)
    django_csp.DEBUG = debug
    response = client.get("/django/")
    assert response.status_code == 200
    nonce = header_nonce(response)
    assert script_nonces(response) == [nonce] * len(script_nonces(response))
    # With the context processor, csp_nonce is Django's own lazy nonce, the same one.
    shown = response.content.decode().rsplit("<body>", 1)[1].split("</body>")[0]
    assert shown == (nonce if CSP_PROCESSOR in processors else "")


def test_jinja2_pages_get_the_same_nonce(django_csp: Any, client: Any) -> None:
    use_templates(django_csp, REQUEST_PROCESSOR)
    response = client.get("/jinja/")
    assert set(script_nonces(response)) == {header_nonce(response)}


def test_each_response_has_its_own_nonce_even_from_the_render_cache(
    django_csp: Any, client: Any
) -> None:
    use_templates(django_csp, REQUEST_PROCESSOR, CSP_PROCESSOR)
    first, second = client.get("/django/"), client.get("/django/")
    assert header_nonce(first) != header_nonce(second)
    assert set(script_nonces(second)) == {header_nonce(second)}


def test_django_csp_nonce_wins_when_both_middlewares_give_one(django_csp: Any) -> None:
    """A site moving between django-csp and Django's own CSP may run both for a while."""
    request = RequestFactory().get("/")
    ContentSecurityPolicyMiddleware(lambda r: HttpResponse()).process_request(request)
    request.csp_nonce = "from-django-csp"
    assert find_csp_nonce(request) == "from-django-csp"
    del request.csp_nonce
    assert find_csp_nonce(request) == str(get_nonce(request))
