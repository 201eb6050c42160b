import assert from "node:assert/strict";
import { test } from "node:test";
import { CORE, IDS, VENDOR_FILES, lines, makePage, service } from "./helpers.mjs";

const ALL = Object.keys(VENDOR_FILES);

// A page with these services on (the rest of `off` off for `reason`), booted.
function bootedPage({ on = ALL, off = [], logLevel = "verbose", identity, url, body } = {}) {
  const config = {
    area: "signup",
    logLevel,
    services: [
      ...on.map((name) => service(name, { id: IDS[name] })),
      ...off.map((name) => service(name, { on: false, reason: "area", detail: "area 'signup' does not list it" })),
    ],
  };
  if (identity !== undefined) config.identity = identity;
  const page = makePage({ config, url, body });
  page.run(...CORE, ...on.map((name) => VENDOR_FILES[name]), "boot.js");
  page.calls.length = 0; // keep only what the test itself causes
  return page;
}

// Copies values out of the jsdom realm (Arguments, its Object.prototype) for deepEqual.
const plain = (value) =>
  value === undefined
    ? undefined
    : JSON.parse(JSON.stringify(value, (key, v) => (v && typeof v === "object" && typeof v.length === "number" ? Array.from(v) : v)));

// The last call each vendor's global (its stub, before the script loads) received.
function lastCalls(window) {
  return {
    google: plain(window.dataLayer.at(-1)),
    hubspot: plain(window._hsq.at(-1)),
    kissmetrics: plain(window._kmq.at(-1)),
    drift: plain(window.drift.at(-1)),
    fullstory: plain((window.FS.q.at(-1) || []).slice(0, 2)),
    facebook_pixel: plain(window.fbq.queue.at(-1)),
  };
}

function fire(page, selector, type) {
  page.document.querySelector(selector).dispatchEvent(new page.window.Event(type));
}

test("track sends each vendor its own documented call, through its stub before it loads", () => {
  const page = bootedPage();
  const sent = page.window.analytix.track("Clicked Deploy", { plan: "pro", seats: 3 });
  assert.deepEqual(plain(sent), ALL);
  assert.deepEqual(lastCalls(page.window), {
    google: ["event", "clicked_deploy", { plan: "pro", seats: 3 }],
    hubspot: ["trackCustomBehavioralEvent", { name: "pe1234567_clicked_deploy", properties: { plan: "pro", seats: 3 } }],
    kissmetrics: ["record", "Clicked Deploy", { plan: "pro", seats: 3 }],
    drift: ["track", "Clicked Deploy", { plan: "pro", seats: 3 }],
    fullstory: ["trackEvent", { name: "Clicked Deploy", properties: { plan: "pro", seats: 3 } }],
    facebook_pixel: ["trackCustom", "Clicked Deploy", { plan: "pro", seats: 3 }],
  });
});

test("vendor mappings follow each vendor's rules", () => {
  const page = bootedPage();
  const { analytix } = page.window;
  analytix.track("Purchase", { "Order Total": 12.5, items: [{ id: 1 }], nested: { a: 1 }, note: "x".repeat(150), gone: null });
  const calls = lastCalls(page.window);
  assert.deepEqual(calls.facebook_pixel.slice(0, 2), ["track", "Purchase"]); // a Meta standard event
  assert.deepEqual(calls.google[2], { order_total: 12.5, items: [{ id: 1 }], nested: '{"a":1}', note: "x".repeat(100) });
  assert.deepEqual(calls.drift[2], { "Order Total": 12.5, items: '[{"id":1}]', nested: '{"a":1}', note: "x".repeat(150), gone: null });
  analytix.track("pe1234567_my_event");
  assert.equal(lastCalls(page.window).hubspot[1].name, "pe1234567_my_event"); // an internal name goes as is
  analytix.track("9 Lives");
  assert.equal(lastCalls(page.window).google[1], "event_9_lives"); // GA4 names start with a letter
});

