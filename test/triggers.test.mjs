// Load triggers (start.js watches them, triggers.js starts services) and the Drift facade (vendors/drift-facade.js), in jsdom with
// no real clock: requestIdleCallback is a fake the test runs by hand, and the visitor's first
// interaction is an event the test dispatches.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CORE, IDS, VENDOR_FILES, lines, makePage, service } from "./helpers.mjs";

// start.js watches the triggers; the main script's files follow, as on a page.
const STYLE = "/static/analytix/css/launcher.css";
const FILES = ["start.js", ...CORE.slice(0, 3), "triggers.js", ...CORE.slice(3)];

// A page with these services (each {name, load, ...}); idle callbacks are kept in page.idle.
function triggerPage(services, { consent = null, connection = null, cookie = "", noBody = false } = {}) {
  const config = {
    area: "signup",
    logLevel: "verbose",
    services: services.map((s) => service(s.name, { id: IDS[s.name], category: "analytics", ...s })),
    ...(consent ? { consent } : {}),
  };
  const page = makePage({ config, nonce: "n0nce", url: "https://site.test/" });
  if (cookie) page.document.cookie = cookie; // this browser's own consent (boot re-checks it)
  if (noBody) page.document.body.remove();
  page.idle = [];
  page.window.requestIdleCallback = (callback, options) => page.idle.push({ callback, options });
  if (connection) {
    Object.defineProperty(page.window.navigator, "connection", { value: connection });
  }
  const vendorFiles = services.map((s) => VENDOR_FILES[s.name]);
  // The launcher waits for its stylesheet's load event, which jsdom (no CSS fetches) leaves to
  // the test: page.styled() fires it.
  page.styled = () => page.document.querySelectorAll('link[rel="stylesheet"]').forEach((l) => l.dispatchEvent(new page.window.Event("load")));
  page.run(...FILES, ...vendorFiles, "vendors/drift-facade.js", "boot.js");
  page.scripts = () => [...page.document.querySelectorAll("script[src]")];
  // jsdom fires the page's own load event (an event, not a clock: nothing waits on time).
  page.load = () => new Promise((resolve) => {
    if (page.document.readyState === "complete") resolve();
    else page.window.addEventListener("load", () => resolve());
  });
  page.runIdle = () => page.idle.splice(0).forEach((entry) => entry.callback({ didTimeout: false, timeRemaining: () => 10 }));
  return page;
}

test('"idle" starts after load, in idle time with a deadline, and says when', async () => {
  const page = triggerPage([{ name: "google", load: "idle" }]);
  assert.equal(page.window.analytix.services.google.state, "scheduled");
  await page.load();
  assert.equal(page.scripts().length, 0, "nothing before the idle callback");
  assert.equal(page.idle.length, 1);
  assert.equal(page.idle[0].options.timeout, 3000);
  page.runIdle();
  const scripts = page.scripts();
  assert.equal(scripts.length, 1);
  assert.match(scripts[0].src, /^https:\/\/www\.googletagmanager\.com\/gtag\/js\?id=G-ABC123DEF4/);
  assert.equal(scripts[0].nonce, "n0nce");
  assert.ok(lines(page.calls).some((line) => /^\[VERBOSE\] Google Analytics \| trigger idle fired after \d+\.\d s$/.test(line)));
  assert.ok(lines(page.calls).includes("[DEBUG] Google Analytics | scheduled: starts on trigger idle"));
});

test('"interaction" starts at the first key, pointer, scroll or touch, once', async () => {
  for (const type of ["keydown", "pointerdown", "scroll", "touchstart"]) {
    const page = triggerPage([{ name: "hubspot", load: "interaction" }, { name: "google" }]);
    await page.load();
    page.runIdle();
    assert.deepEqual(page.scripts().map((s) => new URL(s.src).host), ["www.googletagmanager.com"], type);
    page.document.body.dispatchEvent(new page.window.Event(type, { bubbles: type !== "scroll" }));
    if (type === "scroll") {
      page.document.dispatchEvent(new page.window.Event("scroll"));
    }
    assert.equal(page.scripts().filter((s) => s.src.includes("hs-scripts")).length, 1, type);
    assert.equal(page.window.analytix.services.hubspot.state, "loading");
    page.document.body.dispatchEvent(new page.window.Event("keydown", { bubbles: true }));
    assert.equal(page.scripts().length, 2, "a second interaction starts nothing more");
  }
});

