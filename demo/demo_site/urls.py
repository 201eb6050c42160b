from importlib.util import find_spec

from django.urls import include, path

from demo_site.views import area_page, fake_vendor, fake_vendors_worker, plan_page

urlpatterns = [
    path("", area_page),
    path("area/<str:area>/", area_page),
    path("fake-vendors-sw.js", fake_vendors_worker),
    path("fake-vendor.js", fake_vendor),
    path("plan/", plan_page),
    path("analytix/", include("analytix_frontend.urls")),  # the compiled plan the page checks with
]

if find_spec("debug_toolbar") is not None:  # demo_site/settings.py installs it then
    urlpatterns.append(path("__debug__/", include("debug_toolbar.urls")))