test("calls go to the vendor's global as it is now: the loaded library once it took over", () => {
  const page = bootedPage({ on: ["kissmetrics", "hubspot"] });
  const { window } = page;
  window.analytix.track("Early");
  assert.deepEqual(plain(window._kmq.at(-1)), ["record", "Early", {}]);
  // The library arrives: it drains the stub queue and replaces it, as Kissmetrics' does.
  const received = [...window._kmq];
  window._kmq = { push: (command) => received.push(command) };
  for (const script of page.document.querySelectorAll("script[src]")) script.dispatchEvent(new window.Event("load"));
  assert.equal(window.analytix.services.kissmetrics.state, "loaded");
  window.analytix.track("Late", { n: 1 });
  assert.deepEqual(plain(received.at(-1)), ["record", "Late", { n: 1 }]);
});

test("after a failed load, calls are dropped with one warning and other services still get them", () => {
  const page = bootedPage({ on: ["hubspot", "kissmetrics"], logLevel: "debug" });
  fire(page, "#hs-script-loader", "error");
  page.calls.length = 0;
  const queued = page.window._hsq.length;
  assert.deepEqual(plain(page.window.analytix.track("One")), ["kissmetrics"]);
  assert.deepEqual(plain(page.window.analytix.track("Two")), ["kissmetrics"]);
  assert.equal(page.window._hsq.length, queued);
  const warnings = lines(page.calls).filter((line) => line.startsWith("[WARNING]"));
  assert.deepEqual(warnings, [
    '[WARNING] HubSpot | event "One" dropped: the vendor script failed to load (blocked or offline); later calls are dropped too',
  ]);
  assert.ok(lines(page.calls).includes('[DEBUG] HubSpot | event "Two" dropped: the vendor script failed to load'));
  assert.equal(page.calls.filter((c) => c.method === "error").length, 0);
});

test("services that are off are never touched, with a debug line and the reason", () => {
  const page = bootedPage({ on: ["google"], off: ["drift", "facebook_pixel"], logLevel: "debug" });
  assert.deepEqual(plain(page.window.analytix.track("Clicked Deploy")), ["google"]);
  assert.equal(page.window.drift, undefined);
  assert.equal(page.window.fbq, undefined);
  assert.deepEqual(lines(page.calls), [
    "[DEBUG] Drift | event \"Clicked Deploy\" not sent: off (area: area 'signup' does not list it)",
    "[DEBUG] Meta Pixel | event \"Clicked Deploy\" not sent: off (area: area 'signup' does not list it)",
  ]);
});

test("a service on in the config but without its vendor file on the page is skipped, not called", () => {
  const page = makePage({ config: { area: "x", logLevel: "debug", services: [service("drift", { id: IDS.drift })] } });
  page.run(...CORE, "boot.js"); // drift.js missing: boot marks it off ("no loader")
  assert.deepEqual(plain(page.window.analytix.track("X")), []);
  assert.equal(page.window.drift, undefined);
  assert.ok(lines(page.calls).some((line) => line.startsWith('[DEBUG] Drift | event "X" not sent: off (no loader')));
});

test("at verbose every event is logged per service with its payload", () => {
  const page = bootedPage({ on: ["hubspot", "google"] });
  page.window.analytix.track("Clicked Deploy", { plan: "pro" });
  assert.deepEqual(lines(page.calls), [
    '[VERBOSE] HubSpot | event "Clicked Deploy" -> _hsq ["trackCustomBehavioralEvent",{"name":"pe1234567_clicked_deploy","properties":{"plan":"pro"}}]',
    '[VERBOSE] Google Analytics | event "Clicked Deploy" -> gtag ["event","clicked_deploy",{"plan":"pro"}]',
  ]);
});

