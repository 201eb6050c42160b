"""Identity: what the page may tell vendors about the signed-in user, only when the project
opts in with `ANALYTICS_CONFIG["IDENTITY"]`, and only plain values.

A value is sent only when it is a string, a whole or finite number, a boolean or None; a
date, time or UUID is sent as its ISO / canonical text. Anything else (a method such as
`get_full_name`, a related object, a list) is left out and logged, never turned into text:
`str()` of a bound method is `"<bound method … of <User: alice>>"`.
"""

from __future__ import annotations

import datetime
import logging
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("analytix_frontend")

IdentityValue = str | int | float | bool | None
PLAIN_TYPES = "a string, number, boolean, None, date, time or UUID"


@dataclass(frozen=True)
class IdentitySettings:
    id_attribute: str  # the user attribute sent as the vendor's user id ("pk" by default)
    traits: tuple[str, ...]  # user attributes sent as traits: only those listed, ever


class NotPlain(Exception):
    """A user attribute whose value may not reach the page; the message says why."""


def is_sendable_attribute(name: Any) -> bool:
    """A user attribute the identity may name (its id or a trait): never the password hash
    or a private attribute."""
    return isinstance(name, str) and name.isidentifier() and name != "password" and name[0] != "_"


def read_settings(value: Any) -> IdentitySettings | None:
    """None: no identity ever reaches the page."""
    if value is True:
        return IdentitySettings("pk", ())
    if not isinstance(value, Mapping):
        return None
    id_attribute = value.get("ID_ATTRIBUTE", "pk")
    traits = value.get("TRAITS", ())
    return IdentitySettings(
        id_attribute if is_sendable_attribute(id_attribute) else "pk",
        tuple(t for t in traits if is_sendable_attribute(t))
        if isinstance(traits, (list, tuple))
        else (),
    )


def plain_value(value: Any) -> IdentityValue:
    """The value as the page may carry it, or NotPlain."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        raise NotPlain("is not a finite number")  # NaN and Infinity are not JSON
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if callable(value):
        raise NotPlain("is a method or other callable; name a plain attribute (a field)")
    raise NotPlain(f"is a {type(value).__name__}, not {PLAIN_TYPES}")


def _user_value(user: Any, name: str) -> IdentityValue:
    """One attribute of the user, or NotPlain (logged). A missing attribute is None; one
    that raises (a property of the project's user model) is left out, never a 500."""
    try:
        return plain_value(getattr(user, name, None))
    except NotPlain as why:
        logger.warning("analytix: user.%s %s; it is left out of the identity", name, why)
        raise
    except Exception:
        logger.warning("analytix: reading user.%s for the identity raised", name, exc_info=True)
        raise NotPlain("raised") from None


def identity_for(settings: IdentitySettings | None, request: Any) -> dict[str, Any] | None:
    """`{"id", "traits"}` for a signed-in user; traits hold only the attributes listed in
    "TRAITS" whose values are plain. No identity when the id is not a string, whole number
    or UUID (a page never carries a made-up id)."""
    if settings is None or request is None:
        return None
    user = getattr(request, "user", None)
    if user is None or getattr(user, "is_authenticated", False) is not True:
        return None
    try:
        user_id = _user_value(user, settings.id_attribute)
    except NotPlain:
        return None
    if user_id is None or user_id == "" or isinstance(user_id, (bool, float)):
        return None
    traits: dict[str, IdentityValue] = {}
    for name in settings.traits:
        try:
            traits[name] = _user_value(user, name)
        except NotPlain:
            continue
    return {"id": str(user_id), "traits": traits}
