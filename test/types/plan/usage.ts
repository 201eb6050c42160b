// Compiled by tsc in test/plan-types.test.mjs with analytics_plan.d.ts, the types that
// `manage.py analytix_plan types` wrote for the test plan: planned events type-check.

export function plannedPageCode(): void {
  const analytix = window.analytix;
  if (analytix) {
    analytix.track("sign_up", { method: "email", seats: 2 });
    analytix.track("sign_up", { method: "google" });
    analytix.track("clicked_deploy");
    analytix.track("clicked_deploy", { plan: "pro" });
    analytix.track("report_exported", null);
    const method: "email" | "google" = Math.random() > 0.5 ? "email" : "google";
    analytix.track("sign_up", { method });
  }
}