test("identify is off unless the page config opts in, and then reaches each vendor that supports it", () => {
  const off = bootedPage({ logLevel: "debug" });
  const before = lastCalls(off.window);
  assert.deepEqual(plain(off.window.analytix.identify("user-42", { plan: "pro" })), []);
  assert.deepEqual(lastCalls(off.window), before);
  assert.ok(lines(off.calls).some((line) => line.startsWith("[DEBUG] analytix | identify not sent: identity is off")));

  const page = bootedPage({ identity: true, logLevel: "debug" });
  const sent = page.window.analytix.identify("user-42", { plan: "pro", email: "a@example.com" });
  assert.deepEqual(plain(sent), ["google", "hubspot", "kissmetrics", "drift", "fullstory"]);
  const { window } = page;
  const traits = { plan: "pro", email: "a@example.com" };
  assert.deepEqual(plain(window.dataLayer.slice(-2)), [["set", { user_id: "user-42" }], ["set", "user_properties", traits]]);
  assert.deepEqual(plain(window._hsq.at(-1)), ["identify", { ...traits, id: "user-42" }]);
  assert.deepEqual(plain(window._kmq.slice(-2)), [["identify", "user-42"], ["set", traits]]);
  assert.deepEqual(plain(window.drift.at(-1)), ["identify", "user-42", traits]);
  assert.deepEqual(plain(window.FS.q.at(-1).slice(0, 2)), ["setIdentity", { uid: "user-42", properties: traits }]);
  assert.deepEqual(plain(window.fbq.queue.at(-1)), ["track", "PageView"]); // untouched
  assert.ok(lines(page.calls).includes("[DEBUG] Meta Pixel | identify not sent: Meta Pixel has no identify call"));
  assert.deepEqual(plain(page.window.analytix.identify(7)), ["google", "hubspot", "kissmetrics", "drift", "fullstory"]);
  assert.deepEqual(plain(window._kmq.at(-1)), ["identify", "7"]);
});

test("the server's identity (ANALYTICS_CONFIG IDENTITY) opts the page in and identifies each service as it starts", () => {
  const page = bootedPage({ identity: { id: "42", traits: { plan: "pro" } }, logLevel: "off" });
  const { window } = page;
  assert.deepEqual(plain(window._kmq.filter((call) => call[0] === "identify" || call[0] === "set")), [
    ["identify", "42"],
    ["set", { plan: "pro" }],
  ]);
  assert.deepEqual(plain(window.FS.q.find((call) => call[0] === "setIdentity").slice(0, 2)), [
    "setIdentity",
    { uid: "42", properties: { plan: "pro" } },
  ]);
  // Page code may identify too (e.g. after signing up in the page).
  assert.deepEqual(plain(window.analytix.identify("43")), ["google", "hubspot", "kissmetrics", "drift", "fullstory"]);
  assert.deepEqual(plain(window._kmq.at(-1)), ["identify", "43"]);
});

