"""What each vendor would drop, rewrite or misread in an event's name and properties: the
rules GA4, Meta, HubSpot and Kissmetrics document, as plain functions of the names.

Each returns sentences (empty when the vendor takes the name as it is). The system checks
apply them to the plan's vendor names, and to event names found in code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from analytix_frontend.plan.model import ContactProperty, Event

# GA4 (Google Analytics 4) collection limits for web streams.
GA4_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*", re.ASCII)
GA4_NAME_MAX = 40
GA4_PARAMS_MAX = 25
GA4_VALUE_MAX = 100
GA4_RESERVED_PREFIXES = ("google_", "ga_", "firebase_")
GA4_RESERVED_EVENTS = frozenset(
    {
        "ad_activeview", "ad_click", "ad_exposure", "ad_impression", "ad_query", "ad_reward",
        "adunit_exposure", "app_background", "app_clear_data", "app_exception", "app_remove",
        "app_store_refund", "app_store_subscription_cancel", "app_store_subscription_convert",
        "app_store_subscription_renew", "app_update", "app_upgrade", "dynamic_link_app_open",
        "dynamic_link_app_update", "dynamic_link_first_open", "error", "first_open",
        "first_visit", "in_app_purchase", "notification_dismiss", "notification_foreground",
        "notification_open", "notification_receive", "os_update", "session_start",
        "session_start_with_rollout", "user_engagement",
    }
)  # fmt: skip
# Meta Pixel standard events (static/analytix/js/vendors/meta-pixel.js keeps the same list);
# any other name is sent as a custom event, of at most 50 characters.
META_STANDARD_EVENTS = (
    "AddPaymentInfo", "AddToCart", "AddToWishlist", "CompleteRegistration", "Contact",
    "CustomizeProduct", "Donate", "FindLocation", "InitiateCheckout", "Lead", "Purchase",
    "Schedule", "Search", "StartTrial", "SubmitApplication", "Subscribe", "ViewContent",
)  # fmt: skip
META_CUSTOM_MAX = 50
# HubSpot: custom event and property internal names are lower case; analytix rewrites others
# (analytix.eventKey) and cuts them at 100 characters.
HUBSPOT_NAME = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)
HUBSPOT_NAME_MAX = 100
HUBSPOT_EVENT = re.compile(r"pe[0-9]+_[a-z0-9_]+", re.ASCII)  # the full internal name
# Kissmetrics: "_" starts its own query parameters (the key, the person, the time).
KISSMETRICS_NAME_MAX = 255


def event_key(text: str, max_length: int = 0) -> str:
    """What analytix.eventKey (events.js) makes of a name: "Clicked Deploy!" -> "clicked_deploy"."""
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not re.match(r"[a-z]", key):
        key = "event" + ("_" + key if key else "")
    return key[:max_length] if max_length else key


def ga4_name(name: str, what: str = "event name") -> list[str]:
    problems = []
    if not GA4_NAME.fullmatch(name):
        problems.append(
            f"GA4 {what} {name!r} must be letters, digits and underscores, starting "
            f"with a letter; analytix sends it as {event_key(name, GA4_NAME_MAX)!r}"
        )
    if len(name) > GA4_NAME_MAX:
        problems.append(f"GA4 {what} {name!r} is {len(name)} characters (at most {GA4_NAME_MAX})")
    if name.lower().startswith(GA4_RESERVED_PREFIXES):
        problems.append(
            f"GA4 {what} {name!r} uses a reserved prefix "
            f"({', '.join(GA4_RESERVED_PREFIXES)}): Google drops it"
        )
    if what == "event name" and name.lower() in GA4_RESERVED_EVENTS:
        problems.append(f"GA4 event name {name!r} is reserved: Google drops it")
    return problems


def ga4_event(event: Event) -> list[str]:
    problems = ga4_name(event.vendor_name("google"))
    if len(event.properties) > GA4_PARAMS_MAX:
        problems.append(
            f"GA4 takes at most {GA4_PARAMS_MAX} parameters per event; "
            f"{event.name!r} plans {len(event.properties)} (the rest are dropped)"
        )
    for prop in event.properties:
        problems += ga4_name(prop.name, "parameter name")
        too_long = [v for v in prop.schema.get("enum", []) if len(str(v)) > GA4_VALUE_MAX]
        if too_long or int(prop.schema.get("maxLength", 0)) > GA4_VALUE_MAX:
            problems.append(
                f"GA4 cuts parameter values at {GA4_VALUE_MAX} characters; "
                f"{prop.name!r} allows longer"
            )
    return problems


def meta_event(name: str) -> list[str]:
    if name in META_STANDARD_EVENTS:
        return []
    for standard in META_STANDARD_EVENTS:
        if name.replace("_", "").replace(" ", "").lower() == standard.lower():
            return [
                f"Meta event {name!r} is sent as a custom event: the standard event is "
                f"{standard!r} (exact casing)"
            ]
    if len(name) > META_CUSTOM_MAX:
        return [
            f"Meta custom event name {name!r} is {len(name)} characters (at most {META_CUSTOM_MAX})"
        ]
    return []


def hubspot_name(name: str, what: str = "custom event name") -> list[str]:
    if what == "custom event name" and HUBSPOT_EVENT.fullmatch(name):
        return []
    problems = []
    if not HUBSPOT_NAME.fullmatch(name):
        problems.append(
            f"HubSpot {what} {name!r} is not lower-case letters, digits and "
            f"underscores; analytix sends it as {event_key(name, HUBSPOT_NAME_MAX)!r}"
        )
    if len(name) > HUBSPOT_NAME_MAX:
        problems.append(f"HubSpot {what} {name!r} is over {HUBSPOT_NAME_MAX} characters")
    return problems


def kissmetrics_names(event: str | None, properties: Iterable[str]) -> list[str]:
    problems = []
    if event is not None and len(event) > KISSMETRICS_NAME_MAX:
        problems.append(
            f"Kissmetrics event name {event[:40]!r}... is over {KISSMETRICS_NAME_MAX} characters"
        )
    for name in properties:
        if name.startswith("_"):
            problems.append(
                f"Kissmetrics property {name!r} starts with '_', which Kissmetrics "
                "keeps for its own parameters: analytix leaves it out"
            )
    return problems


def event_problems(event: Event, services: Iterable[str]) -> list[str]:
    """What each of these services (those the event reaches) would do to it."""
    problems: list[str] = []
    for service in services:
        if service == "google":
            problems += ga4_event(event)
        elif service == "facebook_pixel":
            problems += meta_event(event.vendor_name(service))
        elif service == "hubspot":
            problems += hubspot_name(event.vendor_name(service))
        elif service == "kissmetrics":
            problems += kissmetrics_names(
                event.vendor_name(service), [p.name for p in event.properties]
            )
    return problems


def contact_property_problems(prop: ContactProperty) -> list[str]:
    if prop.vendor == "hubspot":
        return hubspot_name(prop.name, "contact property name")
    return kissmetrics_names(None, [prop.name])
