// DOM clobbering (issue 11.1): HTML alone, with no script, gives window (and the document)
// any element by its id or name. Elements named after the globals our files read must change
// nothing: the same vendor script URLs, the same queues, events still delivered, nothing thrown.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { CORE, IDS, VENDOR_FILES, lines, makePage, service } from "./helpers.mjs";

const ALL = Object.keys(VENDOR_FILES);
const VENDOR_HOSTS = [
  "www.googletagmanager.com",
  "js.hs-scripts.com",
  "i.kissmetrics.io",
  "scripts.kissmetrics.io",
  "js.driftt.com",
  "edge.fullstory.com",
  "connect.facebook.net",
];
// Every global the logger, the loader, the events file and the six loaders read or write.
const GLOBALS = [
  "analytix", "dataLayer", "gtag", "_hsq", "_kmq", "_kmk", "drift", "driftt",
  "FS", "_fs_host", "_fs_script", "_fs_org", "_fs_namespace", "fbq", "_fbq",
];
// The document's members our files call, which an <img>/<form> name overrides in browsers.
// jsdom does not implement that override, so these tests put the element there themselves.
const DOCUMENT_MEMBERS = ["head", "documentElement", "createElement", "querySelectorAll", "addEventListener"];
// Members of the objects above that a clobbering <form> could fake with its fields.
const MEMBERS = [
  "__analytix__", "logger", "track", "registerVendor", "loadScript", "vendors", "services",
  "push", "init", "invoked", "load", "q", "_api", "callMethod", "queue", "analytixStub", "length",
];
const EVIL = ["//evil.example/fs.js", "https://evil.example:443/x.js", "evil.example/s/fs.js", "javascript:alert(1)"];
const FIXED_NOW = 1_700_000_000_000; // Drift's URL carries the time: the same on every page here

// A page with all six services on, `markup` in its body and `before(window)` run first.
function boot({ markup = "", before = null, logLevel = "warning" } = {}) {
  const config = { area: "signup", logLevel, services: ALL.map((name) => service(name, { id: IDS[name] })) };
  const page = makePage({ config, body: markup, url: "https://site.test/page" });
  page.window.Date.now = () => FIXED_NOW;
  page.uncaught = [];
  page.window.addEventListener("error", (event) => page.uncaught.push(event.message));
  if (before) before(page.window);
  page.run(...CORE, ...ALL.map((name) => VENDOR_FILES[name]), "boot.js");
  return page;
}

const scriptUrls = (page) =>
  [...page.window.Document.prototype.querySelectorAll.call(page.document, "script[src]")].map((s) => s.src).sort();

const CLEAN = scriptUrls(boot());

// The last call each vendor's queue received.
function lastCalls(window) {
  const last = (list) => Array.from(list.at(-1));
  return {
    google: last(window.dataLayer).slice(0, 2),
    hubspot: window._hsq.at(-1)[0],
    kissmetrics: window._kmq.at(-1).slice(0, 2),
    drift: window.drift.at(-1).slice(0, 2),
    fullstory: window.FS.q.at(-1)[0],
    facebook_pixel: last(window.fbq.queue).slice(0, 2),
  };
}

const PROBE = {
  google: ["event", "probe"],
  hubspot: "trackCustomBehavioralEvent",
  kissmetrics: ["record", "Probe"],
  drift: ["track", "Probe"],
  fullstory: "trackEvent",
  facebook_pixel: ["trackCustom", "Probe"],
};

// What every clobbered page must still do, exactly as the clean page does.
function assertUnchanged(page) {
  assert.deepEqual(page.errors, []);
  assert.deepEqual(page.uncaught, []);
  const urls = scriptUrls(page);
  assert.deepEqual(urls, CLEAN);
  for (const url of urls) assert.ok(VENDOR_HOSTS.includes(new URL(url).host), url);
  const { window } = page;
  assert.equal(window._fs_script, "edge.fullstory.com/s/fs.js");
  assert.equal(window._fs_host, "fullstory.com");
  assert.equal(window._kmk, IDS.kissmetrics);
  assert.deepEqual(Array.from(window.analytix.track("Probe")), ALL);
  assert.deepEqual(JSON.parse(JSON.stringify(lastCalls(window))), PROBE);
  assert.deepEqual(lines(page.calls), []); // no warning: an element at a name is simply not ours
}

test("a clean page loads each vendor's own URLs (the reference for the tests below)", () => {
  assert.equal(CLEAN.length, 7);
  for (const url of CLEAN) assert.ok(VENDOR_HOSTS.includes(new URL(url).host), url);
  assertUnchanged(boot());
});

// One clobbering element per global, of the kinds that reach window by id or name.
const PER_GLOBAL = {
  analytix: '<form id="analytix"><input name="__analytix__"><input name="logger"><input name="track"><input name="registerVendor"></form>',
  dataLayer: '<img name="dataLayer">',
  gtag: '<embed name="gtag">',
  _hsq: '<form id="_hsq"><input name="push"></form>',
  _kmq: '<a id="_kmq" href="//evil.example/"></a><a id="_kmq"></a>', // two: an HTMLCollection
  _kmk: '<a id="_kmk" href="https://evil.example/key"></a>',
  drift: '<form id="drift"><input name="init"><input name="invoked"></form>',
  driftt: '<form id="driftt"><input name="init"><input name="invoked"><input name="load"></form>',
  FS: '<iframe name="FS"></iframe>',
  _fs_host: '<a id="_fs_host" href="https://evil.example/"></a>',
  _fs_script: '<a id="_fs_script" href="//evil.example/fs.js"></a>',
  _fs_org: '<a id="_fs_org" href="https://evil.example/o-EVIL"></a>',
  _fs_namespace: '<a id="_fs_namespace" href="https://evil.example/"></a>',
  fbq: '<embed name="fbq">',
  _fbq: '<img name="_fbq">',
};

