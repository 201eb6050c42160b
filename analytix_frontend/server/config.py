"""The server-side settings, `ANALYTICS_CONFIG["SERVER"]`, read at use time.

A malformed value never raises here: it falls back to its default, and the system checks in
`checks/server.py` tell the user what to fix. Defaults for the back-off depend on the
dispatcher: the inline one holds a background thread while it waits, so it waits seconds;
a task queue (Django's Tasks framework, Celery) waits in its queue, so it can afford minutes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from analytix_frontend.decide.settings import raw_id

INLINE = "inline"
TASKS = "tasks"
CELERY = "celery"

DEFAULT_URLS = {
    "HUBSPOT_API_URL": "https://api.hubapi.com",
    "HUBSPOT_FORMS_URL": "https://api.hsforms.com",
    "KISSMETRICS_URL": "https://trk.kissmetrics.io",
}
DEFAULT_TIMEOUT = 5.0
MAX_TIMEOUT = 60.0
DEFAULT_RETRIES = 5
MAX_RETRIES = 10
DEFAULT_TASKS_BACKEND = "default"
# Durable delivery (server/models.py): how long a claim on a record lasts before another
# process may send it again, how often each web process looks for calls left behind, and how
# long finished records (personal data) are kept.
DEFAULT_LEASE = 120.0
DEFAULT_SWEEP = 60.0
DEFAULT_RETENTION_DAYS = 30
DEFAULT_CRM_VERSION = "v3"
CRM_VERSION = re.compile(r"v[0-9]{1,2}", re.ASCII)  # it goes into the URL path
# (BACKOFF, MAX_DELAY) in seconds, per dispatcher.
DEFAULT_BACKOFF = {INLINE: (0.5, 10.0), TASKS: (5.0, 300.0), CELERY: (5.0, 300.0)}

ACCESS_TOKEN_SETTING = "HUBSPOT_ACCESS_TOKEN"

SERVER_KEYS = frozenset(
    {
        "DISPATCH",
        "TASKS_BACKEND",
        "TIMEOUT",
        "RETRIES",
        "BACKOFF",
        "MAX_DELAY",
        "OPT_OUT",
        "CLIENT_IP_HEADER",
        "HUBSPOT_CRM_VERSION",
        "LEASE",
        "SWEEP",
        "RETENTION_DAYS",
        *DEFAULT_URLS,
    }
)


@dataclass(frozen=True)
class ServerSettings:
    dispatch: str  # "inline", "tasks", "celery" or a dotted path to a callable
    tasks_backend: str  # the alias in settings.TASKS that "tasks" enqueues on
    timeout: float  # seconds, for each HTTP attempt
    retries: int  # retries after the first attempt, for transient failures only
    backoff: float  # first retry's delay in seconds; doubles on each retry (with jitter)
    max_delay: float  # longest single wait, also caps a server's Retry-After
    opt_out: str  # dotted path to `(request, person) -> bool`, or ""
    client_ip_header: str  # the proxy header that carries the client IP, or "" for REMOTE_ADDR
    hubspot_crm_version: str
    hubspot_api_url: str
    hubspot_forms_url: str
    kissmetrics_url: str
    lease: float  # seconds a claim on a record lasts (more than TIMEOUT)
    sweep: float  # seconds between a web process's looks for calls left behind; 0: never
    retention_days: int  # finished records older than this are purged by analytix_calls


def server_config() -> Mapping[str, Any]:
    config = getattr(settings, "ANALYTICS_CONFIG", None)
    server = config.get("SERVER") if isinstance(config, Mapping) else None
    return server if isinstance(server, Mapping) else {}


def access_token() -> str:
    """The HubSpot private-app token, or "" when unset. Never log or display it."""
    ids = getattr(settings, "ANALYTICS_IDS", None)
    return raw_id(ids, ACCESS_TOKEN_SETTING) if isinstance(ids, Mapping) else ""


def is_printable_ascii(value: str) -> bool:
    """What an HTTP header can carry as it is: a pasted zero-width or non-breaking space is
    not (httpx would raise, quoting the header in the exception)."""
    return value.isascii() and value.isprintable()


def _number(value: Any, default: float, *, minimum: float, maximum: float = 86400) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    if not minimum <= value <= maximum:
        return default
    return float(value)


def _text(value: Any, default: str) -> str:
    return value.strip() if isinstance(value, str) and value.strip() else default


def _url(server: Mapping[str, Any], key: str) -> str:
    value = _text(server.get(key), DEFAULT_URLS[key])
    return value.rstrip("/") if value.startswith(("https://", "http://")) else DEFAULT_URLS[key]


def read_server_settings() -> ServerSettings:
    server = server_config()
    dispatch = _text(server.get("DISPATCH"), INLINE)
    backoff, max_delay = DEFAULT_BACKOFF.get(dispatch, DEFAULT_BACKOFF[CELERY])
    retries = server.get("RETRIES", DEFAULT_RETRIES)
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= MAX_RETRIES:
        retries = DEFAULT_RETRIES
    timeout = _number(server.get("TIMEOUT"), DEFAULT_TIMEOUT, minimum=0.001, maximum=MAX_TIMEOUT)
    retention = server.get("RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    if isinstance(retention, bool) or not isinstance(retention, int) or retention < 1:
        retention = DEFAULT_RETENTION_DAYS
    crm_version = _text(server.get("HUBSPOT_CRM_VERSION"), DEFAULT_CRM_VERSION)
    if not CRM_VERSION.fullmatch(crm_version):
        crm_version = DEFAULT_CRM_VERSION
    lease = _number(server.get("LEASE"), DEFAULT_LEASE, minimum=1)
    return ServerSettings(
        dispatch=dispatch,
        tasks_backend=_text(server.get("TASKS_BACKEND"), DEFAULT_TASKS_BACKEND),
        timeout=timeout,
        retries=retries,
        backoff=_number(server.get("BACKOFF"), backoff, minimum=0),
        max_delay=_number(server.get("MAX_DELAY"), max_delay, minimum=0),
        opt_out=_text(server.get("OPT_OUT"), ""),
        client_ip_header=_text(server.get("CLIENT_IP_HEADER"), ""),
        hubspot_crm_version=crm_version,
        hubspot_api_url=_url(server, "HUBSPOT_API_URL"),
        hubspot_forms_url=_url(server, "HUBSPOT_FORMS_URL"),
        kissmetrics_url=_url(server, "KISSMETRICS_URL"),
        # A lease shorter than an attempt would let a second process send a call that is
        # still being sent: never less than twice TIMEOUT.
        lease=max(lease, 2 * timeout),
        sweep=_number(server.get("SWEEP"), DEFAULT_SWEEP, minimum=0),
        retention_days=retention,
    )
