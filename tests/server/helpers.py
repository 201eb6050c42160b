"""Dotted-path targets for the settings the server tests set (opt-out callables, a
recording dispatcher)."""

from __future__ import annotations

from typing import Any

dispatched: list[dict[str, Any]] = []


def opt_out_everyone(request: Any, person: str | None) -> bool:
    return True


def opt_out_listed(request: Any, person: str | None) -> bool:
    return person == "opted-out@example.com"


def opt_out_broken(request: Any, person: str | None) -> bool:
    raise RuntimeError("database down")


def record_dispatch(call: dict[str, Any]) -> None:
    dispatched.append(call)


def broken_dispatch(call: dict[str, Any]) -> None:
    raise ConnectionError("broker down")
