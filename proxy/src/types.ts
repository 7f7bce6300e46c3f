import type {
  IncomingHttpHeaders,
  IncomingMessage,
  RequestListener,
  ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { configSchema } from './config/schema.js';
import type { ConfigIssue } from './errors.js';
import type { MismatchStore } from './shadow/store/record.js';

/** Who serves a route: see the `mode` field of the config reference. */
export type Mode = 'legacy' | 'shadow' | 'canary' | 'new';

/** The side that actually served a request. */
export type Role = 'legacy' | 'new';

/** The route file as written (before defaults), e.g. for building a config in code. */
export type ProxyConfigInput = z.input<typeof configSchema>;

/** The route file after validation and defaults. */
export type ProxyConfig = z.output<typeof configSchema>;

/** Why a request went where it went. */
export type DecisionReason =
  'unmatched' | 'mode' | 'canary' | 'canary-no-key' | 'override' | 'embedded-legacy';

/** A route or group as the admin API and `routes list` show it. */
export interface RouteView {
  id: string;
  description?: string;
  group?: string;
  mode: Mode;
  percent?: number;
  /** Where the canary key comes from, e.g. `cookie:strangler-id`. */
  sticky: string;
  match: { path: string; methods?: string[]; headers?: Record<string, unknown> };
  upstreams: { legacy: string; new: string };
  stats: RouteStatsView;
}

/** Counters since the proxy started (they survive reloads and switches). */
export interface RouteStatsView {
  requests: { legacy: number; new: number };
  /** Responses with status >= 500 (including the proxy's own 502/504). */
  errors: number;
  lastRequestAt?: string;
}

/** A route group as the admin API shows it. */
export interface GroupView {
  id: string;
  description?: string;
  mode: Mode;
  percent?: number;
  sticky: string;
  routes: string[];
}

/** Result of the last attempt to load the route file (admin API `GET /reload`). */
export interface ReloadStatus {
  /** The file watched, when the config came from a file. */
  file?: string;
  /** True when the last attempt succeeded; false means the running table is the previous one. */
  ok: boolean;
  /** Version (content hash) of the table serving traffic. */
  activeVersion: string;
  /** When the serving table was loaded. */
  activeSince: string;
  lastAttemptAt: string;
  /** Why the last attempt failed: every issue, naming file, route and field. */
  lastError?: { message: string; issues: ConfigIssue[] };
  reloads: number;
  failures: number;
}

/** A request to move a route or group to another mode. */
export interface SwitchRequest {
  /** Route or group id (they share one namespace). */
  target: string;
  mode: Mode;
  /** Canary percent (0-100); kept as is when omitted. Required to enter canary without one. */
  percent?: number;
  /** Why, for the audit log. Required. */
  reason: string;
  /** Who asked (self-declared), for the audit log. */
  actor?: string;
  /** What asked: `admin-api`, `cli`, `gate`, or your own. */
  source?: string;
  /** The figures that justified an automatic switch; written to the audit entry. */
  figures?: Record<string, unknown>;
}

/** Mode and percent of a route or group at one moment. */
export interface ModeState {
  mode: Mode;
  percent?: number;
}

/** What a switch changed. */
export interface SwitchResult {
  changed: boolean;
  kind: 'route' | 'group';
  target: string;
  /** Every route whose serving side the switch affects. */
  routes: string[];
  from: ModeState;
  to: ModeState;
  at: string;
  /** Version of the table after the switch. */
  version: string;
  /** For a write group whose writer changed: the barrier it passed. */
  barrier?: WriteBarrierFigures;
}

/** What a switch would do if it were made now (admin API `POST .../switch/check`). */
export interface SwitchCheck {
  kind: 'route' | 'group';
  target: string;
  routes: string[];
  from: ModeState;
  to: ModeState;
  /** False when the target is already in that mode: the switch would change nothing. */
  changes: boolean;
  /** True when every switch guard (readiness of the new upstreams, your own guards) allows it now. */
  allowed: boolean;
  /** Why not, in the words of the guard that refused. */
  refusal?: string;
}

/** One line of the audit log (JSON lines): a switch, or an ignore rule accepted. */
export type AuditEntry = SwitchAuditEntry | IgnoreRuleAuditEntry | TableImportAuditEntry;

/** A route file published whole to the control plane (`strangler-proxy control import`). */
export interface TableImportAuditEntry {
  at: string;
  kind: 'import';
  /** Always `(route table)`: the whole table changed. */
  target: string;
  /** Every route of the imported table. */
  routes: string[];
  reason: string;
  actor: string;
  source: string;
  /** The file imported. */
  file?: string;
  /** The control plane's version before and after. */
  fromVersion: number;
  toVersion: number;
}

/** An ignore rule with who answers for it, why, and until when (`shadow.ignore` in the file). */
export interface IgnoreRule {
  /** JSON pointer (wildcards `*`, a final `**`), `header:<name>` or `status`. */
  rule: string;
  owner: string;
  reason: string;
  /** A date (2027-01-31, to the end of that day, UTC) or a date-time with offset. */
  expires?: string;
}

/** Accept an ignore rule for a route (admin API `POST /shadow/:route/ignore-rules`). */
export interface AcceptRuleRequest {
  route: string;
  /** JSON pointer (wildcards `*`, a final `**`), `header:<name>` or `status`. */
  rule: string;
  /** Who answers for the rule. Required. */
  owner: string;
  /** Why the difference does not matter. Required. */
  reason: string;
  /** When it stops applying: a date or a date-time with offset. */
  expires?: string;
  /** Who accepted it (self-declared), for the audit log. */
  actor?: string;
  /** What asked: `admin-api`, `dashboard`, `cli`, or your own. */
  source?: string;
}

/** What accepting an ignore rule did. */
export interface AcceptRuleResult {
  /** False when the route already had the rule in force. */
  changed: boolean;
  route: string;
  rule: IgnoreRule;
  at: string;
  /** Version of the table afterwards. */
  version: string;
}

/** An ignore rule accepted through the admin API, the CLI or the dashboard. */
export interface IgnoreRuleAuditEntry {
  at: string;
  kind: 'ignore_rule';
  /** The route whose `shadow.ignore` got the rule. */
  target: string;
  routes: string[];
  rule: IgnoreRule;
  /** Why it was accepted (the rule's own reason unless another was given). */
  reason: string;
  /** Who: the actor given, else the caller's source and address (never empty). */
  actor: string;
  source: string;
  file?: string;
}

/** A switch of a route or group. */
export interface SwitchAuditEntry {
  at: string;
  kind: 'route' | 'group';
  target: string;
  routes: string[];
  from: ModeState;
  to: ModeState;
  reason: string;
  /** Who: the actor given, else the caller's source and address (never empty). */
  actor: string;
  source: string;
  /** The config file written, when there is one. */
  file?: string;
  /** For automatic switches: the figures that justified it (match rate, samples, rates, p99s). */
  figures?: Record<string, unknown>;
  /** For a write group whose writer changed: the barrier it passed (see `WriteBarrierFigures`). */
  barrier?: WriteBarrierFigures;
}

/** A write group's barrier: what was held and drained, and where the two sides met. */
export interface WriteBarrierFigures {
  /** Writes in flight when new writes began to be held. */
  inFlight: number;
  /** Time until those had finished, ms. */
  drainMs: number;
  /** Time until the side taking over had applied everything the other side wrote, ms. */
  catchUpMs: number;
  /** The topic and per-partition next offsets the side taking over had applied. */
  topic: string;
  offsets: Record<string, string>;
  /** How long new writes were held in all, ms (in the switch's answer; the audit entry is written before the hold ends). */
  heldMs?: number;
}

/**
 * A precondition checked before any switch is applied (e.g. "the new service has caught up").
 * Return nothing to allow, or a sentence saying why not; the switch is then refused with
 * `switch_denied` and nothing is written.
 */
export type SwitchGuard = (
  request: Readonly<SwitchRequest>,
  context: {
    kind: 'route' | 'group';
    routes: string[];
    from: ModeState;
    /** True when the switch is only being asked about (a check): answer, but do not act or log. */
    check?: boolean;
  },
) => void | string | Promise<void | string>;

/** The request half of an observed exchange. */
export interface CapturedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  /** Headers as received (hop-by-hop ones included; the proxy's override header removed). */
  headers: IncomingHttpHeaders;
  requestId: string;
  /** Body bytes up to the cap the hook asked for; undefined when it asked for none. */
  body?: Buffer;
  /** Body bytes seen in total, even beyond the cap. */
  bodyBytes: number;
  /** True when the body was longer than the cap and `body` holds only its start. */
  bodyTruncated: boolean;
  /** False when the body had not been read to its end when the response finished. */
  bodyComplete: boolean;
}

