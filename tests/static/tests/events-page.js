// The page's own code: tracks an event as soon as it runs (before any vendor script has
// arrived), noting each service's state at that moment.
window.earlyStates = {};
Object.keys(window.analytix.services).forEach(function (name) {
  window.earlyStates[name] = window.analytix.services[name].state;
});
window.analytix.track("Page Script Ran", { early: true });