test("bad arguments never throw, never reach a vendor half-made, and say what was wrong", () => {
  const page = bootedPage({ logLevel: "warning" });
  const { analytix } = page.window;
  const before = JSON.stringify(lastCalls(page.window));
  for (const name of [undefined, null, 42, {}, [], "", "   ", () => "x", Symbol("s")]) {
    assert.deepEqual(plain(analytix.track(name, { a: 1 })), []);
  }
  assert.equal(JSON.stringify(lastCalls(page.window)), before);
  assert.equal(lines(page.calls).length, 9);
  assert.match(lines(page.calls)[0], /^\[WARNING\] analytix \| event not sent: the name must be a non-empty string, got undefined$/);

  const cyclic = { a: 1 };
  cyclic.self = cyclic;
  const throwing = Object.defineProperty({}, "boom", { enumerable: true, get: () => { throw new Error("getter"); } });
  const badProperties = [cyclic, { n: 10n }, throwing, [1, 2], "text", 5, new page.window.Date(), { big: "x".repeat(20000) }];
  for (const properties of badProperties) {
    page.calls.length = 0;
    assert.deepEqual(plain(analytix.track("Ok", properties)), ALL);
    assert.deepEqual(lastCalls(page.window).kissmetrics, ["record", "Ok", {}]);
    assert.equal(lines(page.calls).length, 1);
    assert.match(lines(page.calls)[0], /^\[WARNING\] analytix \| event "Ok": properties .*; sent without properties$/);
  }

  // Hostile strings are data: passed as given (each vendor escapes its own requests).
  const hostile = '</script><script>alert(1)</script>\u2028"\'`${x}';
  analytix.track(hostile, { [hostile]: hostile, fn: () => 1, undef: undefined });
  assert.deepEqual(lastCalls(page.window).kissmetrics, ["record", hostile, { [hostile]: hostile }]);
  analytix.track("Proto", JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'));
  assert.equal({}.polluted, undefined);
  assert.equal(page.window.Object.prototype.polluted, undefined);
  assert.deepEqual(lastCalls(page.window).hubspot[1].properties, { ok: 1 });
  page.calls.length = 0;
  analytix.track("y".repeat(1000));
  assert.equal(lastCalls(page.window).kissmetrics[1], "y".repeat(255));
  assert.deepEqual(lines(page.calls), ["[WARNING] analytix | event name cut to 255 characters"]);
});

test("bad identify arguments and odd service names never throw", () => {
  const page = bootedPage({ identity: true, logLevel: "off" });
  const { analytix } = page.window;
  for (const id of [undefined, null, {}, "", NaN, Infinity]) {
    assert.deepEqual(plain(analytix.identify(id, { a: 1 })), []);
  }
  assert.deepEqual(plain(analytix.identify("u", "not an object")), ["google", "hubspot", "kissmetrics", "drift", "fullstory"]);
  for (const name of [undefined, null, {}, "__proto__", "constructor", "toString", "nope"]) {
    const handle = analytix.service(name);
    assert.equal(handle.on, false);
    assert.equal(handle.call("x"), undefined);
    assert.equal(handle.track("x"), false);
  }
  assert.equal(analytix.service("drift").call("__proto__", 1), undefined);
  assert.equal(analytix.service("drift").call("constructor", 1), undefined);
});

test("service() returns a live handle on the vendor's own API, or a no-op that says why", () => {
  const page = bootedPage({ on: ["hubspot", "fullstory", "drift"], off: ["facebook_pixel"], logLevel: "debug" });
  const { analytix } = page.window;
  const hubspot = analytix.service("hubspot");
  assert.equal(hubspot.on, true);
  assert.equal(hubspot.state, "loading");
  hubspot.call("setPath", "/pricing");
  assert.deepEqual(plain(page.window._hsq.at(-1)), ["setPath", "/pricing"]);
  analytix.service("drift").call("show");
  assert.deepEqual(plain(page.window.drift.at(-1)), ["show"]);
  const promise = analytix.service("fullstory").call("getSessionAsync");
  assert.equal(typeof promise.then, "function"); // FS's own return value comes back
  assert.equal(analytix.service("hubspot").track("Only HubSpot"), true);
  assert.equal(page.window.FS.q.at(-1)[0], "getSession");

  page.calls.length = 0;
  const pixel = analytix.service("facebook_pixel");
  assert.equal(pixel.on, false);
  assert.equal(pixel.reason, "area");
  assert.equal(pixel.call("track", "Lead"), undefined);
  assert.equal(page.window.fbq, undefined);
  assert.equal(analytix.service("google").reason, "not on this page");
  analytix.service("google").call("event", "x");
  assert.equal(page.window.gtag, undefined);
  assert.deepEqual(lines(page.calls), [
    "[DEBUG] Meta Pixel | call [\"track\"] not sent: off (area: area 'signup' does not list it)",
    '[DEBUG] google | call ["event"] not sent: off (not on this page)',
  ]);

  fire(page, "#hs-script-loader", "error");
  assert.equal(hubspot.state, "failed");
  assert.equal(hubspot.on, false);
});

const LINKS = `
  <a id="go" href="/next" data-analytix-event="Clicked Deploy" data-analytix-props='{"plan":"pro"}'>go</a>
  <a id="blank" href="/next" target="_blank" data-analytix-event="Opened Docs">docs</a>
  <a id="bad" href="#top" data-analytix-event="Bad Props" data-analytix-props="{plan: pro}">bad</a>
  <button id="button" data-analytix-event="Pressed"><span id="inner">press</span></button>
  <form id="form" action="/signup" method="post" data-analytix-event="Signed Up" data-analytix-props='{"step":2}'>
    <button id="submit" name="plan" value="pro">sign up</button>
  </form>`;

function click(page, selector, init = {}) {
  const event = new page.window.MouseEvent("click", { bubbles: true, cancelable: true, button: 0, ...init });
  page.document.querySelector(selector).dispatchEvent(event);
  return event;
}

const until = async (check) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return check();
};