/** The response half of an observed exchange. */
export interface CapturedResponse {
  /** Status sent to the client (502/504 when the proxy answered, 499 when the client left). */
  status: number;
  /** Upstream response headers (hop-by-hop removed), undefined when the upstream never answered. */
  headers?: Record<string, string | string[]>;
  body?: Buffer;
  bodyBytes: number;
  bodyTruncated: boolean;
  durationMs: number;
  /** Set when forwarding failed, e.g. `upstream_unreachable`, `upstream_timeout`, `client_aborted`. */
  error?: string;
}

/** A request and its primary response, handed to an exchange hook after the client got its answer. */
export interface Exchange {
  route?: { id: string; group?: string; mode: Mode; percent?: number };
  servedBy: Role;
  upstream: string;
  reason: DecisionReason;
  startedAt: number;
  request: CapturedRequest;
  response: CapturedResponse;
  /** What `select` returned as `context` for this request, handed back unchanged. */
  context?: unknown;
}

/**
 * Observes exchanges off the client's path: the extension point shadow comparison plugs into.
 * `select` runs on the hot path and must be cheap; `onExchange` runs after the response finished.
 */
export interface ExchangeHook {
  /** Whether to observe this request, and how many body bytes of each side to keep. */
  select(request: {
    route?: { id: string; group?: string; mode: Mode; percent?: number };
    servedBy: Role;
    method: string;
    url: string;
    headers: IncomingHttpHeaders;
  }): false | { requestBodyBytes: number; responseBodyBytes: number; context?: unknown };
  /** Called once per selected request, after the client's response has been sent. */
  onExchange(exchange: Exchange): void;
}

