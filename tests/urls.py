from django.shortcuts import render
from django.urls import path


def area_page(request, area):
    return render(request, "tests/page.html", {"area": area, "twice": "twice" in request.GET})


def events_page(request, area):
    return render(request, "tests/events.html", {"area": area})


urlpatterns = [path("page/<str:area>/", area_page), path("events/<str:area>/", events_page)]