test("declarative: a click on a tracked element sends its event and JSON properties", () => {
  const page = bootedPage({ on: ["kissmetrics"], url: "https://site.test/here", body: LINKS, logLevel: "warning" });
  click(page, "#inner");
  assert.deepEqual(plain(page.window._kmq.at(-1)), ["record", "Pressed", {}]);
  click(page, "#blank");
  assert.deepEqual(plain(page.window._kmq.at(-1)), ["record", "Opened Docs", {}]);
  click(page, "#bad");
  assert.deepEqual(plain(page.window._kmq.at(-1)), ["record", "Bad Props", {}]);
  assert.equal(lines(page.calls).length, 1);
  assert.match(lines(page.calls)[0], /^\[WARNING\] analytix \| data-analytix-props of event "Bad Props" is not JSON/);
});

test("declarative: a tracked link waits a bounded moment only when a vendor needs it, then navigates", async () => {
  const page = bootedPage({ on: ["kissmetrics", "google"], url: "https://site.test/here", body: LINKS, logLevel: "off" });
  const event = click(page, "#go");
  assert.deepEqual(plain(page.window._kmq.at(-1)), ["record", "Clicked Deploy", { plan: "pro" }]);
  assert.deepEqual(plain(page.window.dataLayer.at(-1)), ["event", "clicked_deploy", { plan: "pro", transport_type: "beacon" }]);
  assert.equal(event.defaultPrevented, true); // Kissmetrics is still loading: hold the navigation
  assert.ok(await until(() => page.errors.some((m) => m.startsWith("Not implemented: navigation"))));

  // Modified clicks, other tabs and links the page handles itself go on untouched.
  assert.equal(click(page, "#go", { ctrlKey: true }).defaultPrevented, false);
  assert.equal(click(page, "#go", { button: 1 }).defaultPrevented, false);
  assert.equal(click(page, "#blank").defaultPrevented, false);
  page.document.querySelector("#go").addEventListener("click", (e) => e.preventDefault(), { once: true });
  const handled = click(page, "#go");
  assert.equal(handled.defaultPrevented, true);
  assert.deepEqual(plain(page.window._kmq.at(-1)), ["record", "Clicked Deploy", { plan: "pro" }]);
});

test("declarative: a link only to beacon-capable loaded vendors, or to none, is never held", () => {
  const page = bootedPage({ on: ["google"], url: "https://site.test/here", body: LINKS, logLevel: "off" });
  for (const script of page.document.querySelectorAll("script[src]")) script.dispatchEvent(new page.window.Event("load"));
  assert.equal(click(page, "#go").defaultPrevented, false);
  const none = bootedPage({ on: [], off: ["drift"], url: "https://site.test/here", body: LINKS, logLevel: "off" });
  assert.equal(click(none, "#go").defaultPrevented, false);
});

// Replaces the form submission jsdom lacks: records each submit() call's fields as it reads them.
function recordSubmissions(page) {
  const submitted = [];
  page.window.HTMLFormElement.prototype.submit = function () {
    submitted.push({ form: this.id, fields: [...new page.window.FormData(this)] });
  };
  return submitted;
}

test("declarative: a tracked form is held briefly, then submitted once with its button's value", async () => {
  const page = bootedPage({ on: ["hubspot"], url: "https://site.test/here", body: LINKS, logLevel: "off" });
  const submitted = recordSubmissions(page);
  const form = page.document.querySelector("#form");
  let submits = 0;
  form.addEventListener("submit", () => submits++);
  page.document.querySelector("#submit").click();
  assert.deepEqual(plain(page.window._hsq.at(-1)), [
    "trackCustomBehavioralEvent",
    { name: "pe1234567_signed_up", properties: { step: 2 } },
  ]);
  assert.ok(await until(() => submitted.length === 1));
  assert.deepEqual(submitted, [{ form: "form", fields: [["plan", "pro"]] }]);
  assert.equal(submits, 1); // no second submit event for the page's handlers
  assert.equal(form.querySelector('input[type="hidden"]'), null); // the carrier is gone again
});

