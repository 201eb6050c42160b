"""Test pages for consent in the browser (tests/test_consent_browser.py), under the nonce-only
`'strict-dynamic'` policy of tests/privacy_views.py.

`/consent-browser/<cmp>/<area>/`: the tag for the area, after a fake consent manager's script
(`cmp`: "tcf", "gcm", or "none"); `?banner=1` adds the package's banner. When a test puts keys
in `CONSENT` (the contract's: version, services, source, record, tcf, google), they are laid
over the page config's consent part and its `basis` is left out, so the browser reads its own
consent cookie: what those tests drive is the browser's side. With `CONSENT` empty the page is
the server's, untouched. `/consent-browser/records/` stands in for the record
endpoint: it keeps each JSON body in `RECORDS` and answers 204.
"""

from __future__ import annotations

import json
import re
from typing import Any

from csp.decorators import csp
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from analytix_frontend.page.config import to_json_text
from tests.privacy_views import STRICT

CONSENT: dict[str, Any] = {}  # laid over the config's consent part
RECORDS: list[dict[str, Any]] = []  # what the record endpoint got, in order
RECORD_URL = "/consent-browser/records/"
CMPS = {"tcf", "gcm", "none"}
_BLOCK = re.compile(
    r"(<script type=\"application/json\" data-analytix-config[^>]*>)(.*?)(</script>)", re.S
)


def _with_consent(html: str) -> str:
    if not CONSENT:
        return html

    def patch(match: re.Match[str]) -> str:
        config = json.loads(match.group(2))
        consent = config.get("consent") or {"required": False, "granted": [], "decided": False}
        consent.pop("basis", None)
        config["consent"] = {**consent, **CONSENT}
        return match.group(1) + to_json_text(config) + match.group(3)

    return _BLOCK.sub(patch, html)


@csp(STRICT)
def consent_page(request: HttpRequest, cmp: str, area: str) -> HttpResponse:
    context = {
        "area": area,
        "cmp": cmp if cmp in CMPS - {"none"} else "",
        "gdpr_applies": "false" if request.GET.get("gdpr") == "0" else "true",
        "banner": "banner" in request.GET,
    }
    response = render(request, "tests/consent_page.html", context)
    response.content = _with_consent(response.content.decode()).encode()
    return response


def records(request: HttpRequest) -> HttpResponse:
    if "sentinel" not in request.GET:  # a test's marker that earlier records were sent
        RECORDS.append(json.loads(request.body))
    return HttpResponse(status=204)


urlpatterns = [
    path("records/", records),
    path("<str:cmp>/<str:area>/", consent_page),
]
