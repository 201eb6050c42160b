"""A production-like process: DEBUG off, whitenoise with its compressed manifest storage,
django-compressor at its defaults (and, second, offline), django-csp 4 with a nonce policy,
`collectstatic` run, then a fresh server process, so whitenoise indexes the files at start-up
as it does in production. The page must get its first-party file and start every vendor."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analytix_frontend.decide.services import DEFAULT_AREAS
from tests.conftest import VENDOR_HOSTS, fake_vendor_script
from tests.settings import ALL_READY, ANALYTICS_IDS

ROOT = Path(__file__).resolve().parent.parent

SETTINGS = """
from pathlib import Path

from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent
REPO = Path({repo!r})
SECRET_KEY = "production-like-test"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "urls"
INSTALLED_APPS = ["django.contrib.staticfiles", "compressor", "analytix_frontend"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
]
DATABASES = {{}}
TEMPLATES = [
    {{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The checkout keeps templates/ and static/ beside the package (the wheel puts them
        # inside it); tests/test_wheel.py covers the installed layout.
        "DIRS": [BASE_DIR / "templates", REPO / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {{"context_processors": ["django.template.context_processors.request"]}},
    }}
]
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static-root"
STATICFILES_DIRS = [REPO / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "compressor.finders.CompressorFinder",
]
STORAGES = {{
    "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
    "staticfiles": {{"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}},
}}
CONTENT_SECURITY_POLICY = {{
    "DIRECTIVES": {{
        "default-src": [SELF],
        "img-src": [SELF, "data:"],  # the page's data: favicon
        "script-src": [NONCE],
        "object-src": [NONE],
        "base-uri": [NONE],
    }}
}}
SERVER_ENVIRONMENT = "production"
ANALYTICS_IDS = {ids!r}
ANALYTICS_CONFIG = {{"LOG_LEVEL": "verbose", "LOAD": dict.fromkeys({services!r}, "ready")}}
"""
URLS = """
from django.shortcuts import render
from django.urls import path


def preview(request):
    request.is_preview = True  # what Wagtail sets for previews and "view draft"
    return render(request, "page.html")


urlpatterns = [
    path("", lambda request: render(request, "page.html")),
    path("preview/", preview),
    path("two-areas/", lambda request: render(request, "two-areas.html")),
]
"""
# Two tags, two areas ("default" in the head, "signup" further down): the union loads.
TWO_AREAS = (
    '{% load analytix %}<!doctype html><html><head><meta charset="utf-8">'
    '<link rel="icon" href="data:,">{% analytics_scripts "default" %}</head>'
    '<body><p>shop</p>{% analytics_scripts "signup" %}</body></html>'
)
PAGE = (
    '{% load analytix %}<!doctype html><html><head><meta charset="utf-8">'
    '<link rel="icon" href="data:,">{% analytics_scripts "signup" %}</head>'
    "<body><p>shop</p></body></html>"
)
HASHED_MIN_FILE = re.compile(r"/static/analytix/js/analytix\.min\.[0-9a-f]{12}\.js")
HASHED_MAIN_FILE = re.compile(r"/static/analytix/js/main\.min\.[0-9a-f]{12}\.js")
OFFLINE_BUNDLE = re.compile(r"/static/CACHE/js/output\.[0-9a-f]{12}\.js")


def project_env(project: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # conftest's
    return {**env, "DJANGO_SETTINGS_MODULE": "settings", "PYTHONPATH": str(project)}


def manage(project: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env=project_env(project),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def make_project(directory: Path, extra_settings: str) -> Path:
    (directory / "templates").mkdir(parents=True)
    (directory / "templates" / "page.html").write_text(PAGE)
    (directory / "templates" / "two-areas.html").write_text(TWO_AREAS)
    (directory / "settings.py").write_text(
        SETTINGS.format(repo=str(ROOT), ids=ANALYTICS_IDS, services=list(ALL_READY))
        + extra_settings
    )
    (directory / "urls.py").write_text(URLS)
    (directory / "manage.py").write_text(
        "import sys\nfrom django.core.management import execute_from_command_line\n"
        "execute_from_command_line(sys.argv)\n"
    )
    return directory


def route_vendors_to_fakes(page: Any, base_url: str, requested: list[str]) -> None:
    """The site's own requests go through; each other one is recorded (its URL in
    `requested`) and answered by a vendor fake, or aborted for a host no vendor uses."""

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(base_url):
            route.continue_()
            return
        requested.append(url)
        host = re.sub(r"^https?://([^/]+)/.*$", r"\1", url)
        if host in VENDOR_HOSTS:
            body = fake_vendor_script(host)
            route.fulfill(status=200, content_type="application/javascript", body=body)
        else:
            route.abort()

    page.route("**/*", route)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(300):  # a bounded number of tries, no timing assertion
        if server.poll() is not None:
            pytest.fail(f"the server exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    pytest.fail(f"the server never answered: {log.read_text()}")


@pytest.fixture(params=["online-defaults", "offline"])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(base URL, mode) of a fresh production-like server for the project in tmp_path."""
    mode = request.param
    project = make_project(tmp_path, "COMPRESS_OFFLINE = True\n" if mode == "offline" else "")
    manage(project, "collectstatic", "--noinput", "-v0")
    if mode == "offline":
        manage(project, "compress", "-v0")  # after collectstatic, before the server starts
    # Django's own deploy warnings (HSTS, SSL...) are not this test's business; ours must be quiet.
    checked = manage(project, "check", "--deploy", "--fail-level", "CRITICAL")
    assert "analytix." not in checked
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", "--nostatic", str(port)],
            cwd=project,
            env=project_env(project),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url + "/", server, log)
        yield url, mode
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.browser
def test_whitenoise_and_compressor_serve_the_first_party_file_and_the_vendors_start(
    browser: Any, site: tuple[str, str]
) -> None:
    base_url, mode = site
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    violations: list[str] = []
    vendor_requests: list[str] = []
    own_responses: dict[str, int] = {}
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            own_responses.__setitem__(response.url.removeprefix(base_url), response.status)
            if response.url.startswith(base_url)
            else None
        ),
    )
    page.add_init_script(
        'document.addEventListener("securitypolicyviolation", e => '
        "(window.__violations = window.__violations || []).push(e.blockedURI));"
    )

    route_vendors_to_fakes(page, base_url, vendor_requests)
    try:
        response = page.goto(base_url + "/")
        assert "script-src 'nonce-" in response.headers["content-security-policy"]
        srcs = page.eval_on_selector_all(
            "script[src]", "els => els.map(e => e.getAttribute('src'))"
        )
        # start.js's, and the main script it inserted (signup has "ready" services here).
        # The tag writes them on the page's host (//host/...); start.js resolves the main
        # script's against the page's address (http://host/...).
        origin = "//" + base_url.split("//", 1)[1]
        first_party, main = [
            src.split(origin, 1)[1]
            for src in srcs
            if src.removeprefix("http:").startswith(origin + "/static/")
        ]
        page.wait_for_function("typeof window.analytix.readPageConfigs === 'function'")
        for src, plain in ((first_party, HASHED_MIN_FILE), (main, HASHED_MAIN_FILE)):
            assert own_responses[src] == 200, src  # whitenoise serves it
            pattern = OFFLINE_BUNDLE if mode == "offline" else plain
            assert pattern.fullmatch(src), src  # hashed: cacheable forever
        assert first_party != main
        assert page.evaluate("typeof window.analytix.track") == "function"
        expected = {h for h, s in VENDOR_HOSTS.items() if s in DEFAULT_AREAS["signup"]}
        page.wait_for_function(
            "n => (window.__fakeVendorsRan || []).length >= n", arg=len(expected)
        )
        assert {re.sub(r"^https?://([^/]+)/.*$", r"\1", u) for u in vendor_requests} == expected
        states = page.evaluate(
            "Object.fromEntries(Object.entries(window.analytix.services)"
            ".map(([name, s]) => [name, s.state]))"
        )
        assert states == dict.fromkeys(DEFAULT_AREAS["signup"], "loaded")
        violations = page.evaluate("window.__violations || []")
    finally:
        context.close()
    assert violations == []
    assert errors == []


