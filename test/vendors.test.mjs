// Each vendor loader: the globals and queues the vendor's own library expects, the exact
// script URLs and attributes, failure handling, and loading once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CORE, IDS, VENDOR_FILES, lines, makePage, service } from "./helpers.mjs";

const NONCE = "n0nce-value";

// A page whose config turns on one vendor; `before(window)` runs ahead of the boot script,
// where page code (or another copy of a vendor snippet) would have run.
function bootVendor(name, { id = IDS[name], logLevel = "warning", before = null } = {}) {
  const page = makePage({
    nonce: NONCE,
    config: { area: "test", logLevel, services: [service(name, { id })] },
  });
  page.run(...CORE, VENDOR_FILES[name]);
  if (before) before(page.window);
  page.run("boot.js");
  page.uncaught = [];
  page.window.addEventListener("error", (event) => page.uncaught.push(event.message));
  return page;
}

const vendorScripts = (page) => [...page.document.querySelectorAll("script[src]")];
const srcs = (page) => vendorScripts(page).map((s) => s.src);
const fire = (page, script, type) => script.dispatchEvent(new page.window.Event(type));
const isArguments = (value) => Object.prototype.toString.call(value) === "[object Arguments]";

// Loads the vendor again through its registered definition, as a second boot would.
function loadAgain(page, name, id = IDS[name]) {
  const analytix = page.window.analytix;
  const log = analytix.logger(name);
  analytix.vendors[name].load(id, {
    log,
    record: {},
    loadScript: (url, options) => analytix.loadScript(url, log, options),
  });
}

const EXPECTED = {
  google: { urls: ["https://www.googletagmanager.com/gtag/js?id=G-ABC123DEF4"], id: "", crossOrigin: null },
  hubspot: { urls: ["https://js.hs-scripts.com/1234567.js"], id: "hs-script-loader", crossOrigin: null },
  kissmetrics: {
    urls: [
      "https://i.kissmetrics.io/i.js",
      "https://scripts.kissmetrics.io/0123456789abcdef0123456789abcdef01234567.2.js",
    ],
    id: "",
    crossOrigin: null,
  },
  drift: { urls: [/^https:\/\/js\.driftt\.com\/include\/\d+\/abc123xyz789\.js$/], id: "", crossOrigin: null },
  fullstory: { urls: ["https://edge.fullstory.com/s/fs.js"], id: "", crossOrigin: "anonymous" },
  facebook_pixel: { urls: ["https://connect.facebook.net/en_US/fbevents.js"], id: "", crossOrigin: null },
};

for (const [name, expected] of Object.entries(EXPECTED)) {
  test(`${name}: exact script URLs, async, with the page's nonce and the snippet's attributes`, () => {
    const page = bootVendor(name);
    const scripts = vendorScripts(page);
    assert.equal(scripts.length, expected.urls.length);
    scripts.forEach((script, i) => {
      const want = expected.urls[i];
      if (want instanceof RegExp) assert.match(script.src, want);
      else assert.equal(script.src, want);
      assert.equal(script.async, true);
      assert.equal(script.nonce, NONCE);
      assert.equal(script.id, expected.id);
      assert.equal(script.getAttribute("crossorigin"), expected.crossOrigin);
      assert.equal(script.parentNode, page.document.head);
    });
  });

  test(`${name}: a failing script logs one warning per script and never throws`, () => {
    const page = bootVendor(name);
    for (const script of vendorScripts(page)) {
      fire(page, script, "error");
      fire(page, script, "error"); // a second error event changes nothing
    }
    const label = service(name).label;
    assert.deepEqual(
      lines(page.calls),
      srcs(page).map((url) => `[WARNING] ${label} | failed to load (blocked or offline): ${url}`),
    );
    assert.deepEqual(page.uncaught, []);
    assert.equal(page.window.analytix.services[name].state, "failed");
  });

  test(`${name}: loading it a second time requests nothing more`, () => {
    const page = bootVendor(name);
    const before = srcs(page);
    loadAgain(page, name);
    assert.deepEqual(srcs(page), before);
  });
}

