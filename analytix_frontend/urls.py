"""The package's URLs: `path("analytix/", include("analytix_frontend.urls"))` in your URLconf.

analytix/plan/<digest>.json   the compiled tracking plan the page checks events with
analytix/consent/             the consent record endpoint (CONSENT["RECORDS"]; docs/privacy.md)
"""

from django.urls import path

from analytix_frontend.consent.views import record_consent
from analytix_frontend.plan.browser import plan_json

app_name = "analytix"

urlpatterns = [
    path("plan/<slug:digest>.json", plan_json, name="plan"),
    path("consent/", record_consent, name="consent-record"),
]
