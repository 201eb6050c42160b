/**
 * Types for `window.analytix`, the page API of analytix_frontend (docs/events.md).
 *
 * Reference it from your TypeScript, e.g. with `/// <reference path="…/analytix/js/analytix.d.ts" />`
 * or in tsconfig.json's "files" (the file ships in the package's static files). It declares
 * globals only: `window.analytix` exists on every page that has the `{% analytics_scripts %}`
 * tag, and is `undefined` elsewhere, hence the optional type: `window.analytix?.track(…)`.
 *
 * The page's one script (start.js) makes it; the main script comes when the page first needs
 * it (docs/performance.md, "Loading"). Until then calls are queued and made, in order, once it
 * has run: they return `[]`, `false` or `undefined` meanwhile, `services` is `{}`, and
 * `consent` has only `grant`, `withdraw` and `reject`. `ready(callback)` runs code once it has run.
 */

declare namespace Analytix {
  /** The services the package can load (ANALYTICS_CONFIG["AREAS"] names them). */
  type ServiceName = "google" | "hubspot" | "kissmetrics" | "drift" | "fullstory" | "facebook_pixel";

  /** Consent categories: google, kissmetrics, fullstory are analytics; hubspot, facebook_pixel marketing; drift functional. */
  type Category = "analytics" | "marketing" | "functional";

  type LogLevel = "off" | "warning" | "debug" | "verbose";

  /**
   * Where a service of the page is: off, held for consent, waiting for its load trigger
   * ("scheduled"), or on its way to loaded/failed.
   */
  type ServiceState = "off" | "waiting" | "scheduled" | "starting" | "loading" | "loaded" | "failed";

  /** Why a service is off (README "When a service runs"); other text for a service not on the page. */
  type Reason =
    | ""
    | "no id"
    | "invalid id"
    | "environment"
    | "area"
    | "unknown area"
    | "consent"
    | "privacy"
    | "internal"
    | "condition"
    | (string & {});

  /**
   * Event properties and identify traits: a plain object, copied as JSON when the call is made
   * (functions and `undefined` values are left out; anything else that is not JSON sends the
   * event without properties, with a warning).
   */
  type Properties = { [key: string]: unknown };

  /**
   * The tracking plan's events and their properties (docs/plan.md): empty here, filled by the
   * file `manage.py analytix_plan types` writes (interface merging). Once it has an event,
   * `track` takes only planned names, each with its planned properties.
   */
  // eslint-disable-next-line @typescript-eslint/no-empty-interface
  interface PlannedEvents {}

  /** A name `track` takes: any text without a plan's types, else a planned event. */
  type EventName = keyof PlannedEvents extends never ? string : keyof PlannedEvents;

  /** `track`'s properties for this event: optional unless the plan requires one. */
  type TrackArguments<E> = E extends keyof PlannedEvents
    ? {} extends PlannedEvents[E]
      ? [properties?: PlannedEvents[E] | null]
      : [properties: PlannedEvents[E]]
    : [properties?: Properties | null];

  /** A tracking-plan violation the page saw (`analytix.planViolations`). */
  interface PlanViolation {
    readonly event: string;
    /** "unplanned", or "<keyword>:<property>" ("enum:method", "required:method", "unknown:colour"). */
    readonly problems: string[];
    /** Dropped (PLAN_POLICY "block"), else sent ("flag"). */
    readonly blocked: boolean;
  }

  /** `analytix.logger(name)`: prints as `[DEBUG] name | …` when LOG_LEVEL allows. */
  interface Logger {
    readonly name: string;
    warning(...args: unknown[]): void;
    debug(...args: unknown[]): void;
    verbose(...args: unknown[]): void;
    /** Whether a line at this level prints. */
    enabled(level: Exclude<LogLevel, "off">): boolean;
    /** Runs `fn` inside a console group named after this logger, when `level` prints. */
    group(level: Exclude<LogLevel, "off">, fn: () => void): void;
  }

  /** `analytix.services[name]`: one service of the page, its decision and its live state. */
  interface ServiceRecord {
    readonly name: ServiceName;
    /** How the console names it: "Google Analytics", "Meta Pixel"… */
    readonly label: string;
    readonly category: Category;
    /** The server turned it on for this page. */
    readonly on: boolean;
    /** The validated vendor id, when it runs or waits for consent. */
    readonly id: string | null;
    readonly reason: Reason;
    /** What to change to turn it on (written at LOG_LEVEL "debug" and "verbose" only). */
    readonly detail: string;
    /** Off until the visitor consents in the page. */
    readonly waiting: boolean;
    readonly state: ServiceState;
    /** false once consent is withdrawn in the page: no further scripts or calls. */
    readonly consented?: boolean;
    /** Google in advanced Consent Mode: started before consent, every signal denied until the visitor answers. */
    readonly advanced?: boolean;
  }

