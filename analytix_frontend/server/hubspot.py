"""HubSpot from the server: form submissions joined to the visitor's browsing history
(Forms API v3) and updates of existing contacts (CRM API, private-app token)."""

from __future__ import annotations

import ipaddress
import logging
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from analytix_frontend.decide.request import decide_request
from analytix_frontend.decide.services import SERVICES_BY_NAME
from analytix_frontend.decide.settings import get_settings
from analytix_frontend.plan.runtime import server_contact
from analytix_frontend.server.calls import Call, text_value
from analytix_frontend.server.config import ACCESS_TOKEN_SETTING, access_token, read_server_settings
from analytix_frontend.server.dispatch import dispatch
from analytix_frontend.server.gate import gpc_refuses, log_skip, never_raises, why_skip

logger = logging.getLogger("analytix_frontend.server")

HUBSPOT = SERVICES_BY_NAME["hubspot"]
VISITOR_COOKIE = "hubspotutk"
VISITOR_TOKEN = re.compile(r"[0-9a-f]{32}", re.ASCII | re.IGNORECASE)
FORM_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
EMAIL = re.compile(r"[^@\s/]+@[^@\s/]+", re.ASCII)


def hubspot_visitor_token(request: Any) -> str | None:
    """The visitor's `hubspotutk` cookie when it is well formed, marketing consent (when the
    project requires consent) allows using it and Global Privacy Control does not forbid
    it; else None."""
    if request is None:
        return None
    decision = decide_request(request)  # the same answer the page got
    if not decision.consents_to(HUBSPOT.category) or decision.gpc_refuses(HUBSPOT.category):
        return None
    value = (getattr(request, "COOKIES", None) or {}).get(VISITOR_COOKIE)
    return value if isinstance(value, str) and VISITOR_TOKEN.fullmatch(value) else None


def client_ip(request: Any) -> str | None:
    """REMOTE_ADDR, or, when SERVER["CLIENT_IP_HEADER"] names the header a trusted proxy sets,
    the last address in that header (the one the proxy added; earlier ones are the client's
    own claims). None when it is not an IP address."""
    header = read_server_settings().client_ip_header
    if header:
        candidate = str((getattr(request, "headers", None) or {}).get(header, "")).split(",")[-1]
    else:
        candidate = str((getattr(request, "META", None) or {}).get("REMOTE_ADDR", ""))
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


def _page_uri(request: Any) -> str | None:
    try:
        return str(request.build_absolute_uri())
    except Exception:  # e.g. DisallowedHost: the page is then simply not named
        return None


def visitor_context(request: Any, page_name: str | None) -> dict[str, str]:
    """The form submission's `context`, reduced to plain strings before anything is queued.
    A visitor who sent Global Privacy Control (for marketing) gets none of the tracking
    context: no hutk, page URL (it can carry ad click ids) or IP address."""
    context: dict[str, str | None] = {"pageName": page_name}
    if request is not None and not gpc_refuses(request, HUBSPOT.category):
        context.update(
            hutk=hubspot_visitor_token(request),
            pageUri=_page_uri(request),
            ipAddress=client_ip(request),
        )
    return {key: str(value) for key, value in context.items() if value}


@never_raises
def submit_hubspot_form(
    form_guid: str, fields: Mapping[str, Any], request: Any = None, *, page_name: str | None = None
) -> None:
    """Submits `fields` to a HubSpot form, with the visitor's context when `request` is given."""
    what = "HubSpot form submission"
    portal_id = get_settings().valid_ids.get(HUBSPOT.name)
    if not portal_id:
        return log_skip(what, f"ANALYTICS_IDS[{HUBSPOT.id_setting!r}] is not set or not valid")
    if not isinstance(form_guid, str) or not FORM_GUID.fullmatch(form_guid):
        logger.warning("%s not sent: the form GUID is not a GUID.", what)
        return None
    if not isinstance(fields, Mapping):
        logger.warning("%s not sent: fields must be a dict of field name to value.", what)
        return None
    email = fields.get("email")
    person = email if isinstance(email, str) else None
    reason = why_skip(HUBSPOT.name, request=request, person=person, asked_by_visitor=True)
    if reason:
        return log_skip(what, reason)
    body = {
        "submittedAt": str(int(time.time() * 1000)),  # when the visitor sent it, not a retry
        "fields": [
            {"name": str(name), "value": text_value(value)}
            for name, value in fields.items()
            if value is not None
        ],
        "context": visitor_context(request, page_name),
    }
    base = read_server_settings().hubspot_forms_url
    dispatch(
        Call(
            service=HUBSPOT.label,
            action="form submission",
            method="POST",
            url=f"{base}/submissions/v3/integration/submit/{portal_id}/{form_guid.lower()}",
            json=body,
            repeat_safe=False,  # the Forms API has no idempotency key: a repeat is a second one
        )
    )
    return None


@never_raises
def update_hubspot_contact(
    email: str, properties: Mapping[str, Any], *, request: Any = None
) -> None:
    """Sets properties of the existing contact with this email; never creates one (a 404 is
    logged at info level and not retried). A None value clears that property."""
    what = "HubSpot contact update"
    if not access_token():
        return log_skip(what, f"ANALYTICS_IDS[{ACCESS_TOKEN_SETTING!r}] is not set")
    email = email.strip() if isinstance(email, str) else ""
    if not EMAIL.fullmatch(email):
        logger.warning("%s not sent: the email address is not valid.", what)
        return None
    if not isinstance(properties, Mapping) or not properties:
        logger.warning("%s not sent: properties must be a non-empty dict.", what)
        return None
    if not server_contact(HUBSPOT.name, properties):  # the tracking plan blocks it
        return None
    reason = why_skip(HUBSPOT.name, request=request, person=email)
    if reason:
        return log_skip(what, reason)
    config = read_server_settings()
    dispatch(
        Call(
            service=HUBSPOT.label,
            action="contact update",
            method="PATCH",
            url=f"{config.hubspot_api_url}/crm/{config.hubspot_crm_version}/objects/contacts/"
            + quote(email, safe="@"),
            params={"idProperty": "email"},
            json={"properties": {str(k): text_value(v) for k, v in properties.items()}},
            bearer=ACCESS_TOKEN_SETTING,
            missing_ok=True,
        )
    )
    return None
