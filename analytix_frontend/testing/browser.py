"""Recording fakes of the six vendors for Playwright tests (sync API; Playwright itself is the
caller's, this module never imports it).

`route_vendor_fakes(page_or_context)` answers each vendor's script host with a small fake that
takes over the vendor's stub the way the real library does and records every call it gets
(the fakes' scripts: analytix_frontend.testing.fake_scripts); the returned `FakeVendors` says
which services loaded on the page, which events and identify calls each received, and which
page views each counted. Calls and page views are kept in the tab's sessionStorage, so they
survive the same-tab navigation a tracked link starts; `loaded()` is per document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from analytix_frontend.decide.services import SERVICES_BY_NAME
from analytix_frontend.testing.fake_scripts import (
    CALLS_KEY,
    LOADED_GLOBAL,
    PAGE_VIEWS_KEY,
    SCRIPT_HOSTS,
    fake_vendor_script,
)

__all__ = [
    "CALLS_KEY",
    "LOADED_GLOBAL",
    "PAGE_VIEWS_KEY",
    "SCRIPT_HOSTS",
    "Event",
    "FakeVendors",
    "Identify",
    "PageView",
    "fake_vendor_script",
    "route_vendor_fakes",
]


@dataclass(frozen=True)
class Event:
    name: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class Identify:
    id: str
    traits: dict[str, Any]


@dataclass(frozen=True)
class PageView:
    service: str
    url: str  # the page's path and query string when the vendor counted it


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _as_event(service: str, args: list[Any]) -> Event | None:
    """The event in one raw vendor call, in the vendor's own form (docs/events.md)."""
    command, rest = (args[0], args[1:]) if args else ("", [])
    if service == "google" and command == "event" and rest:
        return Event(str(rest[0]), _dict(rest[1] if len(rest) > 1 else None))
    if service == "hubspot" and command == "trackCustomBehavioralEvent" and rest:
        return Event(str(rest[0].get("name")), _dict(rest[0].get("properties")))
    if service == "fullstory" and command == "trackEvent" and rest:
        return Event(str(rest[0].get("name")), _dict(rest[0].get("properties")))
    if (
        (service == "kissmetrics" and command == "record")
        or (service == "drift" and command == "track")
        or (service == "facebook_pixel" and command in ("track", "trackCustom"))
    ) and rest:
        return Event(str(rest[0]), _dict(rest[1] if len(rest) > 1 else None))
    return None


def _traits_call(service: str, args: list[Any]) -> dict[str, Any] | None:
    """The traits of a call that follows an identify: GA4's user_properties, Kissmetrics' set."""
    if service == "google" and args[:2] == ["set", "user_properties"] and len(args) > 2:
        return _dict(args[2])
    if service == "kissmetrics" and args[:1] == ["set"] and len(args) > 1:
        return _dict(args[1])
    return None


def _as_identify(service: str, args: list[Any]) -> Identify | None:
    """The identify in one raw vendor call."""
    command, rest = (args[0], args[1:]) if args else ("", [])
    first = rest[0] if rest else None
    if service == "google" and command == "set" and isinstance(first, dict) and "user_id" in first:
        return Identify(str(first["user_id"]), {})
    if service == "hubspot" and command == "identify" and isinstance(first, dict):
        traits = {k: v for k, v in first.items() if k != "id"}
        return Identify(str(first.get("id")), traits)
    if service == "fullstory" and command == "setIdentity" and isinstance(first, dict):
        return Identify(str(first.get("uid")), _dict(first.get("properties")))
    if service in ("kissmetrics", "drift") and command == "identify" and rest:
        return Identify(str(first), _dict(rest[1] if len(rest) > 1 else None))
    return None


_READ_CALLS = f"""() => {{
  try {{ return sessionStorage.getItem({json.dumps(CALLS_KEY)}) || "[]"; }}
  catch (error) {{ return "[]"; }}
}}"""
_READ_PAGE_VIEWS = f"""() => {{
  try {{ return JSON.parse(sessionStorage.getItem({json.dumps(PAGE_VIEWS_KEY)}) || "[]"); }}
  catch (error) {{ return []; }}
}}"""
_READ_LOADED = f"() => (window.{LOADED_GLOBAL} || {{ services: [] }}).services"


