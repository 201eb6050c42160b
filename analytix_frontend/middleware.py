"""`AnalytixCacheMiddleware`: the cache headers for what `{% analytics_scripts %}` wrote.

Put it after Django's `UpdateCacheMiddleware` (or `CacheMiddleware`) and before your CSP
middleware (django-csp's `CSPMiddleware`, Django's `ContentSecurityPolicyMiddleware`):

    MIDDLEWARE = [
        "django.middleware.cache.UpdateCacheMiddleware",       # if you use the site-wide cache
        "analytix_frontend.middleware.AnalytixCacheMiddleware",
        ...,
        "csp.middleware.CSPMiddleware",
        ...,
        "django.middleware.cache.FetchFromCacheMiddleware",    # if you use the site-wide cache
    ]

Responses run through middleware bottom-up, so this order lets it see the CSP header and
lets Django's cache see its `Vary` and `Cache-Control: private` before storing anything.
`manage.py check` reports another order (analytix.W302, W303). Sync and async capable.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin

from analytix_frontend.page.caching import protect_response


class AnalytixCacheMiddleware(MiddlewareMixin):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        return protect_response(request, response)