test("google: gtag pushes Arguments objects onto dataLayer: js, config, then page calls", () => {
  const page = bootVendor("google");
  const { dataLayer, gtag } = page.window;
  assert.equal(typeof gtag, "function");
  assert.equal(dataLayer.length, 2);
  assert.ok(dataLayer.every(isArguments));
  assert.equal(dataLayer[0][0], "js");
  assert.ok(dataLayer[0][1] instanceof page.window.Date);
  assert.deepEqual([...dataLayer[1]], ["config", "G-ABC123DEF4"]);
  gtag("event", "sign_up", { method: "email" });
  assert.ok(isArguments(dataLayer[2]));
  assert.deepEqual([...dataLayer[2]], ["event", "sign_up", { method: "email" }]);
});

test("google: a second load sends no second config (no double page view)", () => {
  const page = bootVendor("google");
  loadAgain(page, "google");
  assert.equal(page.window.dataLayer.filter((entry) => entry[0] === "config").length, 1);
});

test("google: an existing dataLayer and gtag (e.g. from Tag Manager) are reused", () => {
  const earlier = [];
  const page = bootVendor("google", {
    before: (window) => {
      window.dataLayer = [{ event: "gtm.js" }];
      window.gtag = (...args) => earlier.push(args);
    },
  });
  assert.deepEqual(page.window.dataLayer, [{ event: "gtm.js" }]);
  assert.deepEqual(earlier.map((args) => args[0]), ["js", "config"]);
});

test("hubspot: _hsq is the command queue, kept when the page made it first", () => {
  const page = bootVendor("hubspot", { before: (window) => (window._hsq = [["setPath", "/a"]]) });
  page.window._hsq.push(["trackPageView"]);
  assert.deepEqual(page.window._hsq, [["setPath", "/a"], ["trackPageView"]]);
});

test("kissmetrics: _kmq queues commands and _kmk holds the key", () => {
  const page = bootVendor("kissmetrics");
  assert.deepEqual([...page.window._kmq], []);
  assert.equal(page.window._kmk, IDS.kissmetrics);
  page.window._kmq.push(["record", "Signed Up"]);
  assert.deepEqual([...page.window._kmq], [["record", "Signed Up"]]);
});

test("kissmetrics: a page's own _kmq is kept; _kmk and the URL use the configured key", () => {
  const page = bootVendor("kissmetrics", {
    before: (window) => {
      window._kmq = [["identify", "bob"]];
      window._kmk = "page-key";
    },
  });
  assert.deepEqual(page.window._kmq, [["identify", "bob"]]);
  assert.equal(page.window._kmk, IDS.kissmetrics); // ours alone: a page's (or an element's) value is replaced
  assert.ok(srcs(page).includes(`https://scripts.kissmetrics.io/${IDS.kissmetrics}.2.js`));
});

test("drift: the snippet's array stub queues [method, ...args] and chains", () => {
  const page = bootVendor("drift");
  const { drift, driftt } = page.window;
  assert.equal(drift, driftt);
  assert.ok(Array.isArray(drift));
  assert.equal(drift.invoked, true);
  assert.equal(drift.SNIPPET_VERSION, "0.3.1");
  assert.deepEqual(
    [...drift.methods],
    ["identify", "config", "track", "reset", "debug", "show", "ping", "page", "hide", "off", "on"],
  );
  assert.equal(drift.identify("user-1", { plan: "pro" }).track("Signed up"), drift);
  assert.deepEqual(JSON.parse(JSON.stringify([...drift])), [
    ["identify", "user-1", { plan: "pro" }],
    ["track", "Signed up"],
  ]);
});

