"""The browser's table of each vendor's first-party cookies (`VENDOR_COOKIES` in
static/analytix/js/vendor-cookies.js, a plain JSON object literal) read from Python: the
contract's list, one entry per service the package knows, and the same as the server's copy
for the next-response deletion (`analytix_frontend.consent.cookies.VENDOR_COOKIES`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from analytix_frontend.consent.cookies import VENDOR_COOKIES
from analytix_frontend.decide.services import SERVICES_BY_NAME

JS = Path(__file__).resolve().parent.parent / "static" / "analytix" / "js" / "vendor-cookies.js"

# The contract between the browser and the server (docs/privacy.md, "Deletion").
CONTRACT = {
    "google": ["_ga", "_ga_*", "_gac_*", "_gid", "_gat*", "_gcl_*"],
    "hubspot": ["hubspotutk", "__hs*", "messagesUtk"],
    "fullstory": ["fs_uid", "fs_lua", "fs_cid", "fs_trusted"],
    "facebook_pixel": ["_fbp", "_fbc"],
    "kissmetrics": ["km_*", "_km*", "kvcd"],
    "drift": [
        "drift_aid",
        "driftt_aid",
        "drift_eid",
        "driftt_eid",
        "driftt_sid",
        "drift_campaign_refresh",
        "DFTT_END_USER_PREV_BOOTSTRAPPED",
    ],
}


def js_vendor_cookies() -> dict[str, list[str]]:
    """VENDOR_COOKIES as the page's script has it."""
    match = re.search(r"var VENDOR_COOKIES = (\{.*?\n  \});", JS.read_text(), re.S)
    assert match, f"{JS} has no VENDOR_COOKIES object literal"
    table: dict[str, list[str]] = json.loads(match.group(1))
    return table


def test_the_browser_table_is_the_contracts_for_every_known_service() -> None:
    table = js_vendor_cookies()
    assert table == CONTRACT
    assert set(table) == set(SERVICES_BY_NAME)
    for patterns in table.values():
        assert all("*" not in p[:-1] for p in patterns), "only a trailing * is a wildcard"


def test_the_page_and_the_server_delete_the_same_cookies() -> None:
    assert js_vendor_cookies() == {name: list(names) for name, names in VENDOR_COOKIES.items()}
