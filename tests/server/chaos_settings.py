"""Settings of the chaos test's own processes (its web process and workers), and of the
delivery benchmark's (benchmarks/delivery.py), from the environment they give them: the
dispatch mode, the database (a SQLite file or a PostgreSQL server of their own), the fake
vendor's URL, the broker."""

import os
from importlib.util import find_spec

from tests.settings import ANALYTICS_IDS

SECRET_KEY = "chaos-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
ROOT_URLCONF = "tests.server.chaos_app"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "analytix_frontend",
    *(["django_tasks"] if find_spec("django.tasks") is None else []),  # the 5.2 backport
    "django_tasks_db",
]
MIDDLEWARE: list[str] = []
if os.environ.get("ANALYTIX_CHAOS_PG_PORT"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("ANALYTIX_CHAOS_PG_NAME", "chaos"),
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": os.environ["ANALYTIX_CHAOS_PG_PORT"],
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ["ANALYTIX_CHAOS_DB"],
            # Writers queue up for the lock instead of failing (several processes write);
            # WAL lets readers go on while one writes, as a production SQLite would be set up.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
# The benchmark keeps connections, as a production site would (each new PostgreSQL connection
# forks a server process); the chaos test opens one per request or task, Django's default.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("ANALYTIX_CHAOS_CONN_MAX_AGE", "0"))
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SERVER_ENVIRONMENT = "production"
VENDOR = os.environ.get("ANALYTIX_CHAOS_VENDOR", "http://127.0.0.1:9")
TOKEN = "pat-na1-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
ANALYTICS_IDS = {**ANALYTICS_IDS, "HUBSPOT_ACCESS_TOKEN": TOKEN}
ANALYTICS_CONFIG = {
    "SERVER": {
        "DISPATCH": os.environ.get("ANALYTIX_CHAOS_DISPATCH", "inline"),
        "TIMEOUT": 2.0,  # a hang costs this much; a quick answer must always fit in it
        "RETRIES": 5,
        "BACKOFF": 0.05,
        "MAX_DELAY": 1.0,
        # A killed sender's call goes back in line this long after its claim (the benchmark,
        # benchmarks/delivery.py, sets a long one and no sweep: its backlog is on purpose).
        "LEASE": float(os.environ.get("ANALYTIX_CHAOS_LEASE", "6")),
        "SWEEP": float(os.environ.get("ANALYTIX_CHAOS_SWEEP", "1")),
        "HUBSPOT_API_URL": VENDOR,
        "HUBSPOT_FORMS_URL": VENDOR,
        "KISSMETRICS_URL": VENDOR,
    }
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(process)d %(levelname)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "analytix_frontend.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django_tasks_db": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "celery": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}
