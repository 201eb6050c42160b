// start.js, the one script a page runs as it loads: when it loads the main script, what it
// trusts, and the page's calls it keeps until the main script has run. In jsdom, which never
// fetches a script: the test runs the main files itself, then fires the last one's load event.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CORE, IDS, PAGE_NONCE, VENDOR_FILES, addBlock, lines, makePage, service, source } from "./helpers.mjs";

const MAIN_FILES = [...CORE.slice(0, 3), "triggers.js", ...CORE.slice(3),
  ...Object.values(VENDOR_FILES), "vendors/drift-facade.js", "boot.js"];
const MAIN_URLS = MAIN_FILES.map((file) => `/static/analytix/js/${file}`);

// A page whose server wrote these services, and start.js's tag as the server writes it.
function startPage(services, { logLevel = "warning", nonce = PAGE_NONCE, body = "", main = MAIN_URLS.join(" ") } = {}) {
  const config = {
    area: "signup",
    logLevel,
    services: services.map((s) => service(s.name, { id: IDS[s.name], ...s })),
  };
  const page = makePage({ config, nonce, url: "https://site.test/", body });
  page.idle = [];
  page.window.requestIdleCallback = (callback) => page.idle.push(callback);
  const tag = page.document.createElement("script");
  if (nonce) tag.setAttribute("nonce", nonce);
  tag.setAttribute("data-analytix-main", main);
  tag.setAttribute("defer", ""); // as the server writes it (jsdom runs it at once all the same)
  tag.textContent = source("start.js");
  page.document.head.appendChild(tag);
  // The main script's elements start.js inserted (absolute: resolved against the page's address).
  page.inserted = () => [...page.document.querySelectorAll("script[src]")].filter((s) =>
    s.getAttribute("src").startsWith("https://site.test/static/analytix/js/"));
  page.insertedPaths = () => page.inserted().map((s) => new URL(s.getAttribute("src")).pathname);
  // What a browser would do with them: run each, in order, then fire the last one's load.
  page.runMain = ({ beforeLoadEvent = () => {} } = {}) => {
    page.run(...MAIN_FILES);
    beforeLoadEvent(); // between the main files running and the last one's load event
    page.inserted().at(-1).dispatchEvent(new page.window.Event("load"));
  };
  page.load = () => new Promise((resolve) => {
    if (page.document.readyState === "complete") resolve();
    else page.window.addEventListener("load", () => resolve());
  });
  return page;
}

test("a service that starts at \"ready\" gets the main script at once, in order, with the nonce", () => {
  const page = startPage([{ name: "google" }]);
  const inserted = page.inserted();
  assert.deepEqual(page.insertedPaths(), MAIN_URLS);
  assert.ok(inserted.every((s) => s.nonce === PAGE_NONCE && s.async === false));
});

test("at debug and verbose the main script comes at once, whatever the triggers", () => {
  for (const logLevel of ["debug", "verbose"]) {
    assert.equal(startPage([{ name: "google", load: "idle" }], { logLevel }).inserted().length, MAIN_URLS.length, logLevel);
  }
});

test("with every service on a later trigger, the main script waits for the idle trigger", async () => {
  const page = startPage([{ name: "google", load: "idle" }, { name: "hubspot", load: "interaction" }, { name: "drift", load: "facade" }]);
  assert.equal(page.inserted().length, 0, "nothing on the critical path but start.js");
  await page.load();
  assert.equal(page.inserted().length, 0, "not at load either");
  page.idle.splice(0).forEach((callback) => callback());
  assert.equal(page.inserted().length, MAIN_URLS.length);
});

test("the first interaction, or the page's first call, brings the main script before idle", () => {
  const touched = startPage([{ name: "google", load: "idle" }]);
  touched.document.body.dispatchEvent(new touched.window.Event("keydown", { bubbles: true }));
  assert.equal(touched.inserted().length, MAIN_URLS.length);
  const called = startPage([{ name: "google", load: "idle" }]);
  assert.deepEqual([...called.window.analytix.track("Signed up")], [], "queued: nothing sent yet");
  assert.equal(called.inserted().length, MAIN_URLS.length);
});

