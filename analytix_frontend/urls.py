"""The package's URLs: `path("analytix/", include("analytix_frontend.urls"))` in your URLconf.

analytix/plan/<digest>.json   the compiled tracking plan the page checks events with
"""

from django.urls import path

from analytix_frontend.plan.browser import plan_json

app_name = "analytix"

urlpatterns = [
    path("plan/<slug:digest>.json", plan_json, name="plan"),
]
