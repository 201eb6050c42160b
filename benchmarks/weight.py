"""Page weight: HTML bytes the tag adds per area, and the first-party JS raw / minified / gzipped.

    python -m benchmarks.weight

Goals: under 1 KB of HTML per page; at most 3 KB gzipped first-party JS on the critical path:
the one script every page runs as it loads (start.js, shipped minified as analytix.min.js).
The main script it loads later (main.min.js: every other file) is reported beside it.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

from benchmarks.page import make_request, page_context, page_template, setup

NONCE = "rAnd0mN0nceVa1ue22chrs"  # django-csp's nonces are 22 characters
ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def html_per_area() -> int:
    """Prints the bytes per area; returns the largest."""
    from django.test.utils import override_settings

    from analytix_frontend.decide.services import DEFAULT_AREAS
    from analytix_frontend.page.rendering import render_analytics_scripts

    def size(area: str, nonce: str | None) -> int:
        request = make_request(logged_in=False, nonce=nonce)
        return len(render_analytics_scripts(area, request=request, nonce=nonce).encode())

    print("== HTML bytes the tag adds, per area (LOG_LEVEL warning)")
    print(f"{'area':<16}{'services':>9}{'bytes':>7}{'+nonce':>8}{'DEBUG':>7}{'DEBUG+nonce':>13}")
    largest = 0
    for area, services in DEFAULT_AREAS.items():
        plain, with_nonce = size(area, None), size(area, NONCE)
        with override_settings(DEBUG=True):
            debug, debug_nonce = size(area, None), size(area, NONCE)
        largest = max(largest, plain, with_nonce)
        print(f"{area:<16}{len(services):>9}{plain:>7}{with_nonce:>8}{debug:>7}{debug_nonce:>13}")
    for level in ("debug", "verbose"):
        with override_settings(ANALYTICS_CONFIG={"LOG_LEVEL": level}):
            print(f"{'default @' + level:<16}{3:>9}{size('default', None):>7}")
    print(
        "bytes: DEBUG off: start.js minified, its tag naming the main script; DEBUG: the "
        "readable files, named on that tag. At debug/verbose the config also carries each "
        "off service's `detail` sentence."
    )
    return largest


def html_against_django_analytical() -> None:
    def page_bytes(variant: str, logged_in: bool) -> int:
        request = make_request(logged_in=logged_in, nonce=None)
        return len(page_template(variant).render(page_context(), request).encode())

    print("\n== Whole-page HTML bytes added over the plain page")
    for logged_in in (False, True):
        plain = page_bytes("plain", logged_in)
        ours = page_bytes("analytix", logged_in) - plain
        theirs = page_bytes("analytical", logged_in) - plain
        who = "logged in" if logged_in else "anonymous"
        print(
            f"{who:<10} analytix (6 services): {ours} B; django-analytical (4 services, inline "
            f"JS): {theirs} B"
        )


def first_party_js() -> tuple[int, int]:
    """Prints each file's weight; returns the gzipped sizes of the two shipped minified files:
    the critical path (start.js) and the main script."""
    from analytix_frontend.page.scripts import (
        MAIN_MINIFIED_SCRIPT,
        MINIFIED_SCRIPT,
        all_script_files,
    )

    print("\n== First-party JS, bytes (gzip -9)")
    print(f"{'file':<36}{'raw':>7}{'gzip':>7}")
    for name in all_script_files():
        data = (STATIC / name).read_bytes()
        print(f"{name:<36}{len(data):>7}{gzipped(data):>7}")
    sizes = []
    for name, what in (
        (MINIFIED_SCRIPT, "every page, as it loads"),
        (MAIN_MINIFIED_SCRIPT, "later"),
    ):
        minified = (STATIC / name).read_bytes()
        sizes.append(gzipped(minified))
        print(f"{name:<36}{len(minified):>7}{gzipped(minified):>7}  terser; {what}")
    return sizes[0], sizes[1]


def main() -> int:
    setup()
    largest = html_per_area()
    html_against_django_analytical()
    critical, main_script = first_party_js()

    def against(limit: int, size: int) -> str:
        return f"{size} B ({'met' if size <= limit else 'MISSED'}, {limit - size:+d} B)"

    print(f"\nGoals: HTML <= 1024 B per page: largest {against(1024, largest)}")
    print(f"first-party JS on the critical path <= 3072 B gzipped: {against(3072, critical)}")
    print(f"(the main script, loaded at the first idle moment or need: {main_script} B gzipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
