"""Structural reading of rendered HTML for assertions (never substring matching)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in ("img", "meta", "link", "br", "input"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].text += data


def parse(html: str) -> list[Element]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.elements


def scripts(html: str) -> list[Element]:
    return [e for e in parse(html) if e.tag == "script"]


def page_config(html: str) -> dict[str, Any]:
    """The one JSON config block the tag wrote (fails if there is not exactly one), read as
    strictly as a browser's JSON.parse: NaN or Infinity fail."""
    blocks = [e for e in scripts(html) if e.attrs.get("type") == "application/json"]
    assert len(blocks) == 1, f"expected one config block, found {len(blocks)}"
    return json.loads(blocks[0].text, parse_constant=_not_json)  # type: ignore[no-any-return]


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON: the browser cannot read this block")


def site_path(url: str) -> str:
    """A first-party URL the tag wrote, less the origin it writes for the request's host
    (`//testserver/static/...`: absolute, so no injected <base> can move it), or start.js
    resolved against the page's address (`http://testserver/static/...`)."""
    for prefix in ("//", "http://", "https://"):
        if url.startswith(prefix):
            return "/" + url[len(prefix) :].partition("/")[2]
    return url


def site_paths(urls: Any) -> list[str]:
    return [site_path(str(url)) for url in urls]


def enabled_services(html: str) -> list[str]:
    return [s["name"] for s in page_config(html)["services"] if s["on"]]
