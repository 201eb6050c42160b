"""Which services run on a page, and why each one that does not is off.

Pure functions of the settings (and, for request-level rules, the request): the template tag,
the management command and the tests all ask the same question here.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def service_id(self) -> str | None:
        """The validated id, only for a service that runs now or once consent is given."""
        if not (self.enabled or self.waiting):
            return None
        return get_settings().valid_ids.get(self.service.name)


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
    return ServiceDecision(service, True)


def decide_services(area: str, config: AnalytixSettings | None = None) -> list[ServiceDecision]:
    """One decision per known service, in table order, from the settings alone."""
    config = config or get_settings()
    return [_decide_one(service, area, config) for service in SERVICES]
