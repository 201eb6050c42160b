"""Test pages for consent in the browser (tests/test_consent_browser.py), under the nonce-only
`'strict-dynamic'` policy of tests/privacy_views.py.

`/consent-browser/<cmp>/<area>/`: the tag for the area, after a fake consent manager's script
(`cmp`: "tcf", "gcm", or "none"). The page config's consent part is the server's, with the
keys in `CONSENT` laid over it (the contract's keys: version, services, source, record, tcf,
google; set by each test), and no `basis`, so the browser reads its own consent cookie: what
the tests drive is the browser's side. `/consent-browser/records/` stands in for the record
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
