// Property: config blocks that HTML injection adds (random ids, hostile strings, random consent
// parts, wrong or missing nonces, before and after the server's block) change nothing. The
// page starts exactly what the server's block alone starts, nothing before consent when that
// block requires it, and the only cookie written is our validated consent cookie.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { CORE, IDS, PAGE_NONCE, VENDOR_FILES, addBlock, makePage, service } from "./helpers.mjs";

const NAMES = Object.keys(IDS);
const CATEGORIES = ["analytics", "marketing", "functional"];
const HOSTILE = [
  "</script><script>alert(1)</script>",
  "x; domain=evil.test; max-age=999999999",
  "analytix_consent=analytics,marketing,functional; x",
  "__proto__",
  "constructor",
  "javascript:alert(1)",
  "evil.example:443/fs.js",
  "\u2028\u0000\ud800",
];
const hostileString = fc.oneof(fc.string(), fc.constantFrom(...HOSTILE), fc.constantFrom(...Object.values(IDS)));
const hostileValue = fc.oneof(hostileString, fc.integer(), fc.boolean(), fc.constant(null), fc.array(hostileString, { maxLength: 3 }));

const hostileService = fc.record({
  name: fc.oneof(fc.constantFrom(...NAMES, "cookieName", "__proto__"), fc.string()),
  label: hostileValue,
  category: fc.oneof(fc.constantFrom(...CATEGORIES), hostileValue),
  on: fc.oneof(fc.constant(true), hostileValue),
  waiting: hostileValue,
  id: hostileValue,
});
const hostileConsent = fc.record({
  required: hostileValue,
  cookie: fc.oneof(hostileString, fc.constantFrom("evil", "analytix_consent")),
  granted: fc.oneof(fc.constant(CATEGORIES), fc.array(hostileString, { maxLength: 4 })),
  decided: hostileValue,
  basis: fc.oneof(hostileValue, fc.dictionary(fc.string(), fc.option(fc.string()), { maxKeys: 3 })),
});
const hostileConfig = fc.record(
  {
    area: hostileValue,
    logLevel: fc.oneof(fc.constantFrom("off", "verbose"), hostileValue),
    gpc: fc.oneof(fc.constant([]), hostileValue),
    consent: fc.oneof(hostileConsent, hostileValue),
    identity: fc.oneof(fc.record({ id: fc.string(), traits: fc.constant({}) }), hostileValue),
    services: fc.array(hostileService, { maxLength: 6 }),
  },
  { requiredKeys: ["services"] },
);
const hostileBlock = fc.record({
  where: fc.constantFrom("before", "after"),
  nonce: fc.oneof(fc.constant(""), fc.string().filter((nonce) => nonce !== PAGE_NONCE), fc.constant(PAGE_NONCE + "x")),
  text: fc.oneof(hostileConfig.map((config) => JSON.stringify(config)), fc.string()),
});

// The server's block: some services on (or waiting, when consent is required), the rest off.
const serverBlock = fc
  .record({
    required: fc.boolean(),
    cookie: fc.constantFrom("analytix_consent", "site_consent"),
    running: fc.subarray(NAMES),
    logLevel: fc.constantFrom("off", "warning", "debug", "verbose"),
  })
  .map(({ required, cookie, running, logLevel }) => ({
    area: "signup",
    logLevel,
    gpc: ["analytics", "marketing"],
    ...(required ? { consent: { required: true, cookie, granted: [], decided: false, basis: { [cookie]: null } } } : {}),
    services: NAMES.map((name) =>
      running.includes(name)
        ? service(name, { id: IDS[name], on: !required, waiting: required, reason: required ? "consent" : "" })
        : service(name, { on: false, reason: "area" }),
    ),
  }));

const CONSENT_COOKIE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)=(none|[a-z,]+); path=\/; max-age=15552000; SameSite=Lax; Secure$/;

function boot(real, hostile = []) {
  const page = makePage({ config: real, url: "https://site.test/" });
  const native = Object.getOwnPropertyDescriptor(page.window.Document.prototype, "cookie");
  const writes = [];
  Object.defineProperty(page.window.Document.prototype, "cookie", {
    configurable: true,
    get: () => native.get.call(page.document),
    set: (value) => {
      writes.push(String(value));
      native.set.call(page.document, value);
    },
  });
  for (const { where, nonce, text } of hostile) {
    const block = addBlock(page, text, nonce);
    if (where === "before") page.document.head.prepend(block);
    else page.document.body.append(block);
  }
  page.run(...CORE, ...Object.values(VENDOR_FILES), "boot.js");
  const srcs = () => [...page.document.querySelectorAll("script[src]")].map((s) => s.src);
  return { page, writes, srcs };
}

test("property: injected config blocks start nothing, hold nothing back and write no cookie", () => {
  fc.assert(
    fc.property(serverBlock, fc.array(hostileBlock, { minLength: 1, maxLength: 4 }), (real, hostile) => {
      const alone = boot(real);
      const attacked = boot(real, hostile);
      assert.deepEqual(attacked.srcs(), alone.srcs());
      for (const record of Object.values(attacked.page.window.analytix.services)) {
        assert.ok(record.id === null || record.id === IDS[record.name], `${record.name} got id ${record.id}`);
      }
      if (real.consent) {
        assert.deepEqual(attacked.srcs(), []); // nothing before consent
      }
      for (const page of [alone, attacked]) {
        page.page.window.analytix.consent.withdraw();
        page.page.window.analytix.consent.grant(["analytics"]);
      }
      assert.deepEqual(attacked.srcs(), alone.srcs()); // consent starts the server's services only
      const name = real.consent ? real.consent.cookie : "analytix_consent";
      assert.equal(attacked.writes.length, 2);
      for (const written of attacked.writes) {
        assert.equal(CONSENT_COOKIE.exec(written)?.[1], name, written);
      }
      assert.deepEqual(attacked.page.errors, []);
    }),
    { numRuns: 50, seed: 11 }, // fixed: the same cases on every run
  );
});