test("a config block without the page's nonce cannot bring the main script early", () => {
  // A page whose server block waits for idle, with an injected block (no nonce) asking for
  // "ready" at verbose.
  const injected = makePage({ config: { area: "signup", logLevel: "warning", services: [service("google", { id: IDS.google, load: "idle" })] }, url: "https://site.test/" });
  addBlock(injected, { area: "x", logLevel: "verbose", services: [service("google", { id: IDS.google })] }, "");
  const tag = injected.document.createElement("script");
  tag.setAttribute("nonce", PAGE_NONCE);
  tag.setAttribute("data-analytix-main", MAIN_URLS.join(" "));
  tag.textContent = source("start.js");
  injected.document.head.appendChild(tag);
  assert.equal(injected.document.querySelectorAll("script[src]").length, 0);
});

test("the main script's URLs come from start.js's own tag, never from markup", () => {
  // <img name="currentScript"> shadows document.currentScript on the document, not the prototype.
  const page = startPage([{ name: "google" }], { body: '<img name="currentScript" data-analytix-main="https://evil.test/x.js" nonce="other">' });
  assert.deepEqual(page.insertedPaths(), MAIN_URLS);
  assert.equal(page.document.querySelectorAll('script[src^="https://evil.test"]').length, 0);
});

test("calls made before the main script ran are made once, in order, when it has", async () => {
  const page = startPage([{ name: "hubspot", load: "idle" }], { logLevel: "warning" });
  const analytix = page.window.analytix;
  const order = [];
  analytix.ready(() => order.push("ready"));
  analytix.track("First", { n: 1 });
  assert.equal(analytix.service("hubspot").track("Second"), false, "queued, not sent");
  analytix.consent.grant(["marketing"]);
  analytix.logger("page").warning("a page line");
  assert.equal(page.window._hsq, undefined, "nothing reaches the vendor before the main script");
  const early = analytix.logger("early"); // taken before, used after the main script ran
  page.runMain();
  order.push("main ran");
  analytix.ready(() => order.push("ready after"));
  early.warning("used late");
  assert.deepEqual(order, ["ready", "main ran", "ready after"]);
  await page.load();
  page.idle.splice(0).forEach((callback) => callback()); // hubspot's trigger
  const events = page.window._hsq.filter((entry) => entry[0] === "trackCustomBehavioralEvent").map((entry) => entry[1].name);
  assert.deepEqual([...events], ["pe1234567_first", "pe1234567_second"]);
  assert.ok(lines(page.calls).includes("[WARNING] page | a page line"));
  assert.ok(lines(page.calls).includes("[WARNING] early | used late"));
});

test("a tracked click before the main script ran is recorded once, not again once it listens", () => {
  const page = startPage([{ name: "hubspot" }], { body: '<button data-analytix-event="Early click">Go</button><button id="later" data-analytix-event="Later click">Go</button>' });
  page.document.querySelector("button").click();
  // events.js listens as soon as it has run, before the main script's last file has.
  page.runMain({ beforeLoadEvent: () => page.document.getElementById("later").click() });
  const events = page.window._hsq.filter((entry) => entry[0] === "trackCustomBehavioralEvent").map((entry) => entry[1].name);
  assert.deepEqual([...events].sort(), ["pe1234567_early_click", "pe1234567_later_click"], "each once");
});

test("a main script that fails to load says so once at warning, nothing at off, and drops calls", () => {
  for (const [logLevel, expected] of [["warning", 1], ["off", 0]]) {
    const page = startPage([{ name: "google" }], { logLevel });
    page.inserted()[0].dispatchEvent(new page.window.Event("error"));
    page.inserted()[1].dispatchEvent(new page.window.Event("error")); // DEBUG: several files
    assert.deepEqual([...page.window.analytix.track("After the failure")], []);
    const warned = lines(page.calls).filter((line) => line.startsWith("[WARNING] analytix | failed to load the main script"));
    assert.equal(warned.length, expected, logLevel);
  }
});

test("window.analytix clobbered by markup is replaced, and the main files extend start.js's object", () => {
  const page = startPage([{ name: "google" }], { logLevel: "debug", body: '<a id="analytix" href="#">x</a>' });
  const made = page.window.analytix;
  assert.equal(made.__analytix__, true);
  page.runMain();
  assert.equal(page.window.analytix, made, "the same object");
  assert.equal(typeof made.dom.create, "function");
  assert.ok(lines(page.calls).some((line) => line.includes("window.analytix was not ours ([object HTMLAnchorElement]")));
});
