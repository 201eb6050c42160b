"""Every system check of the package, one module per concern. Importing this package (as
`apps.py` does when Django is ready) registers them all.

Ids are stable; each message says what is wrong and its hint says how to fix it.
"""

from analytix_frontend.checks import (
    caches,
    consent,
    consent_sources,
    csp,
    delivery,
    plan,
    privacy,
    server,
    settings,
    triggers,
)

__all__ = [
    "caches",
    "consent",
    "consent_sources",
    "csp",
    "delivery",
    "plan",
    "privacy",
    "server",
    "settings",
    "triggers",
]
