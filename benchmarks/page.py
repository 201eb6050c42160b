"""The benchmark page: a typical Django page (base template, nav, loops, filters) and its
variants, plus fake requests (anonymous or logged in, with or without a CSP nonce)."""

from __future__ import annotations

import os
from typing import Any

VARIANTS = {
    "plain": "bench/plain.html",  # no analytics tag: the baseline
    "analytix": "bench/analytix.html",  # {% analytics_scripts "signup" %}: six services
    "analytical": "bench/analytical.html",  # django-analytical: GA4 gtag, HubSpot, Pixel, KM
    "floor": "bench/floor.html",  # a tag writing a constant string of our output's size
    "snippets": "bench/snippets.html",  # each vendor's official snippet pasted into <head>
}


def setup() -> None:
    """Configures Django with the benchmark settings (once per process)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()


def page_template(variant: str) -> Any:
    from django.template.loader import get_template

    return get_template(VARIANTS[variant])


def page_context() -> dict[str, Any]:
    return {
        "site_name": "Acme Cloud",
        "page_title": "Plans and pricing",
        "page_description": "Pick the plan that fits your team. Every plan comes with a "
        "30-day trial, unlimited projects and support from real people.",
        "body_class": "pricing",
        "currency": "EUR",
        "year": 2026,
        "legal": "Acme Cloud Ltd.\nRegistered in Dublin.",
        "nav": [
            {"url": u, "title": t}
            for u, t in [
                ("/", "Home"),
                ("/product/", "Product"),
                ("/pricing/", "Pricing"),
                ("/customers/", "Customers"),
                ("/docs/", "Docs"),
                ("/blog/", "Blog"),
                ("/about/", "About"),
                ("/contact/", "Contact"),
            ]
        ],
        "plans": [
            {
                "slug": f"plan-{i}",
                "name": f"plan number {i}",
                "price": 9.5 * (i + 1),
                "featured": i == 2,
                "description": "Everything a growing team needs to build, ship and measure "
                "its product, with room to grow and nothing to install.",
                "features": [f"Feature {j} for plan {i}" for j in range(6)],
            }
            for i in range(12)
        ],
        "form_fields": [
            {"label": "Name", "name": "name", "type": "text", "required": True},
            {"label": "Email", "name": "email", "type": "email", "required": True},
            {"label": "Company", "name": "company", "type": "text", "required": False},
            {"label": "Password", "name": "password", "type": "password", "required": True},
        ],
        "footer": [
            {
                "title": title,
                "links": [
                    {"url": f"/{title.lower()}/{k}/", "title": f"{title} {k}"} for k in range(5)
                ],
            }
            for title in ("Product", "Company", "Resources", "Legal")
        ],
    }


class FakeUser:
    """A logged-in user without a database (what request.user looks like to templates)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = id = 42
    username = "alice"

    def get_username(self) -> str:
        return self.username

    def get_all_permissions(self, obj: Any = None) -> set[str]:
        return set()

    def has_module_perms(self, app_label: str) -> bool:
        return False


def make_request(*, logged_in: bool, nonce: str | None, path: str = "/signup/") -> Any:
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get(path, REMOTE_ADDR="203.0.113.7")
    request.user = FakeUser() if logged_in else AnonymousUser()
    if nonce:
        request.csp_nonce = nonce  # what django-csp's middleware sets
    return request
