"""Helpers the consent tests share: requests, the page's consent part, tags computed the way
the contract defines them (independently of the code under test)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from tests.html import page_config

CONSENT_ID = "Yq3sN0v2Rk6bW9xT1cZp8A"  # 22 characters of base64url
# The test settings' six services, as "name:category", sorted (tests/settings.py)
SIX_SERVICES = (
    "drift:functional,facebook_pixel:marketing,fullstory:analytics,google:analytics,"
    "hubspot:marketing,kissmetrics:analytics"
)


def sha8(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


SERVICES_TAG = sha8(SIX_SERVICES)


def cookie(categories: str, version: str = "", services: str = SERVICES_TAG) -> str:
    """A consent cookie in the contract's format, for the given VERSION text."""
    return f"{categories}:{CONSENT_ID}:{sha8(version) if version else ''}:{services}"


def make_request(*, cookies: dict[str, str] | None = None, **meta: str) -> Any:
    request = RequestFactory().get("/", **meta)
    request.COOKIES.update(cookies or {})
    request.user = AnonymousUser()
    return request


def render(request: Any, area: str = "signup") -> str:
    template = Template("{% load analytix %}{% analytics_scripts area %}")
    return template.render(Context({"request": request, "area": area}))


def consent_part(request: Any, area: str = "signup") -> dict[str, Any] | None:
    part = page_config(render(request, area)).get("consent")
    return part if part is None else dict(part)
