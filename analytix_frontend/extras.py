"""What each optional feature needs, for the hints that say how to install it.

The package is not on PyPI yet, so a hint naming the package's extra (`[plan]`) would
fail (or, were the name ever taken, install someone else's package): the hints name the
requirements themselves, which install from any index. The same lists as pyproject.toml's
extras (tests/test_extras.py compares them).
"""

from __future__ import annotations

EXTRAS: dict[str, tuple[str, ...]] = {
    "server": ("httpx>=0.27",),
    "plan": ("PyYAML>=6", "jsonschema>=4.18"),
    "tasks": ("httpx>=0.27", "django-tasks>=0.12", "django-tasks-db>=0.13"),
    "celery": ("httpx>=0.27", "celery[redis]>=5.3"),
}


def install_hint(extra: str) -> str:
    """`pip install 'PyYAML>=6' 'jsonschema>=4.18'` (the package's [plan] extra)."""
    requirements = " ".join(f"'{r}'" for r in EXTRAS[extra])
    return f"pip install {requirements} (the package's [{extra}] extra)"
