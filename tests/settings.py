"""Settings for the test suite: the repository's static/ and templates/ stand in for the
copies the wheel carries inside the package (tests/test_wheel.py checks the wheel)."""

import os
import tempfile
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SECRET_KEY = "tests-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
ROOT_URLCONF = "tests.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "compressor",
    "analytix_frontend",
]
MIDDLEWARE = [
    # Deletes declined vendors' cookies on the next response; inert unless CONSENT is on and
    # the visitor declined (tests/consent/test_banner_browser.py).
    "analytix_frontend.consent.middleware.ConsentCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-csp: no policy by default (CONTENT_SECURITY_POLICY is unset, so no header); the
    # test views in tests/privacy_views.py set one per view. It also gives request.csp_nonce.
    "csp.middleware.CSPMiddleware",
]
# The test database is a file, not SQLite's shared in-memory one: the server tests' sending
# threads and worker processes use it beside the test's own connection, and a shared-cache
# memory database fails at once ("table is locked") where a file waits its turn.
TEST_DATABASE = Path(tempfile.gettempdir()) / f"analytix-tests-{os.getpid()}.sqlite3"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "TEST": {"NAME": str(TEST_DATABASE)},
    }
}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [ROOT / "templates", ROOT / "tests" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
STATIC_URL = "/static/"
STATIC_ROOT = ROOT / ".test-static-root"
STATICFILES_DIRS = [ROOT / "static", ROOT / "tests" / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "compressor.finders.CompressorFinder",
]
COMPRESS_ENABLED = False

# DISPATCH = "tasks" (tests/server/test_tasks.py): Django's Tasks framework (django.tasks on
# Django 6, the django-tasks backport on 5.2) and django-tasks-db's tables in the test database.
if find_spec("django.tasks") is None:
    INSTALLED_APPS.append("django_tasks")
INSTALLED_APPS.append("django_tasks_db")

SERVER_ENVIRONMENT = "production"
ANALYTICS_IDS = {
    "GOOGLE_ANALYTICS_API_ID": "G-ABC123DEF4",
    "HUBSPOT_API_ID": "1234567",
    "DRIFT_ID": "abc123xyz789",
    "FULLSTORY_ID": "o-1ABCDE-na1",
    "FACEBOOK_PIXEL_ID": "123456789012345",
    "KISSMETRICS_KEY": "0123456789abcdef0123456789abcdef01234567",
}
# Every service at "ready" (as before load triggers), so tests see each vendor start after
# DOMContentLoaded; tests/test_browser_triggers.py checks the shipped defaults.
ALL_READY = {
    name: "ready"
    for name in ("google", "hubspot", "kissmetrics", "drift", "fullstory", "facebook_pixel")
}
ANALYTICS_CONFIG = {"LOG_LEVEL": "warning", "LOAD": ALL_READY}

# django-debug-toolbar (the [debug-toolbar] extra, Django 5.2+): installed for the whole run so
# the live server's middleware chain has it, but shown only to requests carrying this cookie
# (tests/test_debug_toolbar.py), so every other test sees the pages as before.
TOOLBAR_COOKIE = "analytix_test_toolbar"
if find_spec("debug_toolbar") is not None:
    INSTALLED_APPS.append("debug_toolbar")
    MIDDLEWARE.insert(0, "debug_toolbar.middleware.DebugToolbarMiddleware")
    DEBUG_TOOLBAR_PANELS = [
        "debug_toolbar.panels.history.HistoryPanel",
        "debug_toolbar.panels.headers.HeadersPanel",
        "analytix_frontend.debug_toolbar.AnalytixPanel",
    ]
    DEBUG_TOOLBAR_CONFIG = {
        "SHOW_TOOLBAR_CALLBACK": lambda request: request.COOKIES.get(TOOLBAR_COOKIE) == "on",
        "IS_RUNNING_TESTS": False,
    }
