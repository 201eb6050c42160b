"""`ConsentCookieMiddleware`: on the response to a visitor who declined a category, deletes
that category's vendors' cookies the request carried, on the host and its parent domains and
on "/" and each prefix of the request's path (where a cookie written without a Path sits).

Put it first in MIDDLEWARE (above Django's `UpdateCacheMiddleware`, if you use the site-wide
cache), so the deletions are added after any cache stored the response and are sent even
with a page from the cache:

    MIDDLEWARE = [
        "analytix_frontend.consent.middleware.ConsentCookieMiddleware",
        "django.middleware.cache.UpdateCacheMiddleware",       # if you use the site-wide cache
        "analytix_frontend.middleware.AnalytixCacheMiddleware",
        ...,
    ]

A response that carries deletions is marked `Cache-Control: private` (it is this visitor's).
"Declined": consent is required and the visitor answered without that category (withdraw,
reject, or never granted it). Undecided visitors keep their cookies (they have not said no);
the page never starts a vendor for them anyway. Sync and async capable.
"""

from __future__ import annotations

import logging
from http.cookies import CookieError

from django.http import HttpRequest, HttpResponseBase
from django.http.request import split_domain_port
from django.utils.cache import patch_cache_control
from django.utils.deprecation import MiddlewareMixin

from analytix_frontend.consent.cookies import (
    deletion,
    deletion_domains,
    deletion_paths,
    services_of,
    vendor_cookie_names,
)
from analytix_frontend.decide.consent import CATEGORIES
from analytix_frontend.decide.request import decide_request
from analytix_frontend.decide.settings import get_settings

logger = logging.getLogger("analytix_frontend.consent")


def declined_cookie_deletions(request: HttpRequest, response: HttpResponseBase) -> list[str]:
    """Adds the deletions to `response`; returns the cookie names deleted."""
    if not get_settings().privacy.consent_required:
        return []  # (no decision made for responses that need none: static files, APIs)
    answer = decide_request(request).consent
    if answer is None or not answer.decided:
        return []
    declined = [c for c in CATEGORIES if c not in answer.granted]
    names = vendor_cookie_names(services_of(declined), request.COOKIES)
    names = [name for name in names if name not in response.cookies]  # the view's own wins
    if not names:
        return []
    try:
        host = split_domain_port(request.get_host())[0]
    except Exception:  # DisallowedHost: the host-only deletions still go out
        host = ""
    secure = request.is_secure()
    deleted = []
    for name in names:
        try:
            morsels = [
                deletion(name, d, secure, p)
                for p in deletion_paths(request.path)
                for d in deletion_domains(host)
            ]
        except CookieError:  # a name no Set-Cookie can carry (the page's pass may reach it)
            continue
        deleted.append(name)
        for morsel in morsels:
            # One Set-Cookie per (name, domain, path): the response's cookie jar is keyed by name,
            # so each deletion goes in under its own key (";" never occurs in a cookie name).
            response.cookies[f"{name};{morsel['domain']};{morsel['path']}"] = morsel
    if not deleted:
        return []
    patch_cache_control(response, private=True)
    return deleted


class ConsentCookieMiddleware(MiddlewareMixin):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        try:
            names = declined_cookie_deletions(request, response)
        except Exception:  # never break a response over cookie housekeeping
            logger.warning("analytix: declined vendor cookies could not be deleted", exc_info=True)
            return response
        if names:
            logger.debug("analytix: deleting declined vendors' cookies: %s", ", ".join(names))
        return response
