"""Settings of the real workers in test_celery.py and test_tasks.py: the test settings plus
the access token, every vendor URL pointing at that test's fake vendor, and the test run's
database (a file: the worker reads the records the test commits)."""

import os

from tests.settings import *  # noqa: F403
from tests.settings import ANALYTICS_IDS

DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["ANALYTIX_TEST_DB"]}
}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
VENDOR = os.environ["ANALYTIX_TEST_VENDOR_URL"]
ANALYTICS_IDS = {**ANALYTICS_IDS, "HUBSPOT_ACCESS_TOKEN": os.environ["ANALYTIX_TEST_TOKEN"]}
ANALYTICS_CONFIG = {
    "SERVER": {
        "DISPATCH": os.environ.get("ANALYTIX_TEST_DISPATCH", "celery"),
        "RETRIES": 2,
        "TIMEOUT": float(os.environ.get("ANALYTIX_TEST_TIMEOUT", "5")),
        "BACKOFF": 0.1,
        "MAX_DELAY": 1.0,
        "SWEEP": 0,
        "HUBSPOT_API_URL": VENDOR,
        "HUBSPOT_FORMS_URL": VENDOR,
        "KISSMETRICS_URL": VENDOR,
    }
}
