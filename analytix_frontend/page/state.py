"""What the tag has written for one request: one object on the request, made at its first
render, read by the later renders (each script once per page), the cache middleware
(`caching.protect_response`) and the debug-toolbar panel (`qa/`).

Each render's details (`TagRender`) are kept only while a reader asks for them
(`record_renders`, as the panel does for its request): the tag's hot path pays nothing for
a panel that is not there. A context variable, so it follows the request under ASGI.
"""

from __future__ import annotations

import contextvars
from collections.abc import Sequence
from typing import Any, NamedTuple

from analytix_frontend.decide.decisions import ServiceDecision

ATTRIBUTE = "_analytix_page"
RECORDING: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "analytix_record_renders", default=False
)


def record_renders() -> contextvars.Token[bool]:
    """From now on, in this context, each render's details are kept on the request; hand
    the token to `stop_recording` when the request is done."""
    return RECORDING.set(True)


def stop_recording(token: contextvars.Token[bool]) -> None:
    RECORDING.reset(token)


class TagRender(NamedTuple):
    """One `{% analytics_scripts %}` on the page."""

    area: str
    decisions: Sequence[ServiceDecision]
    nonce: str | None
    html_parts: Sequence[str]  # what it wrote: the config block, then each new script tag
    seconds: float


NOTHING: frozenset[str] = frozenset()


class PageState:
    """One request's page, as the tag wrote it. The cache part (`private`, `vary`, `nonces`)
    is what `caching.py` tells caches: frozensets, replaced when something is added (most
    pages add little, and nothing is allocated for what they do not)."""

    __slots__ = ("nonces", "private", "renders", "vary", "written")

    def __init__(self) -> None:
        self.written: set[str] = set()  # script URLs and marks already on the page
        self.renders: list[TagRender] = []  # only while `record_renders` (the panel)
        self.private = NOTHING  # why the page is per-visitor (empty: shareable)
        self.vary = NOTHING  # request headers the rules read
        self.nonces = NOTHING  # CSP nonces written in the page


def page_state(request: Any) -> PageState | None:
    """The request's state, or None when the tag has not rendered for it."""
    state = getattr(request, ATTRIBUTE, None)
    return state if isinstance(state, PageState) else None


def new_page_state(request: Any) -> PageState:
    """The request's state, made now if need be (kept on the request when it takes
    attributes; a throwaway otherwise: no dedupe, nothing to protect)."""
    state = page_state(request)
    if state is None:
        state = PageState()
        if request is not None:
            try:
                setattr(request, ATTRIBUTE, state)
            except AttributeError:
                pass
    return state
