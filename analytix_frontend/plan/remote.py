"""`analytix_plan check --remote`: does the HubSpot portal have each contact property that the
plan declares or the code sets, with a matching type?

One read-only request, HubSpot's CRM properties API (`GET /crm/v3/properties/contacts`), with
the private-app token (ANALYTICS_IDS["HUBSPOT_ACCESS_TOKEN"], which needs the
`crm.schemas.contacts.read` scope), sent only to ANALYTICS_CONFIG["SERVER"]["HUBSPOT_API_URL"].
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

from analytix_frontend.plan.model import ContactProperty, Plan, Where
from analytix_frontend.plan.scan import HUBSPOT_PROPERTY, Found
from analytix_frontend.server.config import ACCESS_TOKEN_SETTING, access_token, read_server_settings

# The HubSpot property types each plan type may be.
HUBSPOT_TYPES = {
    "string": {"string", "enumeration", "phone_number"},
    "integer": {"number"},
    "number": {"number"},
    "boolean": {"bool", "enumeration"},
    "date": {"date"},
    "datetime": {"datetime"},
}


class RemoteError(Exception):
    """HubSpot could not be asked: the message says why (never the token)."""


@dataclass(frozen=True)
class RemoteFinding:
    where: Where
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def portal_properties(timeout: float | None = None) -> dict[str, str]:
    """{internal name: HubSpot type} of the portal's contact properties."""
    token = access_token()
    if not token:
        raise RemoteError(f"ANALYTICS_IDS[{ACCESS_TOKEN_SETTING!r}] is not set")
    config = read_server_settings()
    url = f"{config.hubspot_api_url}/crm/{config.hubspot_crm_version}/properties/contacts"
    request = urllib.request.Request(
        url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout or config.timeout) as response:
            body = json.load(response)
    except urllib.error.HTTPError as error:
        hint = (
            " (the token lacks the crm.schemas.contacts.read scope?)" if error.code == 403 else ""
        )
        raise RemoteError(f"HubSpot answered {error.code}{hint}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise RemoteError(f"HubSpot could not be asked: {type(error).__name__}") from None
    results = body.get("results") if isinstance(body, dict) else None
    if not isinstance(results, list):
        raise RemoteError("HubSpot's answer has no list of results")
    return {
        str(item["name"]): str(item.get("type", ""))
        for item in results
        if isinstance(item, dict) and "name" in item
    }


def remote_findings(
    plan: Plan, found: Iterable[Found], portal: dict[str, str]
) -> list[RemoteFinding]:
    """Contact properties the plan declares or the code sets that the portal lacks or types
    differently."""
    findings = []
    planned: dict[str, ContactProperty] = dict(plan.contact(HUBSPOT_PROPERTY))
    for prop in planned.values():
        kind = portal.get(prop.name)
        if kind is None:
            findings.append(
                RemoteFinding(
                    prop.where,
                    f"the HubSpot portal has no contact "
                    f"property {prop.name!r}: ask marketing to create it "
                    f"(type {prop.type}) before deploying",
                )
            )
        elif kind not in HUBSPOT_TYPES.get(prop.type, {kind}):
            findings.append(
                RemoteFinding(
                    prop.where,
                    f"HubSpot contact property {prop.name!r} "
                    f"is of type {kind!r} in the portal, {prop.type!r} in "
                    "the plan",
                )
            )
    for item in found:
        if item.kind == HUBSPOT_PROPERTY and item.name not in planned and item.name not in portal:
            findings.append(
                RemoteFinding(
                    item.where,
                    f"this code sets the HubSpot contact "
                    f"property {item.name!r}, which the portal lacks: "
                    "HubSpot answers PROPERTY_DOESNT_EXIST",
                )
            )
    return findings