def _vendor_hosts_and_states(
    browser: Any, base_url: str, path: str
) -> tuple[set[str], dict[str, Any]]:
    """Loads `path` with every vendor host faked; the hosts requested and each service's
    (state, reason) once the page has settled."""
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    route_vendors_to_fakes(page, base_url, requested)
    try:
        page.goto(base_url + path, wait_until="load")
        page.wait_for_function(  # a function, not a string: the policy has no 'unsafe-eval'
            "() => Object.values(window.analytix.services).every(s =>"
            " !['starting', 'loading'].includes(s.state))"
        )
        states = page.evaluate(
            "Object.fromEntries(Object.entries(window.analytix.services)"
            ".map(([name, s]) => [name, [s.state, s.reason]]))"
        )
    finally:
        context.close()
    return {re.sub(r"^https?://([^/]+)/.*$", r"\1", url) for url in requested}, states


@pytest.mark.browser
def test_a_cms_preview_loads_no_vendor(browser: Any, site: tuple[str, str]) -> None:
    base_url, _ = site
    hosts, states = _vendor_hosts_and_states(browser, base_url, "/preview/")
    assert hosts == set()
    assert states == {name: ["off", "preview"] for name in DEFAULT_AREAS["signup"]}


@pytest.mark.browser
def test_two_tags_with_different_areas_load_the_union(browser: Any, site: tuple[str, str]) -> None:
    base_url, _ = site
    hosts, states = _vendor_hosts_and_states(browser, base_url, "/two-areas/")
    assert hosts == {h for h, s in VENDOR_HOSTS.items() if s in DEFAULT_AREAS["signup"]}
    assert {name for name, (state, _) in states.items() if state == "loaded"} == set(
        DEFAULT_AREAS["signup"]
    )
