// static/analytix/js/plan.js: the tracking plan's check in the page. The validator gives each
// case of tests/data/plan_cases.json the problems the server's (jsonschema) gives; flag sends
// and warns, block drops and warns, events wait for the plan, and an unreachable plan never
// loses one.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { CORE, IDS, VENDOR_FILES, lines, makePage, service } from "./helpers.mjs";

const TABLE = JSON.parse(readFileSync(new URL("../tests/data/plan_cases.json", import.meta.url), "utf8"));
const COMPILED = JSON.parse(readFileSync(new URL("../tests/data/plan_cases.compiled.json", import.meta.url), "utf8"));
const URL_ = "/analytix/plan/0123456789abcdef.json";
const SERVICES = ["google", "kissmetrics", "facebook_pixel"];

// A page whose fetch answers the plan (or fails) when the test calls answer().
function planPage({ policy = "flag", plan = URL_, status = 200, body = null } = {}) {
  const config = { area: "signup", logLevel: "warning", services: SERVICES.map((n) => service(n, { id: IDS[n] })) };
  if (plan !== null) config.plan = plan; // null: no "plan" key
  const page = makePage({ config, url: "https://site.example/signup/" });
  const fetches = [];
  let answer = () => {};
  page.window.fetch = (url, options) => {
    fetches.push([url, options.credentials]);
    return new page.window.Promise((resolve, reject) => {
      answer = () => {
        if (status === 0) reject(new page.window.TypeError("Failed to fetch"));
        resolve({ ok: status === 200, status, json: () => page.window.Promise.resolve(body || { ...COMPILED, policy }) });
      };
    });
  };
  page.run(...CORE, ...SERVICES.map((n) => VENDOR_FILES[n]), "boot.js");
  const booted = lines(page.calls);
  page.calls.length = 0;
  return { page, fetches, booted, answer: async () => { answer(); await new Promise((r) => setTimeout(r, 0)); } };
}

const plain = (value) => JSON.parse(JSON.stringify(value, (k, v) => (v && typeof v === "object" && typeof v.length === "number" ? Array.from(v) : v)));

function sentEvents(window) {
  return {
    google: plain(window.dataLayer).filter((args) => args[0] === "event").map((args) => args[1]),
    kissmetrics: plain(window._kmq).filter((args) => args[0] === "record").map((args) => args[1]),
    facebook_pixel: plain(window.fbq.queue).filter((args) => /track/.test(args[0]) && args[1] !== "PageView").map((args) => args.slice(0, 2)),
  };
}

test("the browser's validator gives every case of the shared table the server's problems", async () => {
  const { page, answer } = planPage();
  await answer();
  for (const { event, properties, problems } of TABLE.cases) {
    const props = page.window.JSON.parse(JSON.stringify(properties)); // as cleanProperties hands them over
    assert.deepEqual(plain(page.window.analytix.planProblems(COMPILED, event, props)), problems, `${event} ${JSON.stringify(properties)}`);
  }
});

test("flag: a planned event reaches each vendor under the plan's name; a violation is sent and warned", async () => {
  const { page, fetches, answer } = planPage();
  await answer();
  assert.deepEqual(fetches, [["https://site.example" + URL_, "same-origin"]]); // never an injected <base>
  page.window.analytix.track("sign_up", { method: "email" });
  assert.deepEqual(lines(page.calls), []);
  page.window.analytix.track("sign_up", { method: "phone" });
  page.window.analytix.track("Signed Up");
  assert.deepEqual(sentEvents(page.window), {
    google: ["sign_up", "sign_up", "signed_up"],
    kissmetrics: ["sign_up", "sign_up", "Signed Up"],
    facebook_pixel: [["track", "CompleteRegistration"], ["track", "CompleteRegistration"], ["trackCustom", "Signed Up"]],
  });
  assert.deepEqual(lines(page.calls), [
    `[WARNING] analytix plan | event "sign_up" sent (PLAN_POLICY flag): enum:method; see ${COMPILED.source}`,
    `[WARNING] analytix plan | event "Signed Up" sent (PLAN_POLICY flag): unplanned; see ${COMPILED.source}`,
  ]);
  assert.equal(page.window.analytix.planViolations.length, 2);
});

test("block: a violation is dropped and warned; a valid event goes", async () => {
  const { page, answer } = planPage({ policy: "block" });
  await answer();
  assert.deepEqual(plain(page.window.analytix.track("Signed Up")), []);
  assert.deepEqual(plain(page.window.analytix.service("google").track("sign_up", {})), false);
  page.window.analytix.track("sign_up", { method: "google", seats: 2 });
  assert.deepEqual(sentEvents(page.window).google, ["sign_up"]);
  assert.deepEqual(lines(page.calls), [
    `[WARNING] analytix plan | event "Signed Up" dropped (PLAN_POLICY block): unplanned; see ${COMPILED.source}`,
    `[WARNING] analytix plan | event "sign_up" dropped (PLAN_POLICY block): required:method; see ${COMPILED.source}`,
  ]);
});

test("events tracked before the plan arrives wait for it and are then checked", async () => {
  const { page, answer } = planPage({ policy: "block" });
  assert.deepEqual(plain(page.window.analytix.track("sign_up", { method: "email" })), SERVICES); // held: queued
  page.window.analytix.track("Signed Up");
  assert.deepEqual(sentEvents(page.window).google, []);
  await answer();
  assert.deepEqual(sentEvents(page.window).google, ["sign_up"]);
  assert.equal(page.window.analytix.planViolations[0].event, "Signed Up");
});