/** Options of {@link startProxy}. Give `configFile` (watched, written back) or `config`. */
export interface StartProxyOptions {
  /** Route file (YAML); watched for changes, and switches are written back to it. */
  configFile?: string;
  /** A config object instead of a file: no hot reload, switches live in memory only. */
  config?: ProxyConfigInput;
  /** Proxy port; 0 picks a free one. Default: config `listen.port`, else 8080. */
  port?: number;
  /** Default: config `listen.host`, else 0.0.0.0. */
  host?: string;
  /** Admin port; 0 picks a free one. Default: config `admin.port`, else 8081. */
  adminPort?: number;
  /** Default: config `admin.host`, else 127.0.0.1. */
  adminHost?: string;
  /** Admin bearer token; overrides config `admin.token`. */
  adminToken?: string;
  /** false: no admin API at all (then no switching over HTTP). Default true. */
  admin?: boolean;
  /** Audit log file; overrides config `admin.auditLog`. */
  auditLog?: string;
  /** Environment for `${VAR}` interpolation. Default process.env. */
  env?: Record<string, string | undefined>;
  /** pino logger to use. Default: a new one at `logLevel`. */
  logger?: Logger;
  /** Level of the default logger. Default `info`. */
  logLevel?: string;
  /** Prometheus registry to register metrics in. Default: a new one (served on /metrics). */
  registry?: Registry;
  /** Preconditions checked before every switch. */
  switchGuards?: SwitchGuard[];
  /** Observes exchanges after the client's response (shadow comparison plugs in here). */
  exchangeHook?: ExchangeHook;
  /** Watch the config file. Default true when `configFile` is given. */
  watch?: boolean;
  /** Where mismatches go, instead of `shadow.store` of the config (e.g. your own database). */
  shadowStore?: MismatchStore;
  /**
   * Postgres URL of a control plane shared by several proxies: the route table, its versions and
   * the audit log live there (the first replica imports its route file), every replica applies a
   * change within a second, and one of them runs the gates. Without it each proxy has its own file.
   */
  controlDb?: string;
}

