"""django-compressor: offline, one constant bundle with per-request data outside; online, the
prebuilt file (a bundle written at run time may never be served)."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from compressor.cache import flush_offline_manifest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.template import Context, RequestContext, Template
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import path

from analytix_frontend.checks.settings import check_compressor
from analytix_frontend.consent.banner import BANNER_SCRIPT
from analytix_frontend.decide.services import DEFAULT_AREAS
from analytix_frontend.page import rendering
from analytix_frontend.page import scripts as page_scripts
from tests.conftest import VENDOR_HOSTS
from tests.html import enabled_services, page_config, scripts, site_paths

ROOT = Path(__file__).resolve().parent.parent
BUNDLE_SRC = re.compile(r"/static/CACHE/js/[\w.-]+\.js")
PAGE_SOURCE = (
    '{% load analytix %}<!doctype html><html><head><meta charset="utf-8">'
    '<link rel="icon" href="data:,">{% analytics_scripts area %}</head><body></body></html>'
)


@pytest.fixture(autouse=True)
def _fresh_compressor_state() -> Iterator[None]:
    """Compressor keeps its offline manifest in a module global; our bundle URL is cached."""
    flush_offline_manifest()
    rendering.clear_caches()
    yield
    flush_offline_manifest()
    rendering.clear_caches()


@pytest.fixture
def online(settings: Any) -> Any:
    settings.COMPRESS_ENABLED = True
    settings.COMPRESS_OFFLINE = False
    return settings


@pytest.fixture
def offline(settings: Any, tmp_path: Path) -> Iterator[Any]:
    """Offline mode after `manage.py compress`, with a manifest of this test's own."""
    settings.COMPRESS_ENABLED = True
    settings.COMPRESS_OFFLINE = True
    settings.COMPRESS_OFFLINE_MANIFEST = f"manifest-{tmp_path.name}.json"
    call_command("compress", verbosity=0)
    flush_offline_manifest()
    yield settings
    manifest = Path(django_settings.COMPRESS_ROOT) / "CACHE" / settings.COMPRESS_OFFLINE_MANIFEST
    manifest.unlink(missing_ok=True)


def render(area: str = "signup", nonce: str | None = None, **context: object) -> str:
    request = RequestFactory().get("/")
    source = "{% load analytix %}{% analytics_scripts area %}"
    return Template(source).render(
        Context({"area": area, "request": request, "csp_nonce": nonce, **context})
    )


def script_srcs(html: str) -> list[str]:
    return site_paths(s.attrs["src"] or "" for s in scripts(html) if s.attrs.get("src"))


def bundle_text(src: str) -> str:
    return (Path(django_settings.COMPRESS_ROOT) / src.removeprefix("/static/")).read_text()


def main_srcs(html: str) -> list[str]:
    """The main script's URLs, which start.js loads: its script tag's data-analytix-main."""
    (start,) = [s for s in scripts(html) if s.attrs.get("src")]
    return site_paths(str(start.attrs["data-analytix-main"]).split())


def plain_srcs() -> list[str]:
    """What the page links without compressor (DEBUG off): the minified start.js."""
    return [f"/static/{page_scripts.MINIFIED_SCRIPT}"]


def test_bundle_templates_list_exactly_every_script_file_in_order() -> None:
    sources = {
        template: get_template(template).template.source
        for template in (page_scripts.BUNDLE_TEMPLATE, page_scripts.MAIN_BUNDLE_TEMPLATE)
    }
    listed = {t: tuple(re.findall(r"\{% static '([^']+)' %\}", s)) for t, s in sources.items()}
    assert listed == {
        page_scripts.BUNDLE_TEMPLATE: (page_scripts.START_SCRIPT,),
        page_scripts.MAIN_BUNDLE_TEMPLATE: page_scripts.main_script_files(),
    }
    on_disk = {str(p.relative_to(ROOT / "static")) for p in (ROOT / "static").rglob("*.js")}
    built = {page_scripts.MINIFIED_SCRIPT, page_scripts.MAIN_MINIFIED_SCRIPT}
    banner = {BANNER_SCRIPT}  # {% analytix_consent_banner %}'s own script, never bundled
    assert on_disk == {*page_scripts.all_script_files(), *built, *banner}


