"""The contract, checked from outside: the built wheel in a new project, served, in Chromium.

tests/test_wheel.py renders the wheel's page through Django's test client. Here the same kind
of brand-new project (`django-admin startproject`, settings from DESIGN.md's "Install and
settings" only, plus the STATIC_ROOT django-compressor needs) runs under `manage.py runserver`
in a clean virtualenv, and headless Chromium loads its pages: what a user of the package gets.
Vendor hosts answer with tiny fake scripts, or are blocked like an ad blocker would.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import django
import pytest

from tests.conftest import VENDOR_HOSTS, fake_vendor_script
from tests.test_wheel import _clean_env as _wheel_test_env
from tests.test_wheel import _run

pytestmark = [pytest.mark.wheel, pytest.mark.browser]

CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_AREA = {"google", "hubspot", "kissmetrics"}
ALL_SERVICES = ["google", "hubspot", "kissmetrics", "drift", "fullstory", "facebook_pixel"]

# DESIGN.md's settings, verbatim where it gives values; env vars pick what a test varies.
SETTINGS_TAIL = """
# --- added by analytix_frontend's contract test ---
import os
INSTALLED_APPS = [*INSTALLED_APPS, "compressor", "analytix_frontend"]
ANALYTICS_IDS = {
    "GOOGLE_ANALYTICS_API_ID": "G-ABC123DEF4",
    "HUBSPOT_API_ID": "1234567",
    "DRIFT_ID": "abc123xyz789",
    "FULLSTORY_ID": "o-1ABCDE-na1",
    "FACEBOOK_PIXEL_ID": "123456789012345",
    "KISSMETRICS_KEY": "0123456789abcdef0123456789abcdef01234567",
    "HUBSPOT_API_KEY": "server-side, ignored by the app",
}
ANALYTICS_CONFIG = {
    "DEBUG": False,
    "LOG_LEVEL": os.environ.get("AX_LOG_LEVEL", "warning"),
    "ENVIRONMENTS": ["production"],
    # every vendor right after DOMContentLoaded (the checks below wait for that, not a trigger)
    "LOAD": dict.fromkeys(
        ["google", "hubspot", "kissmetrics", "drift", "fullstory", "facebook_pixel"], "ready"
    ),
}
SERVER_ENVIRONMENT = "production"
STATIC_ROOT = BASE_DIR / "static-root"  # django-compressor refuses to start without it
TEMPLATES[0]["DIRS"] = [BASE_DIR / "templates"]
if os.environ.get("AX_PRODUCTION"):  # DEBUG off: compressor on, offline bundle
    DEBUG = False
    ALLOWED_HOSTS = ["127.0.0.1"]
    STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.FileSystemFinder",
        "django.contrib.staticfiles.finders.AppDirectoriesFinder",
        "compressor.finders.CompressorFinder",
    ]
    COMPRESS_OFFLINE = True
if os.environ.get("AX_BAD"):  # one mistake of each kind the checks must report
    ANALYTICS_IDS.update(GOOGLE_ANALYTICS_API_ID="UA-12345-1", HUBSPOT_API_ID="12ab")
    ANALYTICS_CONFIG.update(LOG_LEVEL="loud", AREAS={"signup": ["google", "mixpanel"]})
if os.environ.get("AX_CSP"):  # django-csp's own middleware and a strict nonce policy
    from csp.constants import NONCE, SELF, STRICT_DYNAMIC
    MIDDLEWARE = [*MIDDLEWARE, "csp.middleware.CSPMiddleware"]
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
        "default-src": [SELF], "img-src": [SELF, "data:"], "script-src": [NONCE, STRICT_DYNAMIC],
    }}
"""

URLS_TAIL = """
# --- added by analytix_frontend's contract test ---
from django.shortcuts import render
from django.template import TemplateSyntaxError
from django.template.loader import get_template
from django.http import HttpResponse


