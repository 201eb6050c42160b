"""Pages for tests/test_browser_security.py: the hostile page (attacker HTML put in as it is,
as in tests/attack_views.py) under the README's two policies, and under Trusted Types.

    /security/<policy>/<area>/?html=<markup>&head=<markup>

    allowlist, strict    the README's host allow-list and nonce-only 'strict-dynamic' policies
                         (tests/privacy_views.py), with base-uri as csp_sources() gives it
    tt-allowlist, tt-strict
                         each plus require-trusted-types-for 'script' and trusted-types analytix
    tt-required          the allow-list plus require-trusted-types-for 'script' alone (any name)
    tt-refused           the allow-list plus require-trusted-types-for 'script' and a
                         trusted-types list without analytix
"""

from __future__ import annotations

from typing import Any

from csp.decorators import csp
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from analytix_frontend.csp import csp_sources, merge_directives
from tests.attack_views import _hostile_page
from tests.privacy_views import ALLOWLIST, STRICT

REQUIRE = {"require-trusted-types-for": ["'script'"]}
VENDORS = csp_sources()
OWN = {"trusted-types": VENDORS["trusted-types"]}  # what csp_sources() adds for our script


def _without_base_uri(policy: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in policy.items() if k != "base-uri"}


POLICIES: dict[str, dict[str, Any]] = {
    "allowlist": ALLOWLIST,
    "strict": STRICT,
    # As a site writes them: trusted-types in its own base, merge_directives adds analytix.
    "tt-allowlist": merge_directives({**ALLOWLIST, **REQUIRE, "trusted-types": []}, VENDORS),
    "tt-strict": merge_directives({**STRICT, **REQUIRE, "trusted-types": []}, OWN),
    "tt-required": {**ALLOWLIST, **REQUIRE},
    "tt-refused": {**ALLOWLIST, **REQUIRE, "trusted-types": ["someone-else"]},
    # The README's allow-list as it was before base-uri: for the <base href> test.
    "no-base-uri": _without_base_uri(ALLOWLIST),
}
_VIEWS = {name: csp(policy)(_hostile_page) for name, policy in POLICIES.items()}


def security_page(request: HttpRequest, policy: str, area: str) -> HttpResponse:
    view = _VIEWS.get(policy)
    if view is None:
        raise Http404(policy)
    response: HttpResponse = view(request, area)
    return response


urlpatterns = [path("<str:policy>/<str:area>/", security_page)]