def test_online_compression_links_the_prebuilt_file_and_writes_no_bundle(
    online: Any, tmp_path: Path
) -> None:
    # Online, compressor would write the bundle at run time, where whitenoise (which serves
    # only what it indexed at start-up) never serves it: the tag links the prebuilt file.
    online.COMPRESS_ROOT = str(tmp_path)
    for area in sorted(DEFAULT_AREAS):
        html = render(area, nonce=secrets.token_urlsafe(16))
        assert script_srcs(html) == plain_srcs()
        assert main_srcs(html) == [f"/static/{page_scripts.MAIN_MINIFIED_SCRIPT}"]
        assert sorted(enabled_services(html)) == sorted(DEFAULT_AREAS[area])
    assert list(tmp_path.rglob("*.js")) == []  # nothing written at run time


def test_offline_mode_after_compress_serves_every_area_without_error(
    offline: Any, caplog: pytest.LogCaptureFixture
) -> None:
    seen: set[str] = set()
    with caplog.at_level(logging.ERROR, logger="analytix_frontend"):
        for area in sorted(DEFAULT_AREAS):
            nonce = secrets.token_urlsafe(16)
            html = render(area, nonce=nonce)
            (src,) = script_srcs(html)
            (main,) = main_srcs(html)
            assert BUNDLE_SRC.fullmatch(src) and BUNDLE_SRC.fullmatch(main) and src != main
            assert all(s.attrs.get("nonce") == nonce for s in scripts(html))
            assert page_config(html)["area"] == area
            assert nonce not in bundle_text(src) and nonce not in bundle_text(main)
            assert "readPageConfigs" in bundle_text(main)
            assert "readPageConfigs" not in bundle_text(src)
            seen.add(src + " " + main)
        render("default", nonce=None)  # no nonce at all is another "request" too
    assert len(seen) == 1
    assert caplog.records == []
    manifest = Path(django_settings.COMPRESS_ROOT) / "CACHE" / offline.COMPRESS_OFFLINE_MANIFEST
    assert "nonce" not in manifest.read_text()