  /** `analytix.service(name)`: one service's handle; a no-op that logs why when it is off. */
  interface ServiceHandle {
    readonly name: string;
    readonly label: string;
    /** On, and its script has not failed. */
    readonly on: boolean;
    readonly state: ServiceState;
    readonly reason: Reason;
    readonly detail: string;
    /** Calls the vendor's own global in its style, e.g. `service("google").call("event", "x", {})`. */
    call(...args: unknown[]): unknown;
    /** The same as `call`. */
    push(...args: unknown[]): unknown;
    /** True when the event was sent (or queued) to this service. */
    track(event: string, properties?: Properties | null): boolean;
    identify(id: string | number, traits?: Properties | null): boolean;
  }

  /** Where consent comes from on this site (CONSENT["SOURCE"]). */
  type ConsentSource = "analytix" | "cookie_consent" | "tcf" | "gcm";

  interface ConsentState {
    /** ANALYTICS_CONFIG["CONSENT"] is on (false too when a TCF CMP says GDPR does not apply). */
    readonly required: boolean;
    readonly categories: Category[];
    /** The visitor has chosen (the consent cookie is set, or grant/withdraw/reject was called). */
    readonly decided: boolean;
    /** The visitor's consent id (22 characters, in the consent cookie), "" before a first decision. */
    readonly id: string;
    readonly source: ConsentSource;
  }

  /** What a decision's record names as its source: your banner, or page code ("api", the default). */
  interface ConsentOptions {
    source?: "banner" | "api";
  }

  /** One decision, as `onChange` callbacks hear it ("default": a consent manager's default, not an answer). */
  interface ConsentChange {
    readonly action: "grant" | "withdraw" | "reject" | "default";
    readonly source: "api" | "banner" | "cookie_consent" | "tcf" | "gcm";
  }

  /** Global Privacy Control in this browser, and whether the site honours it. */
  interface PrivacyStatus {
    readonly gpc: boolean;
    readonly honored: boolean;
    /** "Opt-Out Request Honored" when honoured, else "". */
    readonly text: string;
  }

  /** `analytix.consent`: the page's consent switch, for your banner. */
  interface Consent {
    /** Grants these categories (every category when omitted); waiting services start, no reload. */
    grant(categories?: Category | Category[] | null, options?: ConsentOptions): void;
    grant(options: ConsentOptions): void;
    /** Withdraws these categories (every category when omitted): their services stop, their cookies go. */
    withdraw(categories?: Category | Category[] | null, options?: ConsentOptions): void;
    withdraw(options: ConsentOptions): void;
    /** Refuses every category ("reject all"). */
    reject(options?: ConsentOptions): void;
    /** Whether the visitor allows the category (and, given a service, that vendor: TCF vendor consent). */
    allows(category: Category, service?: ServiceName): boolean;
    /** Calls `callback` after each decision; returns a function that stops it. */
    onChange(callback: (state: ConsentState, change: ConsentChange) => void): () => void;
    /** GPC's status, and updates every `[data-analytix-privacy-status]` element of the page. */
    privacyStatus(): PrivacyStatus;
    readonly state: ConsentState;
  }

  /** `window.analytix`. */
  interface Api {
    /** Runs `callback` once the main script has run (at once if it has): `services`, `consent.state`… are then set. */
    ready(callback: (analytix: ReadyApi) => void): void;
    /** Sends the event to every service of the page; returns the names of those that got it. With the plan's types, only planned events and properties type-check. */
    track<E extends EventName>(event: E, ...properties: TrackArguments<E>): ServiceName[];
    /** Identifies the visitor to each service that supports it (only when the project opts in with IDENTITY). */
    identify(id: string | number, traits?: Properties | null): ServiceName[];
    service(name: ServiceName | (string & {})): ServiceHandle;
    logger(name: string): Logger;
    /**
     * Sets the console's level for this page. `{remember: true}` keeps it in this browser
     * (localStorage) across reloads and pages until `forgetLogLevel()`: QA's switch on a
     * production page. It changes only what the console prints.
     */
    setLogLevel(level: LogLevel, options?: { remember?: boolean }): void;
    /** Forgets a remembered level: the console follows the page's own level again. */
    forgetLogLevel(): void;
    logLevel(): LogLevel;
    /** Until the main script has run: only `grant`, `withdraw` and `reject`, queued (see `ready`). */
    readonly consent: Consent | EarlyConsent;
    /** The services of the page, by name (only those the page's tags listed). */
    readonly services: { readonly [name in ServiceName]?: ServiceRecord };
  }

  /** `analytix.consent` before the main script has run: its calls are queued. */
  type EarlyConsent = Pick<Consent, "grant" | "withdraw" | "reject">;

  /** `window.analytix` once the main script has run: what `ready`'s callback gets. */
  interface ReadyApi extends Api {
    readonly consent: Consent;
    /** The tracking plan's violations on this page, in order (PLAN_POLICY "flag" or "block"). */
    readonly planViolations: PlanViolation[];
  }

  /**
   * The declarative tracking attributes (no JavaScript needed): a click on a link, button or
   * other element, or a form's submit, sends the event. `data-analytix-props` is a JSON object.
   * E.g. for JSX: `<a href="/deploy" {...attrs}>` with `attrs: Analytix.EventAttributes`.
   */
  interface EventAttributes {
    "data-analytix-event": string;
    "data-analytix-props"?: string;
  }
}

interface Window {
  analytix?: Analytix.Api;
}
