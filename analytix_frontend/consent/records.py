"""One decision as the page sends it: read strictly from the request body, then stored.

`read_decision(body)` turns at most `MAX_BODY` bytes of JSON into a `Decision` or raises
`Refused` with a short reason for the 400 answer; `record_fields` adds what the request says
(the user when signed in, the address only with `RECORD_IP`) and `store` writes the
`ConsentRecord`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analytix_frontend.consent.models import ConsentRecord
from analytix_frontend.decide.consent import CATEGORIES, CONSENT_ID, TAG, ConsentSettings
from analytix_frontend.decide.rules import internal
from analytix_frontend.decide.settings import AnalytixSettings

MAX_BODY = 4096  # bytes
ACTIONS = frozenset(ConsentRecord.Action.values)
SOURCES = frozenset(ConsentRecord.Source.values)
TC_STRING = re.compile(r"[A-Za-z0-9_\-.]{1,2000}", re.ASCII)  # base64url segments, "." between
MAX_PAGE = 500
REQUIRED_KEYS = ("id", "action", "categories", "version", "services", "source")


class Refused(ValueError):
    """A body that is not one decision; the message goes back to the page."""


@dataclass(frozen=True)
class Decision:
    consent_id: str
    action: str
    categories: tuple[str, ...]  # sorted, known, each once
    version_tag: str  # "" when the site has no VERSION
    services_tag: str
    source: str
    tc_string: str = ""
    page: str = ""


def _page_path(value: Any) -> str:
    """The page's path alone: a query string or fragment may hold personal data."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Refused("page must be a path")
    path = value.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or not path.isprintable():
        return ""
    return path[:MAX_PAGE]


def _field(data: Mapping[str, Any], key: str, pattern: re.Pattern[str] | None = None) -> str:
    value = data.get(key)
    if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
        raise Refused(f"{key} is malformed")
    return value


def read_decision(body: bytes) -> Decision:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nested too deep
        raise Refused("the body is not JSON") from None
    if not isinstance(data, dict):
        raise Refused("the body is not a JSON object")
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise Refused(f"missing: {', '.join(missing)}")
    categories = data["categories"]
    if not isinstance(categories, list) or any(c not in CATEGORIES for c in categories):
        raise Refused(f"categories must be a list of {', '.join(CATEGORIES)}")
    action = _field(data, "action")
    source = _field(data, "source")
    if action not in ACTIONS:
        raise Refused(f"action must be one of {', '.join(sorted(ACTIONS))}")
    if source not in SOURCES:
        raise Refused(f"source must be one of {', '.join(sorted(SOURCES))}")
    version = _field(data, "version")
    if version and not TAG.fullmatch(version):
        raise Refused("version is malformed")
    tc_string = data.get("tcString")
    if tc_string is not None and (source != "tcf" or not isinstance(tc_string, str)):
        raise Refused("tcString is for source 'tcf' only")
    if tc_string is not None and not TC_STRING.fullmatch(tc_string):
        raise Refused("tcString is malformed")
    return Decision(
        consent_id=_field(data, "id", CONSENT_ID),
        action=action,
        categories=tuple(sorted(set(categories))),
        version_tag=version,
        services_tag=_field(data, "services", TAG),
        source=source,
        tc_string=tc_string or "",
        page=_page_path(data.get("page")),
    )


def record_fields(decision: Decision, request: Any, config: AnalytixSettings) -> dict[str, Any]:
    """The record's fields for this decision from this request."""
    consent: ConsentSettings = config.privacy.consent
    user = getattr(request, "user", None)
    signed_in = getattr(user, "is_authenticated", False) is True
    address = None
    if consent.record_ip:
        found = internal.client_address(config.privacy.internal, request)
        address = str(found) if found is not None else None
    current = bool(consent.version_tag) and decision.version_tag == consent.version_tag
    return {
        "consent_id": decision.consent_id,
        "action": decision.action,
        "categories": ",".join(decision.categories),
        "version_tag": decision.version_tag,
        "version": consent.version if current else "",
        "services_tag": decision.services_tag,
        "source": decision.source,
        "tc_string": decision.tc_string,
        "page": decision.page,
        "user_pk": str(getattr(user, "pk", "")) if signed_in else "",
        "ip_address": address,
    }


def store(fields: Mapping[str, Any]) -> ConsentRecord:
    """Writes the record (a database error propagates: the view answers 503)."""
    return ConsentRecord.objects.create(**fields)


def as_log(fields: Mapping[str, Any]) -> str:
    """The record as one JSON line, for a person to store it again."""
    return json.dumps(dict(fields), sort_keys=True, default=str)
