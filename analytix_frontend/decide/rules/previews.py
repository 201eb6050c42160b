"""CMS previews: an editor looking at a draft is not a visitor.

Wagtail sets `request.is_preview = True` on the requests it builds for its preview panel,
"view draft" and revision previews (`PreviewableMixin.make_preview_request`), and False on
live pages. Such a request gets no vendor at all, unless
`ANALYTICS_CONFIG["EXCLUDE_PREVIEWS"]` is False.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from analytix_frontend.decide.rules import Off

PREVIEW = "preview"  # reason code

OFF = Off(
    PREVIEW,
    "a CMS preview or draft (request.is_preview is True, as Wagtail sets it); "
    "ANALYTICS_CONFIG['EXCLUDE_PREVIEWS'] = False would track previews",
)


def read_settings(config: Mapping[str, Any]) -> bool:
    """Whether previews are excluded: yes unless the setting is exactly False."""
    return config.get("EXCLUDE_PREVIEWS", True) is not False


def is_preview(request: Any) -> bool:
    return getattr(request, "is_preview", False) is True


def decide(exclude_previews: bool, request: Any) -> Off | None:
    return OFF if exclude_previews and is_preview(request) else None