test("every global our files read is covered by a clobbering case", () => {
  assert.deepEqual(Object.keys(PER_GLOBAL).sort(), [...GLOBALS].sort());
});

for (const [name, markup] of Object.entries(PER_GLOBAL)) {
  test(`clobbered window.${name} (${markup.slice(0, 40)}…) changes nothing`, () => {
    const page = boot({ markup });
    assert.notEqual(String(page.window.eval("typeof " + name)), "undefined"); // the clobbering took
    assertUnchanged(page);
  });
}

test("an element at a global name is said once at debug, never as a warning", () => {
  const page = boot({ markup: PER_GLOBAL.dataLayer + PER_GLOBAL.analytix, logLevel: "debug" });
  const said = lines(page.calls);
  assert.equal(said.filter((line) => line.includes("window.dataLayer ignored")).length, 1);
  assert.equal(said.filter((line) => line.includes("window.analytix was not ours")).length, 1);
  assert.equal(said.filter((line) => line.startsWith("[WARNING]")).length, 0);
});

// What <img name="member"> does to document in browsers (jsdom lacks the override).
function clobberDocument(window, member) {
  const img = window.Document.prototype.createElement.call(window.document, "img");
  img.name = member;
  Object.defineProperty(window.document, member, { value: img, configurable: true });
}

for (const member of DOCUMENT_MEMBERS) {
  test(`clobbered document.${member} (as <img name="${member}"> does in browsers) changes nothing`, () => {
    const page = boot({
      markup: '<a id="tracked" href="/next" data-analytix-event="Clicked">go</a>',
      before: (window) => clobberDocument(window, member),
    });
    assertUnchanged(page);
    // Declarative tracking still listens.
    const link = page.window.Document.prototype.querySelector.call(page.document, "#tracked");
    link.dispatchEvent(new page.window.MouseEvent("click", { bubbles: true, cancelable: true }));
    assert.deepEqual(Array.from(page.window._kmq.at(-1).slice(0, 2)), ["record", "Clicked"]);
  });
}

test("analytix.dom reads and writes the real cookie when an <img name=\"cookie\"> overrides document.cookie", () => {
  const page = boot({
    before: (window) => clobberDocument(window, "cookie"),
  });
  const { dom } = page.window.analytix;
  dom.setCookie("analytix_probe=1; path=/");
  assert.match(dom.cookie(), /(^|; )analytix_probe=1(;|$)/);
});

test("a page's own plain window.analytix is replaced by ours; ours is marked and loads once", () => {
  const page = boot({ before: (window) => (window.analytix = { track: () => "page's", logger: 1 }) });
  assertUnchanged(page);
  const { analytix } = page.window;
  assert.equal(Object.getOwnPropertyDescriptor(analytix, "__analytix__").enumerable, false);
  page.run("logger.js", "loader.js", "events.js"); // a second tag on the page
  assert.equal(page.window.analytix, analytix);
});

test("the page's own queues and functions are still reused (not mistaken for clobbering)", () => {
  const gtag = function () {};
  const page = boot({
    before: (window) => {
      window.dataLayer = [["page"]];
      window._hsq = [["page"]];
      window._kmq = { push() {} }; // a library that took over its queue
      window.gtag = gtag;
    },
  });
  assert.equal(page.window.gtag, gtag);
  assert.deepEqual(Array.from(page.window.dataLayer[0]), ["page"]);
  assert.deepEqual(page.window._hsq[0], ["page"]);
  assert.equal(typeof page.window._kmq.push, "function");
  assert.equal(Array.isArray(page.window._kmq), false);
});

// Random clobbering: subsets of the globals (and document members), each given a random
// element of the kinds HTML offers, duplicates included, with attacker hrefs and field names.
const attackerAttribute = fc.constantFrom(...EVIL);
const fields = fc.uniqueArray(fc.constantFrom(...MEMBERS), { maxLength: 4 });
const element = fc.oneof(
  attackerAttribute.map((href) => (name) => `<a id="${name}" href="${href}"></a>`),
  fc.constant((name) => `<img name="${name}" src="data:,">`),
  fields.map((inputs) => (name) => `<form id="${name}">${inputs.map((f) => `<input name="${f}" value="x">`).join("")}</form>`),
  fc.constant((name) => `<iframe name="${name}"></iframe>`),
  fc.constant((name) => `<embed name="${name}" src="https://evil.example/e">`),
  fc.constant((name) => `<object name="${name}" data="https://evil.example/o"></object>`),
  attackerAttribute.map((href) => (name) => `<a id="${name}" href="${href}"></a><img name="${name}" src="data:,">`),
);
const clobbering = fc.record({
  globals: fc.uniqueArray(fc.tuple(fc.constantFrom(...GLOBALS), element), { selector: (entry) => entry[0], maxLength: GLOBALS.length }),
  documentMembers: fc.subarray(DOCUMENT_MEMBERS),
});

test("property: random clobbering never adds a script host, never changes a vendor URL, never throws", () => {
  fc.assert(
    fc.property(clobbering, ({ globals, documentMembers }) => {
      const markup = globals.map(([name, make]) => make(name)).join("");
      const page = boot({
        markup,
        before: (window) => {
          for (const member of documentMembers) clobberDocument(window, member);
        },
      });
      assertUnchanged(page);
    }),
    { numRuns: 80 },
  );
});
