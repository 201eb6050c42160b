from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from analytix_frontend.conf import get_settings


def area_page(request: HttpRequest, area: str = "default") -> HttpResponse:
    areas = get_settings().areas
    if area not in areas:
        raise Http404(f"no area {area!r}")
    return render(request, "demo/page.html", {"area": area, "areas": sorted(areas)})


urlpatterns = [
    path("", area_page),
    path("area/<str:area>/", area_page),
]