for (const [what, options, reason] of [
  ["answers 404", { status: 404 }, "answered 404"],
  ["fails (a CSP's connect-src, the network)", { status: 0 }, "Failed to fetch"],
  ["is not a plan", { body: { nope: 1 } }, "[object Object]"],
]) {
  test(`a plan that ${what} is said once in the console, and events go unchecked (never lost)`, async () => {
    const { page, answer } = planPage({ policy: "block", ...options });
    page.window.analytix.track("Signed Up");
    await answer();
    page.window.analytix.track("Other");
    assert.deepEqual(sentEvents(page.window).kissmetrics, ["Signed Up", "Other"]);
    assert.deepEqual(lines(page.calls), [`[WARNING] analytix plan | no tracking plan (${reason}): events sent unchecked`]);
  });
}

test("no plan in the config: nothing fetched, nothing checked; a foreign URL is never fetched", async () => {
  const none = planPage({ plan: null });
  none.page.window.analytix.track("Anything", { at: "all" });
  assert.deepEqual(none.fetches, []);
  assert.deepEqual(sentEvents(none.page.window).kissmetrics, ["Anything"]);
  for (const url of ["//evil.example/plan.json", "https://evil.example/plan.json", ""]) {
    const foreign = planPage({ plan: url });
    foreign.page.window.analytix.track("Anything");
    assert.deepEqual(foreign.fetches, []);
    assert.deepEqual(sentEvents(foreign.page.window).kissmetrics, ["Anything"]);
    assert.match(foreign.booted.join(), /no tracking plan \(no URL: is analytix_frontend.urls routed\?\)/);
  }
});

// The report to the server's log (plan/reports.py): the violations queued, sent in one beacon.
const REPORT = "/analytix/plan/report/";

async function reportingPage({ report = REPORT, policy = "flag", beacon = true } = {}) {
  const planned = planPage({ policy, body: { ...COMPILED, policy, ...(report === null ? {} : { report }) } });
  await planned.answer();
  const beacons = [];
  const posts = [];
  planned.page.window.navigator.sendBeacon = (url, body) => {
    beacons.push([url, JSON.parse(body), body]);
    return beacon;
  };
  planned.page.window.fetch = (url, options) => {
    posts.push([url, options.method, options.keepalive, options.credentials, JSON.parse(options.body)]);
    return new planned.page.window.Promise(() => {});
  };
  const hide = (type = "pagehide") => {
    const { window } = planned.page;
    if (type === "visibilitychange") {
      Object.defineProperty(window.Document.prototype, "visibilityState", { configurable: true, get: () => "hidden" });
      window.document.dispatchEvent(new window.Event(type));
    } else {
      window.dispatchEvent(new window.Event(type));
    }
  };
  return { ...planned, beacons, posts, hide };
}

test("violations are reported in one beacon when the page is hidden, then the queue empties", async () => {
  const { page, beacons, hide } = await reportingPage();
  page.window.analytix.track("Signed Up", { plan: "pro" });
  page.window.analytix.track("sign_up", { method: "phone" });
  page.window.analytix.track("sign_up", { method: "email" }); // planned: nothing to report
  assert.deepEqual(beacons, []);
  hide();
  assert.equal(beacons.length, 1);
  assert.equal(beacons[0][0], "https://site.example" + REPORT);
  assert.deepEqual(beacons[0][1], {
    area: "signup",
    path: "/signup/",
    violations: [
      { event: "Signed Up", problems: ["unplanned"], blocked: false },
      { event: "sign_up", problems: ["enum:method"], blocked: false },
    ],
    more: 0,
  });
  assert.doesNotMatch(beacons[0][2], /phone|pro"/); // never a property's value
  hide();
  assert.equal(beacons.length, 1);
  page.window.analytix.track("Other");
  hide("visibilitychange");
  assert.deepEqual(beacons[1][1].violations, [{ event: "Other", problems: ["unplanned"], blocked: false }]);
});

test("20 queued violations are sent at once; a dropped one is reported as blocked", async () => {
  const { page, beacons, hide } = await reportingPage({ policy: "block" });
  for (let i = 0; i < 21; i++) page.window.analytix.track("Unplanned " + i);
  assert.equal(beacons.length, 1);
  assert.equal(beacons[0][1].violations.length, 20);
  assert.deepEqual(beacons[0][1].violations[19], { event: "Unplanned 19", problems: ["unplanned"], blocked: true });
  hide();
  assert.deepEqual(beacons[1][1].violations.map((v) => v.event), ["Unplanned 20"]);
});

test("a report stays under 4 KB: the violations left out are counted in more", async () => {
  const { page, beacons } = await reportingPage();
  for (let i = 0; i < 20; i++) page.window.analytix.track("é".repeat(200) + i);
  const [[, report, body]] = beacons;
  assert.ok(Buffer.byteLength(body) <= 4000, Buffer.byteLength(body));
  assert.ok(report.more > 0 && report.violations.length + report.more === 20);
});

test("a beacon the browser refuses goes by fetch, keepalive, same origin", async () => {
  const { page, posts, hide } = await reportingPage({ beacon: false });
  page.window.analytix.track("Signed Up");
  hide();
  assert.equal(posts.length, 1);
  assert.deepEqual(posts[0].slice(0, 4), ["https://site.example" + REPORT, "POST", true, "same-origin"]);
  assert.equal(posts[0][4].violations[0].event, "Signed Up");
});

test("a report URL that is not a path on this page's origin is never used; none: no report", async () => {
  for (const report of ["//evil.example/x", "https://evil.example/x", "/\\evil.example/x", "", null]) {
    const { page, beacons, posts, hide } = await reportingPage({ report });
    page.window.analytix.track("Signed Up");
    hide();
    assert.deepEqual([beacons, posts], [[], []], String(report));
    assert.equal(page.window.analytix.planViolations.length, 1);
  }
});
