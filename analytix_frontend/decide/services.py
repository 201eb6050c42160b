"""The vendors this package can load: one small record each, and the default area table.

Adding a service means one `Service` here, one loader under `static/analytix/js/vendors/`,
and its name in the areas that should list it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    name: str  # what areas, the console and the JS registry call it
    label: str  # how the console names it
    id_setting: str  # its key in settings.ANALYTICS_IDS
    id_pattern: re.Pattern[str]  # a valid id, matched in full; nothing else reaches a page
    id_example: str
    category: str  # consent category: "analytics", "marketing" or "functional"
    script_file: str  # its loader, under static/


def _pattern(regex: str) -> re.Pattern[str]:
    return re.compile(regex, re.ASCII)


SERVICES: tuple[Service, ...] = (
    Service(
        name="google",
        label="Google Analytics",
        id_setting="GOOGLE_ANALYTICS_API_ID",
        id_pattern=_pattern(r"G-[A-Z0-9]{4,16}"),
        id_example="G-ABC123DEF4",
        category="analytics",
        script_file="analytix/js/vendors/google.js",
    ),
    Service(
        name="hubspot",
        label="HubSpot",
        id_setting="HUBSPOT_API_ID",
        id_pattern=_pattern(r"[0-9]{1,12}"),
        id_example="1234567",
        category="marketing",
        script_file="analytix/js/vendors/hubspot.js",
    ),
    Service(
        name="kissmetrics",
        label="Kissmetrics",
        id_setting="KISSMETRICS_KEY",
        id_pattern=_pattern(r"[0-9a-f]{40}"),
        id_example="0123456789abcdef0123456789abcdef01234567",
        category="analytics",
        script_file="analytix/js/vendors/km.js",
    ),
    Service(
        name="drift",
        label="Drift",
        id_setting="DRIFT_ID",
        id_pattern=_pattern(r"[a-z0-9]{6,32}"),
        id_example="abc123xyz789",
        category="functional",
        script_file="analytix/js/vendors/drift.js",
    ),
    Service(
        name="fullstory",
        label="FullStory",
        id_setting="FULLSTORY_ID",
        # New orgs look like "o-1ABCDE-na1" (the suffix is the data region); old ones "1ABCD".
        id_pattern=_pattern(r"o-[A-Z0-9]{3,16}-[a-z]{2}[0-9]|[A-Z0-9]{3,16}"),
        id_example="o-1ABCDE-na1",
        category="analytics",
        script_file="analytix/js/vendors/fullstory.js",
    ),
    Service(
        name="facebook_pixel",
        label="Meta Pixel",
        id_setting="FACEBOOK_PIXEL_ID",
        id_pattern=_pattern(r"[0-9]{10,20}"),
        id_example="123456789012345",
        category="marketing",
        script_file="analytix/js/vendors/meta-pixel.js",
    ),
)

SERVICES_BY_NAME: dict[str, Service] = {service.name: service for service in SERVICES}

DEFAULT_AREAS: dict[str, tuple[str, ...]] = {
    "default": ("google", "hubspot", "kissmetrics"),
    "prelogin": ("google", "hubspot", "kissmetrics", "drift", "fullstory"),
    "signup": ("google", "hubspot", "kissmetrics", "drift", "fullstory", "facebook_pixel"),
    "app_builder": ("google", "hubspot", "kissmetrics", "fullstory"),
    "report_builder": ("google", "hubspot", "kissmetrics", "fullstory"),
}

LOG_LEVELS: tuple[str, ...] = ("off", "warning", "debug", "verbose")