test("drift: the URL's time is rounded up to the next 5 minutes", () => {
  const before = Date.now();
  const page = bootVendor("drift");
  const after = Date.now();
  const time = Number(/include\/(\d+)\//.exec(srcs(page)[0])[1]);
  assert.equal(time % 300000, 0);
  assert.ok(time >= before && time < after + 300000);
});

test("drift: nothing is loaded when the real library is already there", () => {
  const library = Object.assign([], { init() {} });
  const page = bootVendor("drift", { before: (window) => (window.drift = window.driftt = library) });
  assert.deepEqual(srcs(page), []);
});

test("fullstory: the v2 snippet globals", () => {
  const page = bootVendor("fullstory");
  const w = page.window;
  assert.equal(w._fs_host, "fullstory.com");
  assert.equal(w._fs_script, "edge.fullstory.com/s/fs.js");
  assert.equal(w._fs_org, "o-1ABCDE-na1");
  assert.equal(w._fs_namespace, "FS");
  assert.equal(typeof w.FS, "function");
  assert.deepEqual([...w.FS.q], []);
  assert.equal(w.FS._v, "2.0.0");
});

test("fullstory: FS queues [operation, options, source, resolve, reject, version]", () => {
  const FS = bootVendor("fullstory").window.FS;
  assert.equal(FS("setIdentity", { uid: "u1" }), null);
  FS("trackEvent", { name: "Signed up" }, "analytix");
  assert.deepEqual([...FS.q[0]], ["setIdentity", { uid: "u1" }, undefined, undefined, undefined, 2]);
  assert.deepEqual([...FS.q[1]], ["trackEvent", { name: "Signed up" }, "analytix", undefined, undefined, 2]);
});

test("fullstory: the v1 helpers queue version-1 operations", () => {
  const FS = bootVendor("fullstory").window.FS;
  FS.identify("u1", { plan: "pro" });
  FS.event("Clicked", { where: "nav" });
  FS.consent();
  FS.shutdown();
  const plain = JSON.parse(JSON.stringify(FS.q.map((entry) => [entry[0], entry[1], entry[5]])));
  assert.deepEqual(plain, [
    ["setProperties", { type: "user", properties: { uid: "u1" } }, 1],
    ["setProperties", { type: "user", properties: { plan: "pro" } }, 1],
    ["trackEvent", { name: "Clicked", properties: { where: "nav" } }, 1],
    ["setIdentity", { consent: true }, 1],
    ["shutdown", null, 1],
  ]);
});

test("fullstory: once fs.js sets FS._api, calls go straight to it", () => {
  const FS = bootVendor("fullstory").window.FS;
  const received = [];
  FS._api = (...args) => {
    received.push(args);
    return "ok";
  };
  assert.equal(FS("log", { msg: "hi" }), "ok");
  assert.deepEqual(received, [["log", { msg: "hi" }, undefined, undefined, undefined, 2]]);
});

test("fullstory: FS('xAsync') returns a Promise that is rejected when fs.js fails", async () => {
  const page = bootVendor("fullstory");
  const FS = page.window.FS;
  const pending = FS("getSessionAsync");
  assert.equal(typeof pending.then, "function");
  assert.equal(FS.q[0][0], "getSession");
  assert.equal(typeof FS.q[0][3], "function");
  assert.equal(typeof FS.q[0][4], "function");
  fire(page, vendorScripts(page)[0], "error");
  await assert.rejects(pending, /Error loading edge\.fullstory\.com\/s\/fs\.js/);
  assert.equal(FS.q.length, 0);
  // Calls made after the failure are rejected at once instead of waiting forever.
  await assert.rejects(FS("getSessionAsync"), /Error loading/);
  assert.deepEqual(page.uncaught, []);
});

test("fullstory: the Promise resolves with what fs.js answers", async () => {
  const FS = bootVendor("fullstory").window.FS;
  const pending = FS("getSessionAsync", { format: "url" });
  const [operation, options, , resolve] = FS.q[0];
  assert.deepEqual([operation, options], ["getSession", { format: "url" }]);
  resolve("https://app.fullstory.com/session/1");
  assert.equal(await pending, "https://app.fullstory.com/session/1");
});

test("fullstory: window.fetch is routed through FS._w.fetch, which fs.js can replace", async () => {
  const calls = [];
  const page = bootVendor("fullstory", {
    before: (window) => {
      window.fetch = (url) => {
        calls.push(["original", url]);
        return "original";
      };
    },
  });
  const w = page.window;
  assert.equal(w.FS._w.XMLHttpRequest, w.XMLHttpRequest);
  assert.equal(w.fetch("/a"), "original");
  w.FS._w.fetch = (url) => {
    calls.push(["observed", url]);
    return "observed";
  };
  assert.equal(w.fetch("/b"), "observed");
  assert.deepEqual(calls, [
    ["original", "/a"],
    ["observed", "/b"],
  ]);
});

test("fullstory: an EU org uses the eu1 hosts", () => {
  const page = bootVendor("fullstory", { id: "o-1ABCDE-eu1" });
  assert.equal(page.window._fs_host, "eu1.fullstory.com");
  assert.deepEqual(srcs(page), ["https://edge.eu1.fullstory.com/s/fs.js"]);
});

test("fullstory: a taken namespace is left alone, with a warning and no script", () => {
  const taken = { mine: true };
  const page = bootVendor("fullstory", { before: (window) => (window.FS = taken) });
  assert.equal(page.window.FS, taken);
  assert.deepEqual(srcs(page), []);
  assert.deepEqual(lines(page.calls), [
    '[WARNING] FullStory | window["FS"] is taken; set window._fs_namespace',
  ]);
});

test("facebook_pixel: the base code's fbq stub queues Arguments: init, PageView, then page calls", () => {
  const page = bootVendor("facebook_pixel");
  const { fbq, _fbq } = page.window;
  assert.equal(typeof fbq, "function");
  assert.equal(_fbq, fbq);
  assert.equal(fbq.push, fbq);
  assert.equal(fbq.loaded, true);
  assert.equal(fbq.version, "2.0");
  fbq("track", "Lead", { value: 1 });
  assert.ok(fbq.queue.every(isArguments));
  assert.deepEqual(
    [...fbq.queue].map((args) => [...args]),
    [
      ["init", "123456789012345"],
      ["track", "PageView"],
      ["track", "Lead", { value: 1 }],
    ],
  );
});

test("facebook_pixel: once fbevents.js defines callMethod, calls go to it", () => {
  const page = bootVendor("facebook_pixel");
  const { fbq } = page.window;
  const received = [];
  fbq.callMethod = (...args) => received.push(args);
  fbq("trackCustom", "Upgraded");
  assert.deepEqual(received, [["trackCustom", "Upgraded"]]);
});

test("facebook_pixel: an fbq already on the page gets init and PageView, and no second script", () => {
  const calls = [];
  const page = bootVendor("facebook_pixel", {
    before: (window) => (window.fbq = (...args) => calls.push(args)),
  });
  assert.deepEqual(srcs(page), []);
  assert.deepEqual(calls, [
    ["init", "123456789012345"],
    ["track", "PageView"],
  ]);
});

test("facebook_pixel: a second load sends no second PageView", () => {
  const page = bootVendor("facebook_pixel");
  loadAgain(page, "facebook_pixel");
  assert.equal(page.window.fbq.queue.filter((args) => args[1] === "PageView").length, 1);
});

test("at verbose, each vendor logs the URL it requests and whether it loaded", () => {
  const page = bootVendor("hubspot", { logLevel: "verbose" });
  fire(page, vendorScripts(page)[0], "load");
  const url = "https://js.hs-scripts.com/1234567.js";
  assert.deepEqual(lines(page.calls), [
    '[VERBOSE] analytix | page area "test"',
    "[VERBOSE] HubSpot | on: loading with id 1234567",
    `[VERBOSE] HubSpot | requesting ${url}`,
    `[VERBOSE] HubSpot | loaded ${url}`,
  ]);
  assert.equal(page.window.analytix.services.hubspot.state, "loaded");
});