// The usual add-to-basket markup: the event is on the submit button, not on the form.
const SHOP = `
  <form id="shop" action="/basket" method="post">
    <input name="qty" value="2">
    <button id="add" name="product" value="42" data-analytix-event="Added To Basket" data-analytix-props='{"sku":"42"}'>add</button>
    <button id="typed" type="submit" name="product" value="43" data-analytix-event="Added To Basket">add</button>
    <input id="input" type="submit" name="product" value="44" data-analytix-event="Added To Basket">
    <button id="sizes" type="button" data-analytix-event="Opened Sizes">sizes</button>
  </form>`;

for (const [button, value] of [["#add", "42"], ["#typed", "43"], ["#input", "44"]]) {
  test(`declarative: a tagged submit button (${button}) is its form's submit: beacon, held, then submitted with it`, async () => {
    const page = bootedPage({ on: ["google", "kissmetrics"], url: "https://site.test/here", body: SHOP, logLevel: "off" });
    const submitted = recordSubmissions(page);
    const held = [];
    page.document.addEventListener("submit", (event) => held.push(event.defaultPrevented));
    page.document.querySelector(button).click();
    const records = page.window._kmq.filter((entry) => entry[0] === "record");
    assert.equal(records.length, 1); // once: on submit, not also as a click
    assert.deepEqual(plain(page.window.dataLayer.at(-1)).slice(0, 2), ["event", "added_to_basket"]);
    assert.equal(plain(page.window.dataLayer.at(-1))[2].transport_type, "beacon");
    assert.deepEqual(held, [true]); // Kissmetrics is still loading: the submission waits
    assert.equal(submitted.length, 0);
    assert.ok(await until(() => submitted.length === 1));
    assert.deepEqual(submitted[0].fields, [["qty", "2"], ["product", value]]);
  });
}

test("declarative: a type=button in a form stays a click; a form cancelled by the page is tracked, not submitted", () => {
  const page = bootedPage({ on: ["kissmetrics"], url: "https://site.test/here", body: SHOP, logLevel: "off" });
  const submitted = recordSubmissions(page);
  page.window.setTimeout = (callback) => callback(); // a held submission would go at once
  page.document.querySelector("#sizes").click();
  assert.deepEqual(plain(page.window._kmq.at(-1)), ["record", "Opened Sizes", {}]);
  page.document.querySelector("#shop").addEventListener("submit", (event) => event.preventDefault()); // an AJAX basket
  page.document.querySelector("#add").click();
  assert.deepEqual(plain(page.window._kmq.at(-1)), ["record", "Added To Basket", { sku: "42" }]);
  assert.deepEqual(submitted, []);
});

test("declarative: a link whose only recipient is a still-loading beacon vendor is held", () => {
  // gtag.js sends by beacon only once it has loaded; until then the hit sits in dataLayer.
  const page = bootedPage({ on: ["google"], url: "https://site.test/here", body: LINKS, logLevel: "off" });
  assert.equal(page.window.analytix.services.google.state, "loading");
  assert.equal(click(page, "#go").defaultPrevented, true);
});

test("a vendor definition without event calls is skipped with a debug line", () => {
  const page = makePage({ config: { area: "x", logLevel: "debug", services: [service("drift", { id: IDS.drift })] } });
  page.run(...CORE);
  page.window.analytix.registerVendor("drift", { load() {} }); // a loader only, as before events.js
  page.run("boot.js");
  page.calls.length = 0;
  assert.deepEqual(plain(page.window.analytix.track("X")), []);
  assert.deepEqual(lines(page.calls), ['[DEBUG] Drift | event "X" not sent: its vendor definition has no event calls']);
});
