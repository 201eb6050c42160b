"""Django settings for the benchmarks: analytix_frontend and django-analytical side by side.

The ids are the same fake-but-valid ones for both packages, so each renders its full output.
django-analytical reads its settings when a template first loads its tags; set them here.
"""

import os
from pathlib import Path

from tests.settings import ANALYTICS_IDS as TEST_IDS

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

SECRET_KEY = "benchmarks-only"
DEBUG = os.environ.get("BENCH_DEBUG") == "1"  # 1: the readable source files
ALLOWED_HOSTS = ["*"]
USE_TZ = True
ROOT_URLCONF = "benchmarks.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "analytix_frontend",
    "analytical",
]
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BENCH / "templates", ROOT / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
            "libraries": {"bench_floor": "benchmarks.floor"},
        },
    }
]
STATIC_URL = "/static/"
STATICFILES_DIRS = [ROOT / "static", BENCH / "static"]

# analytix_frontend: six services on the "signup" area.
SERVER_ENVIRONMENT = "production"
ANALYTICS_IDS = TEST_IDS  # the test suite's valid ids, all six set
ANALYTICS_CONFIG = {"LOG_LEVEL": "warning"}

# django-analytical: the four vendors both packages support.
GOOGLE_ANALYTICS_GTAG_PROPERTY_ID = "G-ABC123DEF4"
HUBSPOT_PORTAL_ID = "1234567"
FACEBOOK_PIXEL_ID = "123456789012345"
KISS_METRICS_API_KEY = "0123456789abcdef0123456789abcdef01234567"

# The package's fastest documented settings, for the vendor-cost run's "fastest" variant
# (benchmarks/vendorcost.py); merged over ANALYTICS_CONFIG.
FASTEST_CONFIG: dict[str, object] = {}
