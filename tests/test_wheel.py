"""The built wheel works in a brand-new project, with this checkout nowhere on sys.path.

One session fixture builds the sdist and the wheel (the wheel from the sdist, as `python -m
build` does), another makes a clean virtualenv (no system site-packages) with the wheel and
Django installed. Each test then creates a project with `django-admin startproject`, adds the
app and renders a page through Django's test client in a subprocess run from a tmp cwd.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import django
import pytest

from analytix_frontend.page import scripts as page_scripts
from tests import settings as test_settings
from tests.html import enabled_services, page_config, scripts

pytestmark = pytest.mark.wheel

CHECKOUT = Path(__file__).resolve().parent.parent

# Appended to the generated settings.py; SMOKE_MODE picks one deployment style.
SETTINGS_TAIL = """
# --- added by analytix_frontend's wheel test ---
import os
SMOKE_MODE = os.environ["SMOKE_MODE"]
DEBUG = SMOKE_MODE == "debug"
ALLOWED_HOSTS = ["testserver"]
INSTALLED_APPS += ["analytix_frontend"]
TEMPLATES[0]["DIRS"] = [BASE_DIR / "templates"]
STATIC_ROOT = BASE_DIR / "static-root"
SERVER_ENVIRONMENT = "production"
ANALYTICS_IDS = {ids!r}
if SMOKE_MODE in ("manifest", "compress"):  # the usual production pair
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
if SMOKE_MODE == "compress":
    INSTALLED_APPS += ["compressor"]
    STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.FileSystemFinder",
        "django.contrib.staticfiles.finders.AppDirectoriesFinder",
        "compressor.finders.CompressorFinder",
    ]
    COMPRESS_ENABLED = True
    COMPRESS_OFFLINE = True
""".replace("{ids!r}", repr(test_settings.ANALYTICS_IDS))

URLS_TAIL = """
# --- added by analytix_frontend's wheel test ---
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.views.generic import TemplateView

urlpatterns += [path("", TemplateView.as_view(template_name="page.html"))]
urlpatterns += staticfiles_urlpatterns()  # only when DEBUG
"""

PAGE = """{% load analytix %}<!doctype html>
<html><head><title>smoke</title>{% analytics_scripts "signup" %}</head><body></body></html>
"""

# Runs inside the fresh virtualenv: renders the page, then reports on every script it names.
RENDER_SCRIPT = """
import json, os, sys
from html.parser import HTMLParser

import django
django.setup()
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client

import analytix_frontend

class Sources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.srcs = []
    def handle_starttag(self, tag, attrs):
        # Each script's src, then the main script's URLs its start.js tag names.
        if tag == "script" and dict(attrs).get("src"):
            self.srcs.append(dict(attrs)["src"])
            self.srcs.extend((dict(attrs).get("data-analytix-main") or "").split())

response = Client().get("/")
html = response.content.decode()
parser = Sources()
parser.feed(html)
report = {"status": response.status_code, "html": html, "package": analytix_frontend.__file__,
          "sys_path": sys.path, "scripts": []}
for src in parser.srcs:
    path = "/" + src[2:].partition("/")[2] if src.startswith("//testserver/") else src
    name = path[len(settings.STATIC_URL):] if path.startswith(settings.STATIC_URL) else None
    entry = {"src": src, "name": name}
    if name is not None:
        entry["found_by_finders"] = finders.find(name) is not None
        entry["in_static_root"] = staticfiles_storage.exists(name)
        if settings.DEBUG:
            served = Client().get(src)
            body = b"".join(served.streaming_content) if served.streaming else served.content
            entry["served_status"] = served.status_code
            entry["served_bytes"] = len(body)
        elif entry["in_static_root"]:
            with staticfiles_storage.open(name) as handle:
                entry["static_root_text"] = handle.read().decode()
    report["scripts"].append(entry)
