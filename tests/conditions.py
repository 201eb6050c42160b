"""Per-service conditions for the tests (ANALYTICS_CONFIG["CONDITIONS"] dotted paths)."""

from typing import Any


def anonymous_only(request: Any) -> bool:
    return not request.user.is_authenticated


def always_raises(request: Any) -> bool:
    raise RuntimeError("secret internal detail")


NOT_CALLABLE = 42
