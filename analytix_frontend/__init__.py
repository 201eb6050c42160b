"""Per-area third-party analytics scripts for Django, with a console logger."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from collections.abc import Mapping

    # The default area table, read-only: extend it with {**DEFAULT_AREAS, "checkout": [...]}.
    DEFAULT_AREAS: Mapping[str, tuple[str, ...]]


def __getattr__(name: str) -> Any:
    # Lazy, so that `import analytix_frontend` (hatch reads __version__, settings.py imports
    # DEFAULT_AREAS) loads nothing else: the table's module is plain Python, no Django.
    if name == "DEFAULT_AREAS":
        from types import MappingProxyType

        from analytix_frontend.decide.services import DEFAULT_AREAS

        table = MappingProxyType(DEFAULT_AREAS)  # read-only: settings cannot edit the default
        globals()[name] = table
        return table
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
