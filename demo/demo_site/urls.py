from django.urls import path

from demo_site.views import area_page, fake_vendors_worker

urlpatterns = [
    path("", area_page),
    path("area/<str:area>/", area_page),
    path("fake-vendors-sw.js", fake_vendors_worker),
]
