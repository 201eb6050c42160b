"""The benchmark page, served for the browser A/B run (benchmarks/pageload.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from benchmarks.page import page_context, page_template


def bench_page(request: HttpRequest, variant: str) -> HttpResponse:
    return HttpResponse(page_template(variant).render(page_context(), request))


urlpatterns = [path("page/<str:variant>/", bench_page)]