def test_offline_mode_without_compress_falls_back_to_plain_files_and_logs(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.COMPRESS_ENABLED = True
    settings.COMPRESS_OFFLINE = True
    settings.COMPRESS_OFFLINE_MANIFEST = "never-generated.json"
    with caplog.at_level(logging.ERROR, logger="analytix_frontend"):
        html = render("prelogin")
    assert script_srcs(html) == plain_srcs()
    assert "manage.py compress" in caplog.text


def test_a_manifest_without_the_file_logs_and_never_fails_the_page(
    settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Manifest storage, collectstatic never run: static() raises; the page still renders.
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with caplog.at_level(logging.ERROR, logger="analytix_frontend"):
        html = render("signup")
    assert script_srcs(html) == []
    assert page_config(html)["area"] == "signup"
    assert "collectstatic" in caplog.text


def test_compression_disabled_serves_plain_files(settings: Any) -> None:
    settings.COMPRESS_ENABLED = False
    assert script_srcs(render("default")) == plain_srcs()


def test_compressor_not_installed_serves_plain_files(settings: Any) -> None:
    settings.COMPRESS_ENABLED = True  # left over in settings, but the app is gone
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "compressor"]
    assert script_srcs(render("signup")) == plain_srcs()
    assert check_compressor() == []


@pytest.fixture
def offline_on(settings: Any) -> Any:
    """Offline compression configured (what the checks look at; no `compress` needed)."""
    settings.COMPRESS_ENABLED = True
    settings.COMPRESS_OFFLINE = True
    return settings


def test_check_is_quiet_for_a_working_setup(offline_on: Any) -> None:
    assert check_compressor() == []


def test_check_is_quiet_online_where_no_bundle_is_linked(online: Any) -> None:
    online.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.AppDirectoriesFinder"]
    online.MIDDLEWARE = [WHITENOISE, *online.MIDDLEWARE]
    online.COMPRESS_ROOT = "/somewhere/else"
    assert check_compressor() == []


def test_check_warns_when_the_compressor_finder_is_missing(offline_on: Any) -> None:
    offline_on.STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.FileSystemFinder",
        "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    ]
    (message,) = check_compressor()
    assert message.id == "analytix.W010"
    assert "compressor.finders.CompressorFinder" in (message.hint or "")


def test_check_warns_when_no_engine_finds_the_bundle_template(offline_on: Any) -> None:
    offline_on.TEMPLATES = [
        {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": False}
    ]
    (message,) = check_compressor()
    assert message.id == "analytix.W011"
    assert "APP_DIRS" in (message.hint or "")


WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"


@pytest.mark.parametrize(
    ("root", "url", "expected"),
    [
        (None, None, []),  # the defaults: STATIC_ROOT at STATIC_URL
        ("static-root", "/static/", []),
        ("static-root/c", "/static/c/", []),
        ("elsewhere", None, ["analytix.W012"]),  # outside STATIC_ROOT: whitenoise never sees it
        (None, "/compressed/", ["analytix.W012"]),  # right files, a URL whitenoise ignores
        ("static-root/sub", "/static/", ["analytix.W012"]),  # under STATIC_ROOT, wrong URL
    ],
)
def test_check_warns_where_whitenoise_never_serves_the_offline_bundle(
    offline_on: Any, tmp_path: Path, root: str | None, url: str | None, expected: list[str]
) -> None:
    offline_on.MIDDLEWARE = [WHITENOISE, *offline_on.MIDDLEWARE]
    offline_on.STATIC_ROOT = str(tmp_path / "static-root")
    offline_on.STATIC_URL = "/static/"
    offline_on.COMPRESS_ROOT = str(tmp_path / root) if root else None
    offline_on.COMPRESS_URL = url
    messages = check_compressor()
    assert [m.id for m in messages] == expected
    for message in messages:
        assert "COMPRESS_ROOT" in message.msg and "STATIC_ROOT" in (message.hint or "")


def test_check_runs_in_production_settings_without_compress_enabled_set(
    settings: Any, tmp_path: Path
) -> None:
    # `manage.py check --deploy` with DEBUG off: COMPRESS_ENABLED's default (not DEBUG) is on.
    del settings.COMPRESS_ENABLED
    settings.DEBUG = False
    settings.COMPRESS_OFFLINE = True
    settings.MIDDLEWARE = [WHITENOISE, *settings.MIDDLEWARE]
    settings.COMPRESS_ROOT = str(tmp_path)
    assert [m.id for m in check_compressor()] == ["analytix.W012"]


def test_check_is_quiet_when_compression_is_off(settings: Any) -> None:
    settings.COMPRESS_ENABLED = False
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    assert check_compressor() == []


# --- in the browser, with a nonce-only Content-Security-Policy ---------------------------


def csp_page(request: HttpRequest, area: str) -> HttpResponse:
    nonce = secrets.token_urlsafe(16)
    html = Template(PAGE_SOURCE).render(RequestContext(request, {"area": area, "csp_nonce": nonce}))
    response = HttpResponse(html)
    response["Content-Security-Policy"] = (
        f"script-src 'nonce-{nonce}'; object-src 'none'; base-uri 'none'"
    )
    return response


urlpatterns = [path("csp/<str:area>/", csp_page)]

CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.blockedURI + " " + event.violatedDirective);
});
"""


@pytest.mark.browser
@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize("mode", ["online", "offline"])
def test_browser_loads_vendors_and_logs_with_compressor_on(
    request: pytest.FixtureRequest, open_page: Any, mode: str
) -> None:
    configured = request.getfixturevalue(mode)
    configured.ANALYTICS_CONFIG = {**configured.ANALYTICS_CONFIG, "LOG_LEVEL": "verbose"}
    browser_page = open_page("fake")
    browser_page.page.add_init_script(CSP_VIOLATIONS)
    browser_page.goto("/csp/signup/")
    expected = {h for h, s in VENDOR_HOSTS.items() if s in DEFAULT_AREAS["signup"]}
    browser_page.page.wait_for_function(
        "n => (window.__fakeVendorsRan || []).length >= n", arg=len(expected)
    )
    srcs = browser_page.page.eval_on_selector_all(
        "script[src]", "els => els.map(e => e.getAttribute('src'))"
    )
    # start.js's, then the main script start.js inserted (here at once: verbose).
    first_party = [s for s in site_paths(srcs) if s.startswith("/static/")]
    if mode == "online":  # the prebuilt files: compressor writes no bundle at run time
        assert first_party == [*plain_srcs(), f"/static/{page_scripts.MAIN_MINIFIED_SCRIPT}"]
    else:
        assert len(first_party) == 2 and all(BUNDLE_SRC.fullmatch(src) for src in first_party)
    assert browser_page.requested_hosts() == expected
    lines = browser_page.console_lines()
    assert "[VERBOSE] HubSpot | loaded https://js.hs-scripts.com/1234567.js" in lines
    assert any(line.startswith("[DEBUG] Meta Pixel | on:") for line in lines)
    assert browser_page.page.evaluate("window.__cspViolations") == []
    assert browser_page.errors == []