/** Shadow comparison of a running proxy, as the admin API shows it. */
export interface ShadowControl {
  /** A route's report; undefined for an unknown route. */
  report(route: string): ShadowRouteReport | undefined;
  reports(): ShadowRouteReport[];
  /** Newest first. */
  mismatches(route: string, limit?: number): MismatchRecord[];
  /**
   * Learned noise, the ignore rules that apply now (`ignore`), and every rule with its owner,
   * reason and expiry (`ignoreRules`).
   */
  noise(
    route: string,
  ): (NoiseReport & { ignore: string[]; ignoreRules: IgnoreRuleView[] }) | undefined;
  /** Mismatches since start grouped by the fields that differ, most frequent first. */
  mismatchGroups(route: string, limit?: number): { groups: MismatchGroup[]; ungrouped: number };
  /** Match rate and both sides' p50/p99 per 10 s interval over the last hour, oldest first. */
  timeline(route: string): TimelinePoint[];
  /** Resolves once no comparison is queued or running. */
  idle(): Promise<void>;
  /**
   * Resolves once the shadow thread is up (at once when no route compares). It starts as soon as
   * a route compares; copies made before it listens wait for it, and their timeout runs meanwhile.
   */
  ready(): Promise<void>;
  /** Runs a route's or group's gates now instead of waiting for their interval. */
  evaluateGates(route: string): Promise<GateState | undefined>;
  /** Adds an ignore rule to a route's `shadow.ignore` (file written back, audited, applied). */
  acceptIgnoreRule(request: AcceptRuleRequest): Promise<AcceptRuleResult>;
}

/** A running proxy. */
export interface StartedProxy {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  /** e.g. http://127.0.0.1:8081; undefined with `admin: false`. */
  adminUrl?: string;
  /** Reloads the config file now; resolves to the status (ok: false keeps the running table). */
  reload(): Promise<ReloadStatus>;
  /** Switches a route or group, exactly like the admin API does. */
  switchRoute(request: SwitchRequest): Promise<SwitchResult>;
  /** What a switch would do now and whether the guards allow it, without switching. */
  checkSwitch(request: Omit<SwitchRequest, 'reason'>): Promise<SwitchCheck>;
  /** The reload status, as `GET /reload` shows it. */
  status(): ReloadStatus;
  /** Installs (or removes, with undefined) the exchange hook. */
  setExchangeHook(hook: ExchangeHook | undefined): void;
  /** Adds a precondition to every later switch; returns a function removing it. */
  addSwitchGuard(guard: SwitchGuard): () => void;
  /** Shadow comparison reports and gates. */
  shadow: ShadowControl;
  /** Drains in-flight requests (up to `timeouts.shutdown`), then closes everything. */
  close(): Promise<void>;
}

/** Options of {@link strangler}, the express middleware. Give `configFile` or `config`. */
export interface StranglerOptions {
  /** Route file (YAML); watched, and switches are written back to it. */
  configFile?: string;
  /** A config object instead of a file. */
  config?: ProxyConfigInput;
  /**
   * What serving "legacy" means. `next` (default): your express app is the legacy system, so the
   * request continues to your own handlers and no legacy upstream is needed. `proxy`: forward to
   * the `legacy` upstream, like the standalone proxy.
   */
  legacy?: 'next' | 'proxy';
  /** Watch the config file. Default true when `configFile` is given. */
  watch?: boolean;
  /** Environment for `${VAR}` interpolation. Default process.env. */
  env?: Record<string, string | undefined>;
  /** pino logger. Default: a new one at `logLevel` (default info). */
  logger?: Logger;
  logLevel?: string;
  /** Prometheus registry for the proxy's metrics. Default: a new one (see `registry`). */
  registry?: Registry;
  /** Audit log file. Default: `<config file>.audit.jsonl`, or memory without a file. */
  auditLog?: string;
  switchGuards?: SwitchGuard[];
  exchangeHook?: ExchangeHook;
  /** Where mismatches go, instead of `shadow.store` of the config (e.g. your own database). */
  shadowStore?: MismatchStore;
}