test("events and identify made before a service's trigger reach it once when it starts", () => {
  const page = triggerPage([{ name: "hubspot", load: "interaction" }]);
  const block = page.document.querySelector("script[data-analytix-config]");
  const config = JSON.parse(block.textContent);
  assert.ok(config.services[0].load);
  const analytix = page.window.analytix;
  assert.deepEqual([...analytix.track("Signed up", { plan: "pro" })], ["hubspot"]);
  analytix.service("hubspot").call("setPath", "/early");
  assert.equal(page.window._hsq, undefined, "nothing reaches the vendor before it starts");
  assert.ok(lines(page.calls).some((line) => line.startsWith('[DEBUG] HubSpot | event "Signed up" queued')));
  page.document.body.dispatchEvent(new page.window.Event("pointerdown", { bubbles: true }));
  analytix.track("Second", {});
  const commands = page.window._hsq.map((entry) => entry[0] + ":" + (entry[1] && entry[1].name ? entry[1].name : entry[1]));
  assert.deepEqual(commands.filter((c) => !c.startsWith("setPath:") || c === "setPath:/early").filter((c) => /signed_up|second|\/early/.test(c)).length, 3);
  assert.equal(commands.filter((c) => c.includes("signed_up")).length, 1);
  assert.equal(commands.filter((c) => c === "setPath:/early").length, 1);
  assert.ok(commands.indexOf("setPath:/early") > commands.findIndex((c) => c.includes("signed_up")), "in order");
});

test("a service waiting for consent starts at its trigger once granted, at once if it fired", async () => {
  const consent = { required: true, cookie: "analytix_consent", granted: [], decided: false };
  const waiting = { on: false, waiting: true, reason: "consent" };
  const page = triggerPage([{ name: "google", load: "idle", ...waiting }, { name: "kissmetrics", load: "interaction", ...waiting }], { consent });
  await page.load();
  page.runIdle();
  page.document.body.dispatchEvent(new page.window.Event("keydown", { bubbles: true }));
  assert.equal(page.scripts().length, 0, "no consent: nothing at the triggers");
  const analytix = page.window.analytix;
  analytix.consent.grant(["analytics"]);
  // Both triggers fired before consent: both start at once.
  assert.ok(page.scripts().some((s) => s.src.includes("googletagmanager")));
  assert.ok(page.scripts().some((s) => s.src.includes("kissmetrics")));

  const later = triggerPage([{ name: "google", load: "idle", ...waiting }], { consent });
  later.window.analytix.consent.grant(["analytics"]);
  assert.equal(later.window.analytix.services.google.state, "scheduled");
  assert.equal(later.scripts().length, 0, "granted before the trigger: waits for it");
  await later.load();
  later.runIdle();
  assert.equal(later.scripts().length, 1);
});

test("a trigger that fires after consent was withdrawn starts nothing; a new grant starts it", async () => {
  const consent = { required: true, cookie: "analytix_consent", granted: ["analytics"], decided: true };
  const page = triggerPage([{ name: "google", load: "idle" }], { consent, cookie: "analytix_consent=analytics" });
  assert.equal(page.window.analytix.services.google.state, "scheduled");
  page.window.analytix.consent.withdraw();
  await page.load();
  page.runIdle();
  assert.equal(page.scripts().length, 0);
  assert.equal(page.window.analytix.services.google.state, "waiting");
  page.window.analytix.consent.grant(["analytics"]); // the trigger has fired: it starts at once
  assert.equal(page.scripts().length, 1);
  assert.equal(page.window.analytix.services.google.state, "loading");
});

test("at \"ready\" a service starts at boot; without a trigger in the config, at its default", () => {
  const page = triggerPage([{ name: "hubspot", load: undefined }, { name: "google", load: "ready" }]);
  assert.deepEqual(page.scripts().map((s) => new URL(s.src).host), ["www.googletagmanager.com"]);
  assert.equal(page.window.analytix.services.hubspot.state, "scheduled");
  assert.equal(page.window.analytix.services.hubspot.load, "idle"); // triggers.py's default
});

// The Drift library, as the fake vendors do it: drains the stub, then answers on("ready").
const FAKE_DRIFT = `
  (function () {
    var stub = window.drift, ready = [];
    var api = { calls: [], opened: 0, openChat: function () { api.opened += 1; } };
    function handle(entry) {
      if (entry[0] === "on" && entry[1] === "ready") { ready.push(entry[2]); } else { api.calls.push(entry); }
    }
    stub.forEach(handle);
    window.drift = { init: function () {}, api: api, ready: function () { ready.forEach(function (cb) { cb(api, {}); }); } };
    ["identify", "track", "on", "config"].forEach(function (m) {
      window.drift[m] = function () { handle([m].concat([].slice.call(arguments))); };
    });
  })();`;

