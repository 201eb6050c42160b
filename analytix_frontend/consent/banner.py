"""The two template tags' HTML: `{% analytix_consent_banner %}` and
`{% analytix_privacy_status %}` (thin wrappers in `templatetags/analytix.py` call these).

The banner is optional and only for sites whose consent comes from us (`SOURCE` "analytix"):
a labelled dialog, hidden until `banner.js` (deferred, with the request's nonce) finds the
visitor undecided; its stylesheet is loaded by that script, so neither is on the critical
path. The privacy status shows "Opt-Out Request Honored" where Global Privacy Control turned
something off, from the request's one decision; consent.js keeps it true on cached pages.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy

from analytix_frontend.decide.consent import CATEGORIES
from analytix_frontend.decide.request import decide_request
from analytix_frontend.decide.services import SERVICES_BY_NAME
from analytix_frontend.page.state import new_page_state

logger = logging.getLogger("analytix_frontend.consent")

BANNER_TEMPLATE = "analytics/consent_banner.html"
# Its own script and stylesheet (the template links them): never in a bundle, only where the
# banner is.
BANNER_SCRIPT = "analytix/js/banner.js"
BANNER_STYLESHEET = "analytix/css/banner.css"
STATUS_TEMPLATE = "analytics/privacy_status.html"
RENDERED = "_analytix_banner"  # request attribute: the banner is on this page already
CATEGORY_TEXT = {
    "analytics": (gettext_lazy("Analytics"), gettext_lazy("Measures how the site is used.")),
    "marketing": (
        gettext_lazy("Marketing"),
        gettext_lazy("Measures our campaigns and builds advertising audiences."),
    ),
    "functional": (gettext_lazy("Functional"), gettext_lazy("Features such as the live chat.")),
}


def honored_text() -> str:
    return gettext("Opt-Out Request Honored")


def render_privacy_status(request: Any) -> SafeString:
    """An element with the status; empty and hidden unless GPC is honoured for this request
    (consent.js fills or empties it again in the browser: `data-analytix-privacy-status`)."""
    decision = decide_request(request)
    honored = decision.sends_gpc and bool(decision.privacy.gpc_categories)
    if request is not None and decision.privacy.gpc_categories:
        state = new_page_state(request)  # caches keep one copy per GPC answer
        state.vary = state.vary | {"Sec-GPC"}
    context = {"honored": honored, "text": honored_text()}
    return mark_safe(render_to_string(STATUS_TEMPLATE, context))


def policy_link(value: Any) -> str | None:
    """A path, an http(s) URL or a URL name; anything else (a `javascript:` URL) is dropped."""
    if not isinstance(value, str) or not value.strip():
        return None
    link: str = value.strip()
    # a browser reads a backslash after the first slash as a slash: "//", another host
    if (link.startswith("/") and not link.startswith(("//", "/\\"))) or link.startswith(
        ("https://", "http://")
    ):
        return link
    try:
        return str(reverse(link))
    except NoReverseMatch:
        logger.warning(
            "analytix: {%% analytix_consent_banner %%}: policy_url %r is neither a path, an "
            "http(s) URL nor a URL name; the banner has no policy link",
            link,
        )
        return None


def _categories(valid_ids: Any) -> list[dict[str, Any]]:
    """The categories the site's services use, each with its services' names."""
    found = []
    for category in CATEGORIES:
        labels = [
            s.label
            for n, s in SERVICES_BY_NAME.items()
            if s.category == category and n in valid_ids
        ]
        if labels:
            label, description = CATEGORY_TEXT[category]
            found.append(
                {"name": category, "label": label, "description": description, "services": labels}
            )
    return found


def render_consent_banner(request: Any, nonce: str | None, policy_url: Any = None) -> SafeString:
    decision = decide_request(request)
    consent = decision.privacy.consent
    if not consent.required:
        logger.debug("analytix: no consent banner: consent is not required (CONSENT)")
        return SafeString("")
    if consent.source != "analytix":
        logger.debug(
            "analytix: no consent banner: consent comes from %r (CONSENT['SOURCE']), whose own "
            "consent manager asks",
            consent.source,
        )
        return SafeString("")
    if request is not None:
        if getattr(request, RENDERED, False):
            return SafeString("")  # one banner per page
        try:
            setattr(request, RENDERED, True)
        except AttributeError:
            pass
    context = {
        "categories": _categories(decision.settings.valid_ids),
        "policy_url": policy_link(policy_url),
        "nonce": nonce or "",
        # The ids' suffix: unguessable, so injected HTML cannot take the place of an element
        # a label or an ARIA attribute names (the first element with an id wins).
        "uid": secrets.token_hex(6),
    }
    return mark_safe(render_to_string(BANNER_TEMPLATE, context))
