// Loads the shipped browser scripts into a fresh jsdom window, as a page would run them.
import { readFileSync } from "node:fs";
import { JSDOM, VirtualConsole } from "jsdom";

const ROOT = new URL("../static/analytix/js/", import.meta.url);

export const PAGE_NONCE = "page-nonce";

export const CORE = [
  "logger.js", "config.js", "loader.js", "consent-config.js", "consent-cookie.js", "vendor-cookies.js",
  "consent-record.js", "consent.js", "consent-events.js", "cmp-tcf.js", "cmp-gcm.js", "plan.js", "events.js",
];

// Each service's loader file, and a valid id for it (the ids of the Python test settings).
export const VENDOR_FILES = {
  google: "vendors/google.js",
  hubspot: "vendors/hubspot.js",
  kissmetrics: "vendors/km.js",
  drift: "vendors/drift.js",
  fullstory: "vendors/fullstory.js",
  facebook_pixel: "vendors/meta-pixel.js",
};
export const IDS = {
  google: "G-ABC123DEF4",
  hubspot: "1234567",
  kissmetrics: "0123456789abcdef0123456789abcdef01234567",
  drift: "abc123xyz789",
  fullstory: "o-1ABCDE-na1",
  facebook_pixel: "123456789012345",
};

export function source(file) {
  return readFileSync(new URL(file, ROOT), "utf8");
}

// Returns {window, calls, errors, run}: calls collects every console call as {method, args},
// errors jsdom's own messages (e.g. "Not implemented: navigation" when a page navigates).
// `nonce` is the page's CSP nonce: on the config block and on each script `run` runs, as the
// server writes them (config.js reads only blocks carrying its own script's nonce).
export function makePage({ config = null, nonce = PAGE_NONCE, url = undefined, body = "" } = {}) {
  const calls = [];
  const errors = [];
  const virtualConsole = new VirtualConsole();
  for (const method of ["log", "info", "warn", "error", "debug", "group", "groupCollapsed", "groupEnd"]) {
    virtualConsole.on(method, (...args) => calls.push({ method, args }));
  }
  virtualConsole.on("jsdomError", (error) => errors.push(error.message));
  const block = config
    ? `<script type="application/json" data-analytix-config nonce="${nonce}">${JSON.stringify(config)}</script>`
    : "";
  const dom = new JSDOM(`<!doctype html><html><head>${block}</head><body>${body}</body></html>`, {
    runScripts: "dangerously",
    virtualConsole,
    ...(url ? { url } : {}),
  });
  // Each file runs as a <script nonce> element (so document.currentScript is set, as in a
  // browser), removed once it ran; an error it throws is thrown here.
  const run = (...files) => {
    for (const file of files) {
      // Through the prototype: the clobbering tests shadow document.head and createElement.
      const proto = dom.window.Document.prototype;
      const script = proto.createElement.call(dom.window.document, "script");
      if (nonce) script.setAttribute("nonce", nonce);
      // As the server's scripts are (jsdom runs it at once all the same): our files treat a
      // script that runs while the page parses, without defer, as one HTML put there.
      script.setAttribute("defer", "");
      script.textContent = source(file);
      let thrown = null;
      const onError = (event) => {
        thrown = event.error;
        event.preventDefault();
      };
      dom.window.addEventListener("error", onError);
      Object.getOwnPropertyDescriptor(proto, "head").get.call(dom.window.document).appendChild(script);
      dom.window.removeEventListener("error", onError);
      script.remove();
      if (thrown) throw thrown;
    }
  };
  return { window: dom.window, document: dom.window.document, calls, errors, run };
}

// The text of each console call, as Chromium's console API reports it: args joined by spaces.
export function lines(calls) {
  return calls.filter((c) => !c.method.startsWith("group")).map((c) => c.args.join(" "));
}

export function service(name, overrides = {}) {
  const labels = {
    google: "Google Analytics",
    hubspot: "HubSpot",
    kissmetrics: "Kissmetrics",
    drift: "Drift",
    fullstory: "FullStory",
    facebook_pixel: "Meta Pixel",
  };
  const categories = {
    google: "analytics",
    hubspot: "marketing",
    kissmetrics: "analytics",
    drift: "functional",
    fullstory: "analytics",
    facebook_pixel: "marketing",
  };
  // At "ready" unless told otherwise: without `load` a service starts at its default trigger.
  return { name, label: labels[name], category: categories[name], on: true, id: null, reason: "", detail: "", load: "ready", ...overrides };
}

// Adds a config block to the page, with the page's nonce unless told otherwise.
export function addBlock(page, text, nonce = PAGE_NONCE) {
  const block = page.document.createElement("script");
  block.type = "application/json";
  block.setAttribute("data-analytix-config", "");
  if (nonce) block.setAttribute("nonce", nonce);
  block.textContent = typeof text === "string" ? text : JSON.stringify(text);
  page.document.head.appendChild(block);
  return block;
}
