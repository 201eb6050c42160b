"""The package's URLs: `path("analytix/", include("analytix_frontend.urls"))` in your URLconf.

analytix/plan/<digest>.json   the compiled tracking plan the page checks events with
analytix/plan/report/         where pages report the plan's violations (PLAN_REPORTS; docs/plan.md)
analytix/consent/             the consent record endpoint (CONSENT["RECORDS"]; docs/privacy.md)
"""

from django.urls import path

from analytix_frontend.consent.views import record_consent
from analytix_frontend.plan.browser import plan_json
from analytix_frontend.plan.reports import receive_plan_report

app_name = "analytix"

urlpatterns = [
    path("plan/<slug:digest>.json", plan_json, name="plan"),
    path("plan/report/", receive_plan_report, name="plan-report"),
    path("consent/", record_consent, name="consent-record"),
]
