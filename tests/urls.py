from django.shortcuts import render
from django.urls import include, path


def area_page(request, area):
    return render(request, "tests/page.html", {"area": area, "twice": "twice" in request.GET})


urlpatterns = [
    path("page/<str:area>/", area_page),
    path("privacy/", include("tests.privacy_views")),
]
