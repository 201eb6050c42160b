"""Our own files must load with an ad blocker on: every path under static/, as served at
/static/..., is checked against EasyList + EasyPrivacy with Brave's engine (braveblock).

The lists are test data in the repository, tests/data/filters/ (their source and licence:
SOURCE.md there), so these tests run wherever the tests do, with no skip.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import braveblock
import pytest

from analytix_frontend.page.rendering import render_analytics_scripts
from tests.html import scripts

FILTERS = Path(__file__).resolve().parent / "data" / "filters"
FILTER_LISTS = ("easylist.txt", "easyprivacy.txt")
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
STATIC_FILES = sorted(
    p.relative_to(STATIC_DIR).as_posix() for p in STATIC_DIR.rglob("*") if p.is_file()
)

PAGE = "https://www.example.com/signup/"
# Static files served by the site itself, and by a CDN on another domain (third-party rules).
ORIGINS = ("https://www.example.com", "https://static.example-cdn.net")
REQUEST_TYPES = {".js": "script", ".css": "stylesheet", ".png": "image", ".svg": "image"}


@pytest.fixture(scope="module")
def adblocker() -> Any:
    rules: list[str] = []
    for name in FILTER_LISTS:
        rules += (FILTERS / name).read_text(encoding="utf-8").splitlines()
    return braveblock.Adblocker(rules=rules)


def blocked_at(adblocker: Any, path: str) -> list[str]:
    """The origins from which an ad blocker would block `path` (a URL path)."""
    request_type = REQUEST_TYPES.get(Path(path).suffix, "other")
    return [
        origin
        for origin in ORIGINS
        if adblocker.check_network_urls(
            url=origin + path, source_url=PAGE, request_type=request_type
        )
    ]


def test_the_static_tree_holds_our_scripts() -> None:
    # Guards the check below against passing on an empty or moved tree.
    assert "analytix/js/loader.js" in STATIC_FILES
    assert "analytix/js/vendors/km.js" in STATIC_FILES


@pytest.mark.parametrize("path", STATIC_FILES)
def test_no_first_party_file_is_blocked(adblocker: Any, settings: Any, path: str) -> None:
    assert blocked_at(adblocker, settings.STATIC_URL + path) == []


@pytest.mark.parametrize(
    "path",
    [
        "/static/analytix/js/kissmetrics.js",
        "/static/analytics/js/loader.js",
        "/static/analytix/js/gtag.js",
    ],
)
def test_the_check_catches_names_ad_blockers_match(adblocker: Any, path: str) -> None:
    assert blocked_at(adblocker, path) == list(ORIGINS)


@pytest.mark.parametrize("compress", [False, True], ids=["files", "compressor-bundle"])
def test_no_script_url_the_tag_writes_is_blocked(
    adblocker: Any, settings: Any, compress: bool
) -> None:
    settings.COMPRESS_ENABLED = compress
    html = render_analytics_scripts("signup")
    srcs = [str(s.attrs["src"]) for s in scripts(html) if s.attrs.get("src")]
    assert srcs and all(src.startswith(settings.STATIC_URL) for src in srcs)
    assert {src: blocked_at(adblocker, src) for src in srcs} == {src: [] for src in srcs}
