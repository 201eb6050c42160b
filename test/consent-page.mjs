// A page whose server requires consent, with a recording fetch for the consent records.
import { CORE, IDS, VENDOR_FILES, makePage, service } from "./helpers.mjs";

export const VERSION = "1a2b3c4d";
export const SERVICES_TAG = "9f8e7d6c";

// Values from the page's realm, as plain values of this one (deepEqual compares prototypes).
export const plain = (value) => JSON.parse(JSON.stringify(value));

/* The consent part as page/config.py writes it (docs/privacy.md); `consent` overrides keys.
   `services`: names, each waiting for consent unless `on` lists it. `cookie`: this browser's
   cookies ("a=1; b=2", each on path /) before the scripts run. `answer`: the HTTP status the record endpoint
   gives (or "fail": the request fails). */
export function consentPage({
  consent = {},
  services = ["google", "hubspot", "kissmetrics", "fullstory", "facebook_pixel", "drift"],
  on = [],
  cookie = "",
  url = "https://www.site.test/shop/cart/",
  gpc = undefined,
  answer = 204,
  logLevel = "debug",
  body = "",
} = {}) {
  const config = {
    area: "signup",
    logLevel,
    consent: {
      required: true,
      cookie: "analytix_consent",
      granted: [],
      decided: false,
      version: VERSION,
      services: SERVICES_TAG,
      source: "analytix",
      record: "/analytix/consent/",
      ...consent,
    },
    services: services.map((name) =>
      on.includes(name)
        ? service(name, { id: IDS[name] })
        : service(name, { id: IDS[name], on: false, waiting: true, reason: "consent" })),
    ...(gpc ? { gpc } : {}),
  };
  const page = makePage({ config, nonce: "n1", url, body });
  for (const pair of cookie ? cookie.split("; ") : []) page.document.cookie = `${pair}; path=/`;
  page.records = [];
  page.window.fetch = (target, options) => {
    page.records.push({ url: target, options, body: JSON.parse(options.body) });
    if (answer === "fail") return Promise.reject(new Error("offline"));
    return Promise.resolve({ ok: answer >= 200 && answer < 300, status: answer });
  };
  // Runs the main script's files and the loaders of these services, then boot.
  page.boot = (...before) => {
    page.run(...CORE);
    for (const step of before) step(page);
    page.run(...services.map((name) => VENDOR_FILES[name]), "boot.js");
    return page.window.analytix;
  };
  page.cookies = () => page.document.cookie.split("; ").filter(Boolean).map((pair) => pair.split("=")[0]).sort();
  page.cookie = (name) => {
    const found = page.document.cookie.split("; ").find((pair) => pair.startsWith(name + "="));
    return found === undefined ? null : found.slice(name.length + 1);
  };
  page.scripts = () => [...page.document.querySelectorAll("script[src]")].map((s) => new URL(s.src).host);
  page.settle = () => new Promise((resolve) => page.window.setTimeout(resolve, 0));
  return page;
}