@dataclass
class FakeVendors:
    """What the fakes saw. `target`: the Playwright Page or BrowserContext they were routed
    on; with a context, every open page of it is read."""

    target: Any
    requests: list[str] = field(default_factory=list)  # vendor script URLs asked for
    _held: list[Callable[[], None]] = field(default_factory=list)

    def _pages(self) -> list[Any]:
        pages = getattr(self.target, "pages", None)
        return list(pages) if isinstance(pages, list) else [self.target]

    def loaded(self) -> set[str]:
        """Services whose (fake) script ran in the page's current document."""
        return {name for page in self._pages() for name in page.evaluate(_READ_LOADED)}

    def wait_for_loaded(self, *names: str, timeout: float = 10_000) -> None:
        for name in names:
            _check(name)
        for page in self._pages():
            page.wait_for_function(
                f"names => names.every(n => ({_READ_LOADED})().includes(n))",
                arg=list(names),
                timeout=timeout,
            )

    def calls(self, service: str | None = None) -> list[tuple[str, list[Any]]]:
        """Every raw call the fakes got, in order: (service, arguments)."""
        if service is not None:
            _check(service)
        found = []
        for page in self._pages():
            for name, args in json.loads(page.evaluate(_READ_CALLS)):
                if service is None or name == service:
                    found.append((name, args))
        return found

    def events(self, service: str) -> list[Event]:
        """The events this service received (including the ones the loader sends itself,
        such as Meta's PageView), each as the vendor names it (GA4's `clicked_deploy`)."""
        found = (_as_event(service, args) for _, args in self.calls(service))
        return [event for event in found if event is not None]

    def identify_calls(self, service: str) -> list[Identify]:
        """The identify calls this service received, with their traits (for GA4 and
        Kissmetrics, the traits call that follows the id)."""
        found: list[Identify] = []
        previous: Identify | None = None
        for _, args in self.calls(service):
            identify = _as_identify(service, args)
            traits = _traits_call(service, args) if previous is not None else None
            if identify is not None:
                found.append(identify)
            elif traits is not None and previous is not None:
                found[-1] = Identify(previous.id, {**previous.traits, **traits})
            previous = identify or (found[-1] if traits is not None else None)
        return found

    def page_views(self, service: str | None = None) -> list[PageView]:
        """The page views the vendors counted, in order (what counts as one for each vendor:
        analytix_frontend.testing.fake_scripts); Drift and FullStory count none."""
        if service is not None:
            _check(service)
        return [
            PageView(name, url)
            for page in self._pages()
            for name, url in page.evaluate(_READ_PAGE_VIEWS)
            if service is None or name == service
        ]

    def wait_for_page_views(self, *names: str, timeout: float = 10_000) -> None:
        """Waits until each of these services has counted a page view in the tab."""
        for name in names:
            _check(name)
        for page in self._pages():
            page.wait_for_function(
                f"names => names.every(n => ({_READ_PAGE_VIEWS})().some(v => v[0] === n))",
                arg=list(names),
                timeout=timeout,
            )

    def clear(self) -> None:
        """Forgets the calls and page views recorded so far (in every page of the target)."""
        for page in self._pages():
            for key in (CALLS_KEY, PAGE_VIEWS_KEY):
                page.evaluate(f"() => sessionStorage.removeItem({json.dumps(key)})")

    def release(self) -> None:
        """Answers the script requests held back with `hold=True`, in order."""
        while self._held:
            self._held.pop(0)()


def _check(name: str) -> None:
    if name not in SERVICES_BY_NAME:
        raise ValueError(
            f"unknown service {name!r}; the services are {', '.join(SERVICES_BY_NAME)}"
        )


def route_vendor_fakes(
    target: Any, *, blocked: Collection[str] = (), hold: bool = False
) -> FakeVendors:
    """Routes the vendors' script hosts of a Playwright Page or BrowserContext to the fakes.

    blocked: service names whose scripts fail, as under an ad blocker; hold: script answers
    wait until `release()`. Other requests fall back to the routes set before (or the
    network), since Playwright runs the route added last first.
    """
    for name in blocked:
        _check(name)
    fakes = FakeVendors(target)

    def handle(route: Any) -> None:
        host = re.sub(r"^https?://([^/:]+).*$", r"\1", route.request.url)
        service = SCRIPT_HOSTS.get(host)
        if service is None:
            route.fallback()
            return
        fakes.requests.append(route.request.url)
        if service in blocked:
            route.abort()
            return

        def answer() -> None:
            body = fake_vendor_script(host)
            route.fulfill(status=200, content_type="application/javascript", body=body)

        if hold:
            fakes._held.append(answer)
        else:
            answer()

    target.route("**/*", handle)
    return fakes
