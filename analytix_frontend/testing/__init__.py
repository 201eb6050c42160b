"""Helpers for testing a project's own analytics: which services a page runs and why, read
from a Django test response, and (`analytix_frontend.testing.browser`, with the opt-in pytest
plugin `analytix_frontend.testing.pytest_plugin`) recording fakes of the six vendors for
Playwright. See docs/testing.md.

    from analytix_frontend.testing import assert_service_loads, page_decisions

    response = client.get("/signup/")
    assert_service_loads(response, "drift")
    assert page_decisions(response)["fullstory"].reason == "consent"
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from analytix_frontend.decide.services import SERVICES_BY_NAME
from analytix_frontend.testing.plan import assert_tracked, tracked_on_server

__all__ = [
    "Decision",
    "assert_service_loads",
    "assert_service_off",
    "assert_service_waits",
    "assert_tracked",
    "page_configs",
    "page_decisions",
    "tracked_on_server",
]


@dataclass(frozen=True)
class Decision:
    """One service on one page, as the tag told the browser."""

    name: str
    label: str
    on: bool
    reason: str  # a reason code ("area", "consent", "internal"...); "" when on
    detail: str  # what to change; only written at LOG_LEVEL "debug" or "verbose"
    waiting: bool  # off until the visitor consents in the page

    def describe(self) -> str:
        if self.on:
            return f"{self.name} loads"
        state = "waits for consent" if self.waiting else "is off"
        return f"{self.name} {state}: {self.reason}" + (f" ({self.detail})" if self.detail else "")


class _ConfigBlocks(HTMLParser):
    """The text of each <script type="application/json" data-analytix-config> element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        self._inside = tag == "script" and "data-analytix-config" in names
        if self._inside:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[-1] += data


def _html(response: Any) -> str:
    if isinstance(response, str):
        return response
    if isinstance(response, bytes):
        return response.decode()
    content = getattr(response, "content", None)
    if not isinstance(content, bytes):
        raise TypeError(f"expected a Django test response, HTML str or bytes, not {response!r}")
    return content.decode(getattr(response, "charset", None) or "utf-8")


def page_configs(response: Any) -> list[dict[str, Any]]:
    """Each config block the tag wrote on the page (one per `{% analytics_scripts %}`)."""
    parser = _ConfigBlocks()
    parser.feed(_html(response))
    parser.close()
    return [json.loads(block) for block in parser.blocks]


def _label(name: str) -> str:
    """The service's console name (the config leaves it out: config.js knows it too)."""
    known = SERVICES_BY_NAME.get(name)
    return known.label if known is not None else name


def page_decisions(response: Any) -> dict[str, Decision]:
    """{service name: Decision} for the page. With several tags on the page, a service runs
    when any of them runs it (as in the browser), else the first tag's reason stands."""
    configs = page_configs(response)
    if not configs:
        raise AssertionError(
            "no analytix config block on this page: is {% analytics_scripts %} in its "
            "template, and did the view render it?"
        )
    decisions: dict[str, Decision] = {}
    for config in configs:
        for service in config.get("services", []):
            decision = Decision(
                name=service["name"],
                label=_label(service["name"]),
                on=bool(service.get("on")),
                reason=service.get("reason", ""),
                detail=service.get("detail", ""),
                waiting=bool(service.get("waiting")),
            )
            known = decisions.get(decision.name)
            if known is None or (decision.on and not known.on):
                decisions[decision.name] = decision
            elif decision.waiting and not (known.on or known.waiting):
                decisions[decision.name] = decision
    return decisions


def _decision(response: Any, name: str) -> tuple[Decision, dict[str, Decision]]:
    if name not in SERVICES_BY_NAME:
        raise ValueError(
            f"unknown service {name!r}; the services are {', '.join(SERVICES_BY_NAME)}"
        )
    decisions = page_decisions(response)
    return decisions[name], decisions


def _summary(decisions: dict[str, Decision]) -> str:
    on = [d.name for d in decisions.values() if d.on]
    lines = "\n".join(f"  {d.describe()}" for d in decisions.values())
    return f"on this page: {', '.join(on) or 'none'}\n{lines}"


def assert_service_loads(response: Any, name: str) -> None:
    """The page runs this service now (consent, if required, already given)."""
    decision, decisions = _decision(response, name)
    if not decision.on:
        raise AssertionError(f"{decision.describe()}, expected it to load\n{_summary(decisions)}")


def assert_service_off(response: Any, name: str, reason: str | None = None) -> None:
    """The page does not run this service (waiting for consent counts as off); with `reason`,
    for that reason code."""
    decision, decisions = _decision(response, name)
    if decision.on or (reason is not None and decision.reason != reason):
        wanted = f"off for {reason!r}" if reason else "off"
        raise AssertionError(f"{decision.describe()}, expected it {wanted}\n{_summary(decisions)}")


def assert_service_waits(response: Any, name: str) -> None:
    """The page holds this service until the visitor consents (it starts without a reload)."""
    decision, decisions = _decision(response, name)
    if not decision.waiting:
        raise AssertionError(
            f"{decision.describe()}, expected it to wait for consent\n{_summary(decisions)}"
        )