/** The express middleware, with the same routing and controls as the standalone proxy. */
export interface StranglerMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
  /**
   * Forwards a websocket upgrade when routing sends it to an upstream; returns false when the
   * legacy side is your app (`legacy: 'next'`), so your own upgrade handling takes it.
   * Wire it with `server.on('upgrade', (req, socket, head) => mw.upgrade(req, socket, head) || ...)`.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** The metrics registry (serve `registry.metrics()` wherever you expose Prometheus metrics). */
  registry: Registry;
  /** The admin API as a request listener; serve it on a private port. */
  adminApp(options: { token: string }): RequestListener;
  reload(): Promise<ReloadStatus>;
  switchRoute(request: SwitchRequest): Promise<SwitchResult>;
  /** What a switch would do now and whether the guards allow it, without switching. */
  checkSwitch(request: Omit<SwitchRequest, 'reason'>): Promise<SwitchCheck>;
  status(): ReloadStatus;
  setExchangeHook(hook: ExchangeHook | undefined): void;
  addSwitchGuard(guard: SwitchGuard): () => void;
  /** Shadow comparison and gates, as in the standalone proxy. */
  shadow: ShadowControl;
  /** Stops watching the file, the gates and the shadow thread. */
  close(): Promise<void>;
}

/** Where two answers differ. */
export interface DiffEntry {
  /**
   * Location: a JSON pointer into the body (`/items/0/qty`), `status`, `header:<name>`,
   * `line:<n>` for text bodies, or `body` for a whole body (not JSON, different bytes).
   */
  pointer: string;
  /**
   * `value`: same type, other value; `type`: other JSON type; `missing`: only legacy has it;
   * `extra`: only the candidate has it; `format`: one side is not valid JSON; `hash`: binary
   * bodies differ.
   */
  kind: 'value' | 'type' | 'missing' | 'extra' | 'format' | 'hash';
  legacy?: unknown;
  candidate?: unknown;
}

/** Normalizers of a route (`shadow.normalize`). */
export type NormalizeSettings = NonNullable<
  NonNullable<ProxyConfig['routes'][number]['shadow']>['normalize']
>;

/** Why a comparison was not made. */
export type SkipReason =
  | 'method'
  | 'sampled_out'
  | 'busy'
  | 'size'
  | 'queue_full'
  | 'timeout'
  | 'candidate_error'
  | 'streaming'
  | 'primary_error'
  | 'incomplete'
  | 'encoding'
  | 'shadow_error'
  | 'no_upstream';

/** Latency and errors of one side, over the report's window. */
export interface SideFigures {
  /** Answers seen (including failures). */
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Share of answers that were 5xx or failed (0-1). */
  errorRate: number | null;
}

/** A request as stored with a mismatch: credentials redacted. */
export interface RequestSummary {
  method: string;
  url: string;
  /** Headers as received, `authorization`, `cookie` and `proxy-authorization` replaced by `[redacted]`. */
  headers: Record<string, string | string[]>;
  requestId: string;
  bodyBytes: number;
  /** The body as text (UTF-8) or base64 when not text; absent when empty. */
  body?: string;
  bodyEncoding?: 'utf8' | 'base64';
}

/** One recorded mismatch. */
export interface MismatchRecord {
  at: string;
  route: string;
  /** Which side served the client: `legacy` in shadow mode, `new` in canary. */
  servedBy: Role;
  request: RequestSummary;
  legacy: { status: number; ms: number };
  candidate: { status: number; ms: number };
  /** The differences (values clipped, at most 50). */
  diff: DiffEntry[];
  /** Differences beyond those listed. */
  more: number;
  /** Human rendering of the diff. */
  text: string;
  /** Both decoded bodies, clipped, for a side-by-side view. */
  bodies?: { legacy: BodyView; candidate: BodyView };
}