def page(request, name):
    context = {"area": request.GET.get("area", "")}
    if "nonce" in request.GET:
        context["csp_nonce"] = request.GET["nonce"]
    return render(request, f"{name}.html", context)


def literal_area_error(request):
    try:
        get_template("bad_literal.html")
    except TemplateSyntaxError as error:
        return HttpResponse(f"TemplateSyntaxError: {error}", content_type="text/plain")
    return HttpResponse("compiled", content_type="text/plain")


urlpatterns += [path("p/<str:name>/", page), path("bad-literal/", literal_area_error)]
"""


def _page(head: str, body: str = "") -> str:
    return (
        '{% load analytix %}<!doctype html><html><head><title>contract</title><link rel="icon" '
        f'href="data:,">{head}</head><body>{body}</body></html>'
    )


TEMPLATES = {
    "signup.html": _page('{% analytics_scripts "signup" %}', "<h1>signup</h1>"),
    "plain.html": _page("{% analytics_scripts %}"),
    "variable.html": _page("{% analytics_scripts area %}"),
    # Twice in the head and once more in the body, with an overlapping area.
    "twice.html": _page(
        '{% analytics_scripts "signup" %}{% analytics_scripts "signup" %}',
        '{% analytics_scripts "prelogin" %}',
    ),
    "bad_literal.html": '{% load analytix %}{% analytics_scripts "no_such_area" %}',
}


def _clean_env(**extra: str) -> dict[str, str]:
    """test_wheel's clean environment, less this module's own AX_* switches."""
    env = {k: v for k, v in _wheel_test_env(**extra).items() if not k.startswith("AX_")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def wheel_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean virtualenv holding the freshly built wheel, Django, compressor and django-csp."""
    dist = tmp_path_factory.mktemp("contract-dist")
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, CHECKOUT], dist, _clean_env())
    (wheel,) = dist.glob("analytix_frontend-*.whl")
    root = tmp_path_factory.mktemp("contract-venv")
    venv.create(root, with_pip=True, system_site_packages=False)
    python = root / "bin" / "python"
    requirements = [
        wheel,
        f"django=={django.__version__}",
        f"django-compressor=={version('django-compressor')}",
        f"django-csp=={version('django-csp')}",
    ]
    _run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *requirements],
         root, _clean_env())  # fmt: skip
    return python


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, wheel_python: Path) -> Path:
    root = tmp_path_factory.mktemp("contract-site")
    _run([wheel_python.parent / "django-admin", "startproject", "site1", root], root, _clean_env())
    with open(root / "site1" / "settings.py", "a") as handle:
        handle.write(SETTINGS_TAIL)
    with open(root / "site1" / "urls.py", "a") as handle:
        handle.write(URLS_TAIL)
    (root / "templates").mkdir()
    for name, source in TEMPLATES.items():
        (root / "templates" / name).write_text(source)
    return root


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Site:
    url: str
    log: Path


