// Compiled by `tsc --noEmit -p test/types` (test/types.test.mjs): page code as docs/events.md
// writes it must type-check against static/analytix/js/analytix.d.ts, and misuse must not.
// Wrapped in a function that nothing calls: a test runner that picks up .ts files runs
// nothing here.

export function pageCode(): void {
  const analytix = window.analytix;
  if (analytix) {
    const sent: Analytix.ServiceName[] = analytix.track("Clicked Deploy", { plan: "pro" });
    analytix.track("No Properties");
    analytix.track("Null Properties", null);
    analytix.identify("u-42", { plan: "pro" });
    analytix.identify(42);

    const checkout: Analytix.Logger = analytix.logger("Checkout");
    checkout.warning("card declined", { code: 402 });
    checkout.debug("step", 2);
    checkout.verbose("payload");
    if (checkout.enabled("debug")) {
      checkout.group("debug", () => checkout.debug("inside"));
    }

    const drift = analytix.service("drift");
    if (drift.on && drift.state === "loaded") {
      drift.call("show");
    }
    const delivered: boolean = drift.track("Opened Chat");
    analytix.service("not-on-this-page").identify("u-1");

    analytix.consent.grant(["analytics", "marketing"]);
    analytix.consent.grant("functional");
    analytix.consent.withdraw();
    analytix.consent.grant(["analytics"], { source: "banner" });
    analytix.consent.grant({ source: "banner" });
    analytix.consent.withdraw(["marketing"], { source: "banner" });
    analytix.consent.withdraw({ source: "banner" });
    analytix.consent.reject({ source: "banner" });
    analytix.consent.reject();
    analytix.ready((api) => {
      const allowed: boolean = api.consent.allows("analytics");
      const vendorAllowed: boolean = api.consent.allows("analytics", "google");
      const granted: Analytix.Category[] = api.consent.state.categories;
      const id: string = api.consent.state.id;
      const source: Analytix.ConsentSource = api.consent.state.source;
      const stop: () => void = api.consent.onChange((state, change) => {
        console.log(state.decided, change.action, change.source);
      });
      const status: Analytix.PrivacyStatus = api.consent.privacyStatus();
      if (status.honored) {
        console.log(status.text);
      }
      stop();
      console.log(allowed, vendorAllowed, granted, id, source);
    });

    const fullstory = analytix.services.fullstory;
    if (fullstory && fullstory.waiting) {
      const reason: Analytix.Reason = fullstory.reason; // "consent"
      console.log(fullstory.label, reason, fullstory.state, fullstory.detail);
    }
    analytix.setLogLevel("verbose");
    analytix.setLogLevel("debug", { remember: true });
    analytix.forgetLogLevel();
    const level: Analytix.LogLevel = analytix.logLevel();
    console.log(sent, delivered, level);
  }

  window.analytix?.track("Guarded", { step: 1 });

  const attributes: Analytix.EventAttributes = {
    "data-analytix-event": "Signed Up",
    "data-analytix-props": JSON.stringify({ step: 2 }),
  };
  console.log(attributes);
}
