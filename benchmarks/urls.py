"""The benchmark page, served for the browser runs (benchmarks/pageload.py, vendorcost.py)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test.utils import override_settings
from django.urls import path

from benchmarks.page import page_context, page_template


def bench_page(request: HttpRequest, variant: str) -> HttpResponse:
    return HttpResponse(page_template(variant).render(page_context(), request))


def fastest_page(request: HttpRequest) -> HttpResponse:
    """The analytix page with the package's fastest documented settings (FASTEST_CONFIG).
    The benchmark server is single-purpose, so overriding settings per request is safe here."""
    config = {**settings.ANALYTICS_CONFIG, **settings.FASTEST_CONFIG}
    with override_settings(ANALYTICS_CONFIG=config):
        return bench_page(request, "analytix")


urlpatterns = [
    path("page/analytix-fastest/", fastest_page),
    path("page/<str:variant>/", bench_page),
]
