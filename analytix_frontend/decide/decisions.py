"""Which services the settings turn on in an area, and why each one that is off is off.

The settings' half of a page's decision: `decide.request` refines it for one request. An
area's decisions depend on the settings alone, so they are made once per area and settings
object (`area_decisions`) and shared, never mutated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analytix_frontend.decide.services import SERVICES, Service
from analytix_frontend.decide.settings import AnalytixSettings, get_settings

# Reason codes: short, stable, printed by the console and the CLI as "not loaded: <code>".
NO_ID = "no id"
INVALID_ID = "invalid id"
ENVIRONMENT = "environment"
AREA = "area"
UNKNOWN_AREA = "unknown area"


@dataclass(frozen=True)
class ServiceDecision:
    service: Service
    enabled: bool
    reason: str = ""  # a reason code above; empty when enabled
    detail: str = ""  # one sentence for a human: what to change to turn it on
    waiting: bool = False  # off until the visitor consents in the page (reason "consent")
    trigger: str = ""  # when it starts in the browser, if it may (decide/triggers.py)
    valid_id: str | None = field(default=None, repr=False)  # the id, when valid

    @property
    def service_id(self) -> str | None:
        """The validated id, only for a service that runs now or once consent is given."""
        return self.valid_id if self.enabled or self.waiting else None


def _decide_one(service: Service, area: str, config: AnalytixSettings) -> ServiceDecision:
    if not config.raw_ids[service.name]:
        return ServiceDecision(
            service, False, NO_ID, f"ANALYTICS_IDS[{service.id_setting!r}] is not set"
        )
    if service.name not in config.valid_ids:
        return ServiceDecision(
            service,
            False,
            INVALID_ID,
            f"ANALYTICS_IDS[{service.id_setting!r}] is not a valid {service.label} id "
            f"(expected something like {service.id_example!r}); run manage.py check",
        )
    if not config.analytics_environment:
        return ServiceDecision(
            service,
            False,
            ENVIRONMENT,
            f"SERVER_ENVIRONMENT {config.server_environment!r} is not in "
            f"ANALYTICS_CONFIG['ENVIRONMENTS'] {list(config.environments)!r} "
            "and ANALYTICS_CONFIG['DEBUG'] is off",
        )
    if area not in config.areas:
        return ServiceDecision(service, False, UNKNOWN_AREA, f"area {area!r} is not configured")
    if service.name not in config.areas[area]:
        return ServiceDecision(service, False, AREA, f"area {area!r} does not list it")
    return ServiceDecision(
        service,
        True,
        trigger=config.trigger(area, service.name),
        valid_id=config.valid_ids[service.name],
    )


def decide_services(area: str, config: AnalytixSettings | None = None) -> list[ServiceDecision]:
    """One decision per known service, in table order, from the settings alone."""
    config = config or get_settings()
    return [_decide_one(service, area, config) for service in SERVICES]


# area -> (the settings it was made from, its decisions). Unknown areas (from template
# variables) are never kept, so this stays as small as the area table. Dict reads and writes
# are atomic: no lock, and an entry made from old settings is simply never used again.
_by_area: dict[str, tuple[AnalytixSettings, tuple[ServiceDecision, ...]]] = {}


def area_decisions(area: str, config: AnalytixSettings) -> tuple[ServiceDecision, ...]:
    """decide_services(area), once per area and settings object (a tuple: shared)."""
    cached = _by_area.get(area)
    if cached is not None and cached[0] is config:
        return cached[1]
    decisions = tuple(decide_services(area, config))
    if area in config.areas:
        _by_area[area] = (config, decisions)
    return decisions
