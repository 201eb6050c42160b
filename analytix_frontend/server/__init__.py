"""Server-side analytics calls: HubSpot forms and contacts, Kissmetrics events and properties.

Each call returns at once and never raises. It is skipped, with a debug log line, when its
keys are missing, outside an analytics environment, for a user who opted out, or without
consent; otherwise it is sent after the current transaction commits, by the dispatcher that
`ANALYTICS_CONFIG["SERVER"]["DISPATCH"]` names. See docs/server.md.
"""

from analytix_frontend.server.dispatch import flush
from analytix_frontend.server.hubspot import (
    hubspot_visitor_token,
    submit_hubspot_form,
    update_hubspot_contact,
)
from analytix_frontend.server.kissmetrics import (
    record_kissmetrics_event,
    set_kissmetrics_properties,
)
from analytix_frontend.server.sending import send

__all__ = [
    "flush",
    "hubspot_visitor_token",
    "record_kissmetrics_event",
    "send",
    "set_kissmetrics_properties",
    "submit_hubspot_form",
    "update_hubspot_contact",
]
