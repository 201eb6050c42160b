"""Demo settings: every service on (fake ids), analytics forced on with DEBUG, verbose logs,
and local fake vendors (a service worker) so every state reaches "loaded" offline."""

from importlib.util import find_spec
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
# A strict policy, as a site should run it: our files and the vendors' hosts, the nonce on
# every script (the tag's, the demo's own, the toolbar's), nothing inline.
MIDDLEWARE: list[str] = ["csp.middleware.CSPMiddleware"]

# django-debug-toolbar with the analytix panel (the [debug-toolbar] extra, which setup.sh
# installs): this request's decisions, rules, nonce, scripts and server calls.
if find_spec("debug_toolbar") is not None:
    INSTALLED_APPS.append("debug_toolbar")
    MIDDLEWARE.insert(0, "debug_toolbar.middleware.DebugToolbarMiddleware")
    INTERNAL_IPS = ["127.0.0.1"]
    DEBUG_TOOLBAR_CONFIG = {"SHOW_COLLAPSED": True}  # the page first; "DjDT" opens it
    DEBUG_TOOLBAR_PANELS = [
        "analytix_frontend.debug_toolbar.AnalytixPanel",
        "debug_toolbar.panels.headers.HeadersPanel",
        "debug_toolbar.panels.templates.TemplatesPanel",
        "debug_toolbar.panels.staticfiles.StaticFilesPanel",
    ]

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
    # every vendor right after DOMContentLoaded, so the demo shows them all at once; remove
    # this to see the shipped load triggers (docs/vendors.md: idle, interaction, the facade)
    "LOAD": dict.fromkeys(
        ["google", "hubspot", "kissmetrics", "drift", "fullstory", "facebook_pixel"], "ready"
    ),
    # The tracking plan (docs/plan.md): the page checks each event against it and warns in
    # the console ("flag"); /plan/ shows it as a directory.
    "PLAN": DEMO / "analytics_plan.yaml",
    "PLAN_POLICY": "flag",
}

# Answer the vendor hosts with local fakes (demo/static/demo/fake-vendors-sw.js); False: the
# real vendors (unreachable from a machine without internet).
DEMO_FAKE_VENDORS = True

from csp.constants import NONCE, NONE, SELF  # noqa: E402

from analytix_frontend.csp import csp_sources, merge_directives  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": merge_directives(
        {
            "default-src": [SELF],
            "script-src": [SELF, NONCE],
            "style-src": [SELF],
            "img-src": [SELF, "data:"],
            "worker-src": [SELF],  # the fake vendors' service worker
            "object-src": [NONE],
            "base-uri": [NONE],
        },
        csp_sources(ids=ANALYTICS_IDS),
    )
}