@contextmanager
def _runserver(project: Path, python: Path, *options: str, **env: str) -> Iterator[Site]:
    """`manage.py runserver` (static files served even with DEBUG off) until the block ends."""
    port = _free_port()
    log = project / f"runserver-{port}.log"
    environment = _clean_env(DJANGO_SETTINGS_MODULE="site1.settings", **env)
    with open(log, "w") as out:
        server = subprocess.Popen(
            [python, project / "manage.py", "runserver", "--noreload", "--insecure", *options,
             f"127.0.0.1:{port}"],
            cwd=project, env=environment, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            assert server.poll() is None, f"runserver exited:\n{log.read_text()}"
            try:
                urllib.request.urlopen(url + "/bad-literal/", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        else:
            pytest.fail(f"runserver never answered:\n{log.read_text()}")
        yield Site(url, log)
    finally:
        server.terminate()
        server.wait(timeout=20)


@dataclass
class Visit:
    """One page load in Chromium: console lines, page errors, CSP violations, requests."""

    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    vendor_requests: list[str] = field(default_factory=list)
    page: Any = None

    def lines(self) -> list[str]:
        return [
            text
            for kind, text in self.console
            if not text.startswith("Failed to load resource")
            and kind not in ("startGroup", "startGroupCollapsed", "endGroup", "table")
        ]

    def states(self) -> dict[str, str]:
        return dict(
            self.page.evaluate(
                "() => Object.fromEntries(Object.entries((window.analytix || {}).services || {})"
                ".map(([name, s]) => [name, s.state]))"
            )
        )

    def violations(self) -> list[str]:
        return list(self.page.evaluate("window.__violations"))

    def scripts(self) -> list[dict[str, Any]]:
        """The server's <script> elements: same-origin or inline (vendor ones are off-site)."""
        return list(
            self.page.evaluate(
                "() => [...document.querySelectorAll('script')]"
                ".filter(s => !s.src || s.src.startsWith(location.origin))"
                ".map(s => ({src: s.getAttribute('src'), type: s.type, nonce: s.nonce}))"
                # Written on the page's own host (//host/...), or resolved by start.js against
                # the page's address (http://host/...): compared here as paths.
                ".map(s => ({...s, src: s.src && s.src.replace(location.protocol + '//' +"
                " location.host, '').replace('//' + location.host, '')}))"
            )
        )


# Every page's clock stops at one instant (2026-01-01 00:02:00 UTC), so what depends on the
# time is the same in every page load of a test: Drift's script URL carries a cache key that
# moves every five minutes (its snippet's Math.ceil(Date.now() / 300000) * 300000), and two
# loads straddling a boundary would otherwise request different URLs.
PAGE_CLOCK = 1767225720  # Unix seconds
DRIFT_URL = "https://js.driftt.com/include/1767225900000/abc123xyz789.js"

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.blockedURI + " " + e.violatedDirective);
});
"""


@pytest.fixture
def visit(browser: Any) -> Iterator[Callable[..., Visit]]:
    contexts: list[Any] = []

    def load(url: str, vendors: str = "fake") -> Visit:
        """vendors: "fake" answers each vendor host with a fake script, "block" aborts it."""
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.clock.set_fixed_time(PAGE_CLOCK)
        result = Visit(page=page)
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", lambda m: result.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: result.errors.append(str(e)))
        origin = re.match(r"https?://[^/]+", url)
        assert origin is not None

        def route(route: Any) -> None:
            request_url = route.request.url
            if request_url.startswith(origin.group(0)):
                route.continue_()
                return
            result.vendor_requests.append(request_url)
            host = re.sub(r"^https?://([^/]+)/.*$", r"\1", request_url)
            if vendors == "fake" and host in VENDOR_HOSTS:
                body = fake_vendor_script(host)
                route.fulfill(status=200, content_type="application/javascript", body=body)
            else:
                route.abort()

        page.route("**/*", route)
        page.goto(url, wait_until="load")
        # Every started vendor settled (or no analytix at all: its scripts did not run).
        page.wait_for_function(
            "() => !window.analytix ? document.readyState === 'complete' : Object.values("
            "window.analytix.services || {}).every(s => !['starting', 'loading'].includes(s.state))"
        )
        return result

    yield load
    for context in contexts:
        context.close()


def test_debug_site_in_chromium_areas_reasons_console_and_page_api(
    project: Path, wheel_python: Path, visit: Callable[..., Visit]
) -> None:
    with _runserver(project, wheel_python, AX_LOG_LEVEL="verbose") as site:
        signup = visit(site.url + "/p/signup/")
        assert signup.states() == dict.fromkeys(ALL_SERVICES, "loaded")
        assert set(VENDOR_HOSTS) == {re.sub(r"^https://([^/]+)/.*", r"\1", u) for u in
                                     signup.vendor_requests}  # fmt: skip
        assert DRIFT_URL in signup.vendor_requests, signup.vendor_requests
        lines = signup.lines()
        assert any(line.startswith("[VERBOSE] HubSpot | loaded") for line in lines), lines
        assert signup.errors == []
        own = [s["src"] for s in signup.scripts() if s["src"]]
        assert own and all(src.startswith("/static/analytix/js/") for src in own), own

        # No argument: the "default" area, and the debug reason for each service it leaves out.
        plain = visit(site.url + "/p/plain/")
        states = plain.states()
        assert {n for n, s in states.items() if s == "loaded"} == DEFAULT_AREA
        assert "[DEBUG] Drift | not loaded: area (area 'default' does not list it)" in plain.lines()
        assert plain.errors == []

        # Page code logs through the same logger; verbose shows all three levels.
        plain.page.evaluate(
            "() => { const log = window.analytix.logger('Checkout');"
            " log.warning('w'); log.debug('d'); log.verbose('v'); }"
        )
        assert [line for line in plain.lines() if "Checkout" in line] == [
            "[WARNING] Checkout | w",
            "[DEBUG] Checkout | d",
            "[VERBOSE] Checkout | v",
        ]

        # Three tags on one page (overlapping areas): one request per vendor URL, one config each.
        twice = visit(site.url + "/p/twice/")
        assert sorted(twice.vendor_requests) == sorted(set(twice.vendor_requests))
        assert sorted(twice.vendor_requests) == sorted(signup.vendor_requests)
        own_twice = [s["src"] for s in twice.scripts() if s["src"]]
        assert sorted(own_twice) == sorted(set(own_twice)) == sorted(own)
        configs = [s for s in twice.scripts() if s["type"] == "application/json"]
        assert len(configs) == 3
        assert twice.errors == []

        # An unknown area from a variable: no vendor at all, a warning in the console...
        unknown = visit(site.url + "/p/variable/?area=no_such_area")
        assert unknown.vendor_requests == []
        assert any(
            line.startswith("[WARNING] analytix |") and "no_such_area" in line
            for line in unknown.lines()
        ), unknown.lines()
        assert unknown.errors == []
        # ...and a literal one fails when the template compiles.
        with urllib.request.urlopen(site.url + "/bad-literal/") as response:
            assert response.read().decode().startswith("TemplateSyntaxError: ")
    # ...and in the server log.
    assert "no_such_area" in site.log.read_text()


def test_blocked_vendors_warn_and_never_break_the_page(
    project: Path, wheel_python: Path, visit: Callable[..., Visit]
) -> None:
    with _runserver(project, wheel_python) as site:  # LOG_LEVEL "warning", DESIGN's default
        blocked = visit(site.url + "/p/signup/", vendors="block")
    assert blocked.states() == dict.fromkeys(ALL_SERVICES, "failed")
    assert blocked.errors == []
    warned = {line.split(" | ")[0] for line in blocked.lines() if line.startswith("[WARNING]")}
    warned.discard("[WARNING] analytix")  # this site has no CSP nonce: config.js says so once
    assert len(warned) == len(ALL_SERVICES), blocked.lines()
    assert not any(line.startswith(("[DEBUG]", "[VERBOSE]")) for line in blocked.lines())


def test_log_level_off_prints_nothing_but_vendors_still_load(
    project: Path, wheel_python: Path, visit: Callable[..., Visit]
) -> None:
    with _runserver(project, wheel_python, AX_LOG_LEVEL="off") as site:
        page = visit(site.url + "/p/signup/", vendors="block")
        page.page.evaluate("() => window.analytix.logger('Checkout').warning('quiet please')")
    assert page.states() == dict.fromkeys(ALL_SERVICES, "failed")
    assert page.lines() == []
    assert page.errors == []


def test_production_offline_bundle_with_context_nonce_in_chromium(
    project: Path, wheel_python: Path, visit: Callable[..., Visit]
) -> None:
    env = _clean_env(DJANGO_SETTINGS_MODULE="site1.settings", AX_PRODUCTION="1")
    check = subprocess.run(
        [wheel_python, "manage.py", "check"], cwd=project, env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    # The one issue is the site's deliberate typo, found before deploy (analytix.W003).
    assert set(re.findall(r"\((analytix\.[EW]\d{3})\)", check.stderr)) == {"analytix.W003"}
    assert "bad_literal.html" in check.stderr and "no_such_area" in check.stderr
    _run([wheel_python, "manage.py", "collectstatic", "--noinput"], project, env)
    _run([wheel_python, "manage.py", "compress"], project, env)
    manifest = json.loads((project / "static-root" / "CACHE" / "manifest.json").read_text())
    # The two constant blocks (start.js, the main script), whatever the pages and areas.
    assert len(manifest) == 2
    with _runserver(project, wheel_python, AX_PRODUCTION="1", AX_LOG_LEVEL="verbose") as site:
        page = visit(site.url + "/p/signup/?nonce=c0ntext-n0nce")
        other_area = visit(site.url + "/p/variable/?area=prelogin")
    assert "OfflineGenerationError" not in site.log.read_text()
    written = page.scripts()
    # The config, start.js, and the main script start.js inserted with the nonce.
    assert [s["type"] for s in written] == ["application/json", "", ""], written
    for script in written[1:]:
        assert re.fullmatch(r"/static/CACHE/js/output\.[0-9a-f]{12}\.js", script["src"])
    assert written[1]["src"] != written[2]["src"]
    assert [s["nonce"] for s in written] == ["c0ntext-n0nce"] * 3
    assert page.states() == dict.fromkeys(ALL_SERVICES, "loaded")
    assert page.errors == []
    # Another area gets the very same bundle; its config alone differs.
    assert other_area.scripts()[1]["src"] == written[1]["src"]
    loaded = {name for name, state in other_area.states().items() if state == "loaded"}
    assert loaded == {"google", "hubspot", "kissmetrics", "drift", "fullstory"}


def test_django_csp_middleware_nonce_on_every_script(
    project: Path, wheel_python: Path, visit: Callable[..., Visit]
) -> None:
    # django-csp 4's real middleware, not a stand-in string: its lazy nonce is falsy until read,
    # so a lookup that tests it with `if` writes no nonce and every script is blocked.
    with _runserver(project, wheel_python, AX_CSP="1") as site:
        page = visit(site.url + "/p/signup/")
    written = page.scripts()
    assert written and all(s["nonce"] for s in written), written
    assert len({s["nonce"] for s in written}) == 1
    assert page.violations() == []
    assert page.states() == dict.fromkeys(ALL_SERVICES, "loaded")


def test_installed_app_reports_bad_settings_and_still_serves_pages(
    project: Path, wheel_python: Path
) -> None:
    env = _clean_env(DJANGO_SETTINGS_MODULE="site1.settings", AX_BAD="1")
    check = subprocess.run(
        [wheel_python, "manage.py", "check"], cwd=project, env=env, capture_output=True, text=True
    )
    assert check.returncode == 1, check.stdout + check.stderr
    reported = set(re.findall(r"\((analytix\.[EW]\d{3})\)", check.stderr))
    # W003: the template with the deliberate unknown literal area (bad_literal.html).
    assert reported == {
        "analytix.E002",
        "analytix.E003",
        "analytix.E005",
        "analytix.E009",
        "analytix.W003",
    }
    report = _run(
        [wheel_python, "manage.py", "analytix_report", "--area", "signup"],
        project,
        env,
    )
    assert re.search(r"^signup\s+off: invalid id\s+off: invalid id\s", report, re.M), report
    # A settings mistake is never a 500: the page renders with the bad services off.
    with _runserver(project, wheel_python, "--skip-checks", AX_BAD="1") as site:
        with urllib.request.urlopen(site.url + "/p/signup/") as response:
            html = response.read().decode()
    assert "12ab" not in html and "UA-12345-1" not in html
    assert '"reason":"invalid id"' in html