print(json.dumps(report))
"""


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} failed ({result.returncode}):\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result.stdout


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that would put this checkout on sys.path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "DJANGO_"))}
    env.pop("VIRTUAL_ENV", None)
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def dist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", out, CHECKOUT], cwd=out, env=_clean_env())
    return out


@pytest.fixture(scope="session")
def wheel_path(dist_dir: Path) -> Path:
    wheels = list(dist_dir.glob("analytix_frontend-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="session")
def wheel_python(tmp_path_factory: pytest.TempPathFactory, wheel_path: Path) -> Path:
    """A clean virtualenv with the wheel, the running Django version and django-compressor."""
    root = tmp_path_factory.mktemp("wheel-venv")
    venv.create(root, with_pip=True, system_site_packages=False)
    python = root / "bin" / "python"
    compressor_version = _installed_version("django-compressor")
    _run(
        [
            python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
            wheel_path, f"django=={django.__version__}",
            f"django-compressor=={compressor_version}",
        ],
        cwd=root,
        env=_clean_env(),
    )  # fmt: skip
    return python


def _installed_version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


@pytest.fixture
def project(tmp_path: Path, wheel_python: Path) -> Iterator[Path]:
    """A brand-new `startproject` project using the installed app; yields its directory."""
    bin_dir = wheel_python.parent
    _run([bin_dir / "django-admin", "startproject", "smokesite", tmp_path], cwd=tmp_path)
    with open(tmp_path / "smokesite" / "settings.py", "a") as handle:
        handle.write(SETTINGS_TAIL)
    with open(tmp_path / "smokesite" / "urls.py", "a") as handle:
        handle.write(URLS_TAIL)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(PAGE)
    (tmp_path / "render_page.py").write_text(RENDER_SCRIPT)
    yield tmp_path


def _manage(project: Path, python: Path, mode: str, *args: str) -> str:
    env = _clean_env(SMOKE_MODE=mode, DJANGO_SETTINGS_MODULE="smokesite.settings")
    return _run([python, project / "manage.py", *args], cwd=project, env=env)


def _render(project: Path, python: Path, mode: str) -> dict[str, object]:
    env = _clean_env(SMOKE_MODE=mode, DJANGO_SETTINGS_MODULE="smokesite.settings")
    report = json.loads(_run([python, project / "render_page.py"], cwd=project, env=env))
    # The app came from the wheel in the fresh venv, never from this checkout.
    assert str(wheel_python_site(python)) in str(report["package"])
    assert not any(str(CHECKOUT) == str(Path(p).resolve()) for p in report["sys_path"] if p)
    assert report["status"] == 200
    return report


BUILT = (page_scripts.MINIFIED_SCRIPT, page_scripts.MAIN_MINIFIED_SCRIPT)


def wheel_python_site(python: Path) -> Path:
    return python.parent.parent / "lib"


def test_wheel_carries_the_static_files_templates_and_types(wheel_path: Path) -> None:
    names = set(zipfile.ZipFile(wheel_path).namelist())
    for path in (*page_scripts.all_script_files(), *BUILT):
        assert f"analytix_frontend/static/{path}" in names
    assert any(
        re.fullmatch(r"analytix_frontend/static/analytix/js/vendors/[\w-]+\.js", n) for n in names
    )
    assert "analytix_frontend/templates/analytics/bundle.html" in names
    assert "analytix_frontend/templates/analytics/bundle_main.html" in names
    assert "analytix_frontend/templatetags/analytix.py" in names
    assert "analytix_frontend/py.typed" in names
    assert "analytix_frontend/static/analytix/js/analytix.d.ts" in names  # page code's types
    assert "analytix_frontend/static/analytix/css/launcher.css" in names  # the Drift facade
    assert "analytix_frontend/templates/analytics/debug_toolbar_panel.html" in names
    assert not any(n.startswith(("tests/", "test/", "node_modules/")) for n in names)
    assert not any(n.endswith(("easylist.txt", "easyprivacy.txt")) for n in names)  # test data


def test_sdist_carries_the_sources_and_tests(dist_dir: Path) -> None:
    (sdist,) = dist_dir.glob("analytix_frontend-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert "static/analytix/js/boot.js" in names
    assert "templates/analytics/bundle.html" in names
    assert "tests/test_wheel.py" in names
    # The ad-block tests' data, with its source and licence, so they run from the sdist too.
    for name in ("easylist.txt", "easyprivacy.txt", "SOURCE.md"):
        assert f"tests/data/filters/{name}" in names
    assert "pyproject.toml" in names
    assert not any(n.startswith("node_modules/") for n in names)


def test_new_project_renders_finds_and_serves_every_script(
    project: Path, wheel_python: Path
) -> None:
    check = _manage(project, wheel_python, "debug", "check")
    assert "System check identified no issues" in check
    report = _render(project, wheel_python, "debug")
    html = str(report["html"])
    assert sorted(enabled_services(html)) == sorted(
        ["google", "hubspot", "kissmetrics", "drift", "fullstory", "facebook_pixel"]
    )
    assert page_config(html)["area"] == "signup"
    entries = report["scripts"]
    assert isinstance(entries, list)
    srcs = [e["src"] for e in entries]
    (start,) = [s for s in scripts(html) if s.attrs.get("src")]
    assert srcs == [start.attrs["src"], *str(start.attrs["data-analytix-main"]).split()]
    # every vendor loader, whatever the area
    assert len(srcs) == len(page_scripts.all_script_files())
    for entry in entries:
        assert entry["name"], f"{entry['src']} is not under STATIC_URL"
        assert entry["found_by_finders"], f"staticfiles finders miss {entry['name']}"
        assert entry["served_status"] == 200, entry
        assert entry["served_bytes"] > 0, entry


def test_collectstatic_with_manifest_storage_gives_hashed_urls(
    project: Path, wheel_python: Path
) -> None:
    assert "System check identified no issues" in _manage(
        project, wheel_python, "manifest", "check"
    )
    _manage(project, wheel_python, "manifest", "collectstatic", "--noinput")
    manifest = json.loads((project / "static-root" / "staticfiles.json").read_text())
    for path in (*page_scripts.all_script_files(), *BUILT):
        assert path in manifest["paths"]
    report = _render(project, wheel_python, "manifest")
    entries = report["scripts"]
    assert isinstance(entries, list) and len(entries) == 2  # DEBUG off: the two minified files
    for entry in entries:
        assert re.search(r"\.[0-9a-f]{12}\.js$", entry["src"]), f"not hashed: {entry['src']}"
        assert entry["in_static_root"], entry
        assert manifest["paths"][entry["name"].rsplit(".", 2)[0] + ".js"] == entry["name"]


def test_offline_compression_with_manifest_storage_in_a_new_project(
    project: Path, wheel_python: Path
) -> None:
    assert "System check identified no issues" in _manage(
        project, wheel_python, "compress", "check"
    )
    _manage(project, wheel_python, "compress", "collectstatic", "--noinput")
    _manage(project, wheel_python, "compress", "compress")  # after collectstatic, as deployed
    report = _render(project, wheel_python, "compress")
    entries = report["scripts"]
    assert isinstance(entries, list) and len(entries) == 2, entries
    for bundle in entries:
        assert re.fullmatch(r"//testserver/static/CACHE/js/[\w.-]+\.js", bundle["src"]), bundle
        assert bundle["in_static_root"], bundle
        # The bundles hold the first-party code and none of the page's per-request data.
        text = bundle["static_root_text"]
        assert "1234567" not in text and "G-ABC123DEF4" not in text
    start, main = (bundle["static_root_text"] for bundle in entries)
    assert "data-analytix-main" in start and "readPageConfigs" not in start
    assert "registerVendor" in main and "readPageConfigs" in main
    assert enabled_services(str(report["html"]))  # the config block stays on the page


@pytest.mark.browser
def test_docs_quickstart_works_as_written(
    tmp_path: Path, wheel_path: Path, wheel_python: Path, browser: Any
) -> None:
    """docs/quickstart.md, step by step, in an empty directory with this wheel's virtualenv:
    its commands succeed and print, in the console of Chromium too, what the page quotes."""
    from tests.quickstart import run_quickstart

    run_quickstart(tmp_path, wheel_python, wheel_path, browser, _clean_env())
