"""Demo settings: every service on (fake ids), analytics forced on with DEBUG, verbose logs,
and local fake vendors (a service worker) so every state reaches "loaded" offline."""

from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent
REPO = DEMO.parent

SECRET_KEY = "demo-only-not-secret"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "demo_site.urls"
INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "compressor",
    "analytix_frontend",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [DEMO / "templates", REPO / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {}
STATIC_URL = "/static/"
STATIC_ROOT = DEMO / "static-root"
STATICFILES_DIRS = [REPO / "static", DEMO / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "compressor.finders.CompressorFinder",
]

SERVER_ENVIRONMENT = "local"
ANALYTICS_IDS = {
    "GOOGLE_ANALYTICS_API_ID": "G-DEMO123456",
    "HUBSPOT_API_ID": "1234567",
    "DRIFT_ID": "demo12345678",
    "FULLSTORY_ID": "o-DEMO12-na1",
    "FACEBOOK_PIXEL_ID": "123456789012345",
    "KISSMETRICS_KEY": "0123456789abcdef0123456789abcdef01234567",
}
ANALYTICS_CONFIG = {
    "DEBUG": True,  # run analytics although SERVER_ENVIRONMENT is "local"
    "LOG_LEVEL": "verbose",
    "ENVIRONMENTS": ["production"],
}

# Answer the vendor hosts with local fakes (demo/static/demo/fake-vendors-sw.js); False: the
# real vendors (unreachable from a machine without internet).
DEMO_FAKE_VENDORS = True
