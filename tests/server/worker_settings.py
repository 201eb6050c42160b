"""Settings of the real Celery worker in test_celery.py: the test settings plus the access
token and a HubSpot API URL pointing at that test's fake vendor."""

import os

from tests.settings import *  # noqa: F403
from tests.settings import ANALYTICS_IDS

ANALYTICS_IDS = {**ANALYTICS_IDS, "HUBSPOT_ACCESS_TOKEN": os.environ["ANALYTIX_TEST_TOKEN"]}
ANALYTICS_CONFIG = {
    "SERVER": {
        "DISPATCH": "celery",
        "RETRIES": 2,
        "TIMEOUT": 5.0,
        "BACKOFF": 0.1,
        "MAX_DELAY": 1.0,
        "HUBSPOT_API_URL": os.environ["ANALYTIX_TEST_VENDOR_URL"],
    }
}
