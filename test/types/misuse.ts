// Each line must be a type error (tsc reports them; test/types.test.mjs counts them).
export function misuse(): void {
  const api = window.analytix!;
  api.track(42); // the event is a string
  api.track("Event", "not an object"); // properties are an object
  api.consent.grant(["analytic"]); // unknown category
  api.consent.allows("analytics"); // only in ready's callback: the main script may not have run
  api.setLogLevel("verbos"); // unknown log level
  api.logger("x").info("no info level"); // warning, debug, verbose only
  api.services.fullstroy; // unknown service
  const state: "ready" = api.service("google").state; // not a ServiceState
  window.analytix.track("unguarded"); // possibly undefined on pages without the tag
  api.consent.reject({ source: "tcf" }); // page code's decisions come from the banner or the api
  api.consent.privacyStatus(); // only in ready's callback, like allows
}
