"""Deploy checks (`manage.py check --deploy`) on the project's Content-Security-Policy:
analytix.W501 (no enforced CSP at all) and analytix.W502 (a CSP without `base-uri`).

The policy is read where each tool keeps it: django-csp 4's `CONTENT_SECURITY_POLICY`
(`DIRECTIVES`), django-csp 3's `CSP_*` settings, Django 6's `SECURE_CSP`, each only with its
middleware in MIDDLEWARE. Report-only policies enforce nothing, so they do not count. A
policy set per view (django-csp's `@csp` decorators) cannot be seen here: silence W501 then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib.util import find_spec
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

DJANGO_CSP = "csp.middleware.CSPMiddleware"  # django-csp 3 and 4
DJANGO6_CSP = "django.middleware.csp.ContentSecurityPolicyMiddleware"


def _middleware() -> list[str]:
    value = getattr(settings, "MIDDLEWARE", None)
    return [m for m in value if isinstance(m, str)] if isinstance(value, Sequence) else []


def _django_csp_4() -> bool:
    try:
        return find_spec("csp.constants") is not None  # django-csp 4 only
    except ModuleNotFoundError:  # no django-csp at all
        return False


def enforced_policies() -> list[tuple[str, Mapping[str, Any]]]:
    """(the setting it comes from, its directives) for each enforced policy the project sets."""
    middleware = _middleware()
    found: list[tuple[str, Mapping[str, Any]]] = []
    if DJANGO_CSP in middleware:
        if _django_csp_4():
            config = getattr(settings, "CONTENT_SECURITY_POLICY", None)
            if isinstance(config, Mapping):
                directives = config.get("DIRECTIVES")
                # django-csp 4's default when DIRECTIVES is left out: default-src 'self'.
                found.append(
                    (
                        "CONTENT_SECURITY_POLICY['DIRECTIVES']",
                        directives if isinstance(directives, Mapping) else {},
                    )
                )
        elif not getattr(settings, "CSP_REPORT_ONLY", False):
            # django-csp 3: the middleware always sends a policy, made from the CSP_* settings.
            found.append(
                ("the CSP_* settings", {"base-uri": getattr(settings, "CSP_BASE_URI", None)})
            )
    if DJANGO6_CSP in middleware:
        secure = getattr(settings, "SECURE_CSP", None)
        if isinstance(secure, Mapping) and secure:
            found.append(("SECURE_CSP", secure))
    return found


@register(Tags.security, deploy=True)
def check_csp(**kwargs: Any) -> list[CheckMessage]:
    policies = enforced_policies()
    if not policies:
        return [
            Warning(
                "No Content-Security-Policy is enforced: HTML injected into a page can run "
                "script, and the browser cannot tell the analytix config blocks the server "
                "wrote from injected ones (the console says so only at LOG_LEVEL debug).",
                hint="Set a nonce-based policy with django-csp (CONTENT_SECURITY_POLICY) or "
                "Django 6 (SECURE_CSP), as in the README; with policies set per view "
                "(@csp), add 'analytix.W501' to SILENCED_SYSTEM_CHECKS.",
                id="analytix.W501",
            )
        ]
    messages: list[CheckMessage] = []
    for where, directives in policies:
        if not directives.get("base-uri"):
            messages.append(
                Warning(
                    f"The Content-Security-Policy in {where} has no base-uri: an injected "
                    "<base href> can make the browser fetch relative script URLs, the page's "
                    "nonce included, from another host.",
                    hint="Add base-uri 'self' (or 'none' if your pages have no <base>): "
                    "merge_directives(..., csp_sources()) adds it, or set it yourself "
                    "(django-csp 3: CSP_BASE_URI = (\"'self'\",)); docs/privacy.md.",
                    id="analytix.W502",
                )
            )
    return messages
