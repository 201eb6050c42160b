// The page's own code: tracks an event as soon as it runs (before the main script and any
// vendor script have arrived: start.js keeps the call), and notes each service's state once
// the main script has run.
window.analytix.ready(function () {
  var states = {};
  Object.keys(window.analytix.services).forEach(function (name) {
    states[name] = window.analytix.services[name].state;
  });
  window.earlyStates = states;
});
window.analytix.track("Page Script Ran", { early: true });
