"""System checks of the load triggers: `ANALYTICS_CONFIG["LOAD"]` and `"LOAD_BY_AREA"`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from analytix_frontend.decide.services import SERVICES, SERVICES_BY_NAME
from analytix_frontend.decide.triggers import FACADE, FACADE_SERVICES, TRIGGERS


def _check_table(table: Any, where: str) -> list[CheckMessage]:
    if not isinstance(table, Mapping):
        return [Error(f"{where} must be a dict of service name -> trigger.", id="analytix.E401")]
    errors: list[CheckMessage] = []
    for service, trigger in table.items():
        if service not in SERVICES_BY_NAME:
            errors.append(
                Error(
                    f"{where} names an unknown service {service!r}.",
                    hint=f"Services: {', '.join(s.name for s in SERVICES)}.",
                    id="analytix.E402",
                )
            )
        elif trigger not in TRIGGERS or (trigger == FACADE and service not in FACADE_SERVICES):
            allowed = [t for t in TRIGGERS if t != FACADE or service in FACADE_SERVICES]
            errors.append(
                Error(
                    f"{where}[{service!r}] = {trigger!r} is not a load trigger for {service}; "
                    "it starts with its default trigger.",
                    hint=f"Use one of {', '.join(repr(t) for t in allowed)}.",
                    id="analytix.E403",
                )
            )
    return errors


@register(Tags.compatibility)
def check_triggers(**kwargs: Any) -> list[CheckMessage]:
    config = getattr(settings, "ANALYTICS_CONFIG", None)
    if not isinstance(config, Mapping):
        return []  # analytix.E004
    errors: list[CheckMessage] = []
    if "LOAD" in config:
        errors += _check_table(config["LOAD"], "ANALYTICS_CONFIG['LOAD']")
    by_area = config.get("LOAD_BY_AREA")
    if by_area is not None:
        if not isinstance(by_area, Mapping):
            errors.append(
                Error(
                    "ANALYTICS_CONFIG['LOAD_BY_AREA'] must be a dict of area -> "
                    "{service: trigger}.",
                    id="analytix.E401",
                )
            )
        else:
            for area, table in by_area.items():
                errors += _check_table(table, f"ANALYTICS_CONFIG['LOAD_BY_AREA'][{area!r}]")
    return errors
