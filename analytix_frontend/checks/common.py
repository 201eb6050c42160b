"""Small helpers the settings checks share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning


def analytix_config() -> Mapping[str, Any]:
    config = getattr(settings, "ANALYTICS_CONFIG", {})
    return config if isinstance(config, Mapping) else {}  # E004 reports a non-dict


def is_str_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


def unknown_keys(name: str, value: Mapping[str, Any], known: frozenset[str]) -> list[CheckMessage]:
    unknown = sorted(str(k) for k in value if k not in known)
    if not unknown:
        return []
    return [
        Warning(
            f"ANALYTICS_CONFIG[{name!r}] has unknown keys: {', '.join(unknown)}.",
            hint=f"Known keys: {', '.join(sorted(known))}. Check the spelling.",
            id="analytix.W201",
        )
    ]