test("the Drift facade: an accessible launcher, no vendor request before the click", async () => {
  const page = triggerPage([{ name: "drift", load: "facade", category: "functional", facadeStyle: STYLE }]);
  await page.load();
  page.runIdle();
  assert.equal(page.document.querySelector("button.analytix-launcher"), null, "never shown unstyled");
  page.styled();
  const button = page.document.querySelector("button.analytix-launcher");
  assert.ok(button, "the launcher is shown once its stylesheet has loaded");
  assert.equal(button.type, "button");
  assert.equal(button.getAttribute("aria-label"), "Open chat");
  assert.equal(button.tabIndex, 0);
  assert.equal(button.getAttribute("style"), null, "no inline style");
  assert.equal(page.document.querySelector('link[rel="stylesheet"]').getAttribute("href"), "https://site.test" + STYLE);
  assert.equal(page.scripts().length, 0);
  assert.equal(page.document.querySelector('link[rel="preconnect"]'), null);
  assert.equal(page.window.analytix.services.drift.state, "scheduled");
  assert.ok(lines(page.calls).includes("[DEBUG] Drift | facade shown; loads on click"));
  page.document.body.dispatchEvent(new page.window.Event("keydown", { bubbles: true }));
  assert.equal(page.scripts().length, 0, "an interaction elsewhere loads nothing");
  button.dispatchEvent(new page.window.FocusEvent("focus"));
  const preconnect = page.document.querySelectorAll('link[rel="preconnect"]');
  assert.equal(preconnect.length, 1);
  assert.equal(preconnect[0].href, "https://js.driftt.com/");
  button.dispatchEvent(new page.window.Event("pointerenter"));
  assert.equal(page.document.querySelectorAll('link[rel="preconnect"]').length, 1, "once");
  assert.equal(page.scripts().length, 0, "a preconnect is no script");
});

test("the facade's click loads Drift with the nonce, delivers queued calls once, opens the chat and goes", () => {
  const page = triggerPage([{ name: "drift", load: "facade", category: "functional", facadeStyle: STYLE }]);
  const analytix = page.window.analytix;
  page.window.drift.identify("user-1", { plan: "pro" }); // the page's own drift call
  analytix.track("Pricing viewed", { plan: "pro" });
  page.styled();
  const button = page.document.querySelector("button.analytix-launcher");
  button.click();
  button.click(); // a double click loads once
  const scripts = page.scripts();
  assert.equal(scripts.length, 1);
  assert.match(scripts[0].src, /^https:\/\/js\.driftt\.com\/include\/\d+\/abc123xyz789\.js$/);
  assert.equal(scripts[0].nonce, "n0nce");
  page.window.eval(FAKE_DRIFT);
  const api = page.window.drift.api;
  assert.deepEqual([...api.calls.map((c) => c[0] + ":" + c[1])], ["identify:user-1", "track:Pricing viewed"]);
  assert.equal(api.opened, 0);
  assert.ok(page.document.querySelector("button.analytix-launcher"), "shown until Drift is ready");
  page.window.drift.ready();
  assert.equal(api.opened, 1);
  assert.equal(page.document.querySelector("button.analytix-launcher"), null, "the real widget took over");
  assert.ok(lines(page.calls).some((line) => /^\[VERBOSE\] Drift \| trigger facade fired after \d+\.\d s$/.test(line)));
});

test("on Save-Data or a 2g connection the facade waits for the click even to preconnect", () => {
  for (const connection of [{ saveData: true, effectiveType: "4g" }, { saveData: false, effectiveType: "2g" }, { effectiveType: "slow-2g" }]) {
    const page = triggerPage([{ name: "drift", load: "facade", category: "functional", facadeStyle: STYLE }], { connection });
    page.styled();
    const button = page.document.querySelector("button.analytix-launcher");
    button.dispatchEvent(new page.window.FocusEvent("focus"));
    button.dispatchEvent(new page.window.Event("pointerenter"));
    assert.equal(page.document.querySelector('link[rel="preconnect"]'), null, JSON.stringify(connection));
    button.click();
    assert.equal(page.scripts().length, 1);
  }
});

test("without its stylesheet (blocked, offline, no URL) there is no launcher: Drift waits for the first interaction", () => {
  const failed = triggerPage([{ name: "drift", load: "facade", category: "functional", facadeStyle: STYLE }]);
  failed.document.querySelector('link[rel="stylesheet"]').dispatchEvent(new failed.window.Event("error"));
  const none = triggerPage([{ name: "drift", load: "facade", category: "functional" }]);
  for (const page of [failed, none]) {
    assert.equal(page.document.querySelector("button.analytix-launcher"), null);
    assert.ok(lines(page.calls).some((line) => line.startsWith("[WARNING] Drift | facade not shown (") &&
      line.endsWith("): loads on the first interaction")), lines(page.calls).join("\n"));
    assert.equal(page.scripts().length, 0, "nothing before the interaction");
    assert.equal(page.window.analytix.services.drift.state, "scheduled");
    page.document.body.dispatchEvent(new page.window.Event("pointerdown", { bubbles: true }));
    assert.equal(page.scripts().length, 1);
    assert.match(page.scripts()[0].src, /^https:\/\/js\.driftt\.com\/include\//);
  }
});

test("when the facade cannot be shown (no Drift loader, no <body>) Drift waits for the first interaction", () => {
  const page = triggerPage([{ name: "drift", load: "facade", category: "functional", facadeStyle: STYLE }], { noBody: true });
  assert.ok(lines(page.calls).includes("[WARNING] Drift | facade not shown (no Drift loader or no <body>): loads on the first interaction"));
  assert.equal(page.scripts().length, 0, "not at once");
  assert.equal(page.window.analytix.services.drift.state, "scheduled");
  page.window.dispatchEvent(new page.window.Event("keydown"));
  assert.equal(page.scripts().length, 1, "at the first interaction");
});