/** One side's body as kept with a mismatch. */
export interface BodyView {
  /** Decoded size in bytes. */
  bytes: number;
  contentType?: string;
  /** The body as text, up to 8 KB; absent when it is not text. */
  text?: string;
  /** Set when `text` is only the beginning. */
  truncated?: true;
}

/** Learned noise and the ignore rules it suggests. */
/** Mismatches of one route that differ in the same fields. */
export interface MismatchGroup {
  /** The differing field paths (array indices as `*`), sorted: the group's signature. */
  fields: string[];
  count: number;
  /** ISO times of the first and the latest mismatch of the group. */
  firstSeen: string;
  lastSeen: string;
  /** The latest mismatch of the group. */
  example: MismatchRecord;
}

/** One ignore rule of a route as reports show it. */
export interface IgnoreRuleView {
  rule: string;
  owner?: string;
  reason?: string;
  /** ISO date (valid to the end of that day, UTC) or date-time after which the rule stops applying. */
  expires?: string;
  /** True once `expires` has passed: listed, no longer applied. */
  expired: boolean;
}

export interface NoiseReport {
  enabled: boolean;
  /** Legacy-vs-legacy pairs compared. */
  pairs: number;
  /** Legacy-vs-candidate comparisons. */
  comparisons: number;
  /** Comparisons with differences before noise filtering. */
  mismatches: number;
  suggestions: {
    /** Ignore rule to add to `shadow.ignore` (array indices as `*`). */
    rule: string;
    /** How often legacy disagreed with itself on it (0-1). */
    noiseRate: number;
    /** Mismatches in which this field differed. */
    inMismatches: number;
    /** Mismatches this rule alone would turn into matches. */
    hidesAlone: number;
  }[];
  /** Mismatches all suggested rules together would turn into matches. */
  hidesTogether: number;
  /** Mismatches not counted per field set (too many distinct sets). */
  uncounted?: number;
}

/** A route's comparison report (admin API `GET /shadow/:route`). */
export interface ShadowRouteReport {
  route: string;
  mode: Mode;
  percent?: number;
  /** Since the proxy started. */
  totals: {
    compared: number;
    matched: number;
    mismatched: number;
    /** Matched only because learned noise explained every difference. */
    explainedByNoise: number;
    /** Match rate (0-1), null before the first comparison. */
    matchRate: number | null;
    skipped: Partial<Record<SkipReason, number>>;
  };
  /** The rolling window the gates read (current stage only). */
  window: {
    since: string;
    compared: number;
    matchRate: number | null;
    legacy: SideFigures;
    candidate: SideFigures;
  };
  noise: { pairs: number; suggestions: number };
  gates?: GateState;
}

/**
 * One interval of a route's comparisons (admin API `GET /shadow/:route/timeline`), for charts.
 * An interval never spans a switch: a switch closes it early, so each point has one stage.
 */
export interface TimelinePoint {
  /** ISO start and end of the interval. */
  from: string;
  to: string;
  /** The stage compared in it: `shadow`, `canary:10`, ... */
  stage: string;
  compared: number;
  matched: number;
  /** Copies that got no answer to compare (timeout, refused, too big). */
  failed: number;
  /** null when nothing was compared in the interval. */
  matchRate: number | null;
  legacy: { p50Ms: number | null; p99Ms: number | null };
  candidate: { p50Ms: number | null; p99Ms: number | null };
  /** Set on the last point while its interval is still running. */
  partial?: true;
}

/** What the gates last decided for a route. */
export interface GateState {
  enabled: boolean;
  /** Set while a manual switch pauses the gates. */
  pausedUntil?: string;
  lastEvaluatedAt?: string;
  /** `hold` (rules not met yet, or not enough samples), `promote`, `rollback`, `idle` (nothing to do in this mode). */
  lastDecision?: 'hold' | 'promote' | 'rollback' | 'idle' | 'paused';
  /** Why, in words. */
  lastReason?: string;
  /** The next promotion step, if any. */
  next?: ModeState;
  figures?: Record<string, unknown>;
}
