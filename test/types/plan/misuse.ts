// Each line with a comment must be a type error against analytics_plan.d.ts (test/plan-types.test.mjs).

export function misuse(api: Analytix.Api): void {
  api.track("Sign Up", { method: "email" }); // not a planned event
  api.track("sign_up"); // its required property is missing
  api.track("sign_up", {}); // its required property is missing
  api.track("sign_up", { method: "phone" }); // not one of the planned values
  api.track("sign_up", { method: "email", seats: "2" }); // a number in the plan
  api.track("sign_up", { method: "email", colour: "red" }); // not a property of the event
  api.track("clicked_deploy", { plan: "enterprise" }); // not one of the planned values
}
