import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RouteTable } from '../routing/table.js';
import type { ProxyRuntime } from '../runtime/runtime.js';
import type {
  Exchange,
  ExchangeHook,
  GateState,
  MismatchGroup,
  MismatchRecord,
  NoiseReport,
  ShadowRouteReport,
  SkipReason,
  TimelinePoint,
} from '../types.js';
import { acceptsStream, isStreaming } from './compare/body-kind.js';
import { LoadGovernor } from './governor.js';
import type { IgnoreRuleView } from './ignore-rules.js';
import { clock, type JobOutcome } from './job.js';
import { ShadowMetrics } from './metrics.js';
import { RouteShadowState } from './route-state.js';
import { compileShadow, type RouteShadow, type ShadowSettings } from './settings.js';
import type { MismatchStore } from './store/record.js';
import { SampleWindow, type WindowFigures } from './window.js';
import { ShadowThread } from './worker/client.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ShadowServiceDeps {
  runtime: ProxyRuntime;
  registry: Registry;
  logger: Logger;
  store?: MismatchStore;
}

/**
 * Shadow comparison as an exchange hook. `select` (hot path) only decides, counts and caps;
 * `onExchange` runs after the client's answer was sent and hands the exchange to the shadow
 * thread, which sends the copy through pools of its own, compares, and answers with an outcome
 * applied here. Too much in flight drops (counted), a busy thread sheds (counted), a slow or dead
 * shadow side times out (counted): nothing here waits for the shadow side.
 */
export class ShadowService implements ExchangeHook {
  private settings: ShadowSettings;
  private readonly states = new Map<string, RouteShadowState>();
  private closed = false;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly figureCache = new Map<
    string,
    {
      at: number;
      windowMs: number;
      stage: string;
      added: number;
      figures: WindowFigures & { since: number };
    }
  >();
  readonly metrics: ShadowMetrics;
  readonly governor: LoadGovernor;
  private readonly thread: ShadowThread;
  /** True when some route is in a mode that compares: otherwise the hook is not even consulted. */
  wanted = false;
  /** Gate states by route, filled by the gate runner. */
  gateState: (route: string) => GateState | undefined = () => undefined;

  constructor(private readonly deps: ShadowServiceDeps) {
    this.settings = compileShadow(deps.runtime.table);
    this.governor = new LoadGovernor(this.settings.global.maxLoopUtilization);
    this.thread = new ShadowThread(
      {
        outcome: (route, outcome) => this.apply(route, outcome),
        lost: (route, reason) => this.skip(route, reason),
        noise: (route, report) => {
          const state = this.states.get(route);
          if (state) state.noise = report;
        },
        load: (load) => this.governor.tick(load.utilization),
      },
      deps.logger,
    );
    this.metrics = new ShadowMetrics(deps.registry, () => this.thread.pending);
    this.follow();
    deps.runtime.onSwap(() => {
      this.settings = compileShadow(deps.runtime.table);
      this.governor.setLimit(this.settings.global.maxLoopUtilization);
      this.follow();
    });
  }

  get store(): MismatchStore | undefined {
    return this.deps.store;
  }

  private follow(): void {
    this.wanted = [...this.settings.routes.values()].some(
      (s) => s.enabled && (s.route.mode === 'shadow' || (s.route.mode === 'canary' && s.canary)),
    );
    const table = this.deps.runtime.table;
    this.thread.configure(table.loaded.config, table.version, this.deps.store !== undefined);
    // Started as soon as some route compares, so the first copies do not wait for it.
    if (this.wanted) void this.thread.ready();
    for (const [id, s] of this.settings.routes) {
      let state = this.states.get(id);
      if (!state) this.states.set(id, (state = new RouteShadowState(s)));
      state.update(s);
    }
    this.watchExpiry();
  }

  /**
   * Recompiles when the next ignore rule expires, here and in the shadow thread: from then on the
   * difference it hid is counted again, and the log says which rule ended and whose it was.
   */
  private watchExpiry(): void {
    clearTimeout(this.expiryTimer);
    const next = Math.min(
      ...[...this.settings.routes.values()].map((s) => s.nextExpiry ?? Infinity),
    );
    if (!Number.isFinite(next)) return;
    // setTimeout holds at most ~24.8 days; a later expiry is looked at again then.
    const wait = Math.min(Math.max(next - Date.now(), 0) + 5, 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => {
      const before = this.settings;
      this.settings = compileShadow(this.deps.runtime.table);
      for (const [id, s] of this.settings.routes) {
        const was = new Set(before.routes.get(id)?.ignoreRules ?? []);
        for (const v of s.ignoreViews) {
          if (v.expired && was.has(v.rule) && !s.ignoreRules.includes(v.rule)) {
            this.deps.logger.warn(
              { route: id, rule: v.rule, owner: v.owner, reason: v.reason, expires: v.expires },
              'shadow ignore rule expired: its differences count again',
            );
          }
        }
      }
      this.follow();
    }, wait).unref();
  }

  private skip(route: string, reason: SkipReason): void {
    this.states.get(route)?.skip(reason);
    this.metrics.skip(route, reason);
  }

  private full(bytes: number): boolean {
    const g = this.settings.global;
    return this.thread.pending >= g.queue || this.thread.pendingBytes + bytes > g.queueBytes;
  }

  select(r: Parameters<ExchangeHook['select']>[0]): ReturnType<ExchangeHook['select']> {
    const route = r.route;
    if (!route || this.closed) return false;
    const s = this.settings.routes.get(route.id);
    if (!s || !s.enabled) return false;
    const reverse = route.mode === 'canary' && r.servedBy === 'new';
    if (!(route.mode === 'shadow' && r.servedBy === 'legacy') && !(reverse && s.canary))
      return false;
    if (!SAFE.has(r.method) && (reverse || !s.dryRun)) {
      this.skip(route.id, 'method');
      return false;
    }
    if (s.sample < 1 && Math.random() >= s.sample) {
      this.skip(route.id, 'sampled_out');
      return false;
    }
    // A copy to an upstream the shadow thread cannot reach would fail there anyway: counted now,
    // before its bodies are captured and handed over.
    const target = s.route.targets[reverse ? 'legacy' : 'new'].upstream.origin;
    if (target === '') {
      this.skip(route.id, 'no_upstream');
      return false;
    }
    const paused = this.thread.load.paused[target];
    if (paused !== undefined && paused > Date.now()) {
      this.skip(route.id, 'candidate_error');
      return false;
    }
    if (!this.governor.admit()) {
      this.skip(route.id, 'busy');
      return false;
    }
    if (this.full(0)) {
      this.skip(route.id, 'queue_full');
      return false;
    }
    // Read last: the header object is built on first access, and only compared requests need it.
    if (acceptsStream(r.headers.accept)) {
      this.skip(route.id, 'streaming');
      return false;
    }
    return s.selection;
  }

  onExchange(exchange: Exchange): void {
    const id = exchange.route?.id;
    const s = id === undefined ? undefined : this.settings.routes.get(id);
    if (!s || id === undefined || this.closed) return;
    const { request, response } = exchange;
    let reason: SkipReason | undefined;
    if (response.error) reason = 'primary_error';
    else if (
      request.bodyTruncated ||
      response.bodyTruncated ||
      request.bodyBytes > s.maxBodyBytes ||
      response.bodyBytes > s.maxBodyBytes
    ) {
      reason = 'size';
    } else if (!request.bodyComplete) reason = 'incomplete';
    else if (response.headers && isStreaming(response.headers)) reason = 'streaming';
    const bytes = (request.body?.length ?? 0) + (response.body?.length ?? 0);
    if (!reason && this.full(bytes)) reason = 'queue_full';
    if (reason) {
      this.skip(id, reason);
      return;
    }
    this.thread.post({ route: id, servedBy: exchange.servedBy, request, response }, clock());
  }

  /** Applies what the shadow thread found to the route's figures, metrics and store. */
  private apply(route: string, outcome: JobOutcome): void {
    const state = this.states.get(route);
    if (!state) return;
    switch (outcome.kind) {
      case 'skipped':
        this.skip(route, outcome.reason);
        return;
      case 'failed':
        this.skip(route, outcome.reason);
        state.record({ at: Date.now(), ...outcome.sides, outcome: 'failed' });
        return;
      case 'compared': {
        const { match, sides } = outcome;
        state.compared++;
        if (match) {
          state.matched++;
          if (outcome.explainedByNoise) state.explainedByNoise++;
        } else state.mismatched++;
        const m = this.metrics.route(route);
        (match ? (outcome.explainedByNoise ? m.noiseExplained : m.match) : m.mismatch).inc();
        m.matchRate.set(state.matched / state.compared);
        m.legacy.observe(sides.legacyMs / 1000);
        m.candidate.observe(sides.candidateMs / 1000);
        if (outcome.noisePair) this.metrics.noisePairs.labels(route).inc();
        state.record({ at: Date.now(), ...sides, outcome: match ? 'match' : 'mismatch' });
        if (outcome.record) state.keep(outcome.record, this.settings.global.keepMismatches);
        const store = this.deps.store;
        if (store && outcome.stored) {
          store.append(outcome.stored).catch((err: unknown) => {
            this.metrics.storeErrors.inc();
            this.deps.logger.error(
              { err, store: store.description },
              'cannot store a shadow mismatch',
            );
          });
        }
        return;
      }
      default: {
        const never: never = outcome;
        throw new Error(`unknown outcome ${JSON.stringify(never)}`);
      }
    }
  }

  /** Resolves once the shadow thread (if a route compares) is up and listening. */
  ready(): Promise<void> {
    return this.wanted ? this.thread.ready() : Promise.resolve();
  }

  /** Resolves once nothing handed to the shadow thread is unanswered (tests, shutdown). */
  idle(): Promise<void> {
    return this.thread.idle();
  }

  /** The gates' view: figures of the current stage within `windowMs`. */
  figures(
    route: string,
    windowMs: number,
    now = Date.now(),
  ): (WindowFigures & { since: number }) | undefined {
    const state = this.states.get(route);
    if (!state) return undefined;
    const since = Math.max(state.stageSince, now - windowMs);
    return { ...state.window.figures(since), since };
  }

  /**
   * The same over several routes as one (a group's gates): the group's routes switch together, so
   * its stage began when the last of them entered it.
   */
  groupFigures(
    routes: readonly string[],
    windowMs: number,
    now = Date.now(),
  ): (WindowFigures & { since: number }) | undefined {
    const states = routes.flatMap((id) => this.states.get(id) ?? []);
    if (states.length === 0) return undefined;
    const since = Math.max(now - windowMs, ...states.map((s) => s.stageSince));
    return {
      ...SampleWindow.merged(
        states.map((s) => s.window),
        since,
      ),
      since,
    };
  }

  /**
   * The same for reports, which are polled (dashboard, scrapers): each computation walks and sorts
   * up to 20,000 samples on the proxy's event loop, so under traffic (more than a few new samples)
   * a route's figures are recomputed at most once a second.
   */
  cachedFigures(route: string, windowMs: number): WindowFigures & { since: number } {
    const now = Date.now();
    const state = this.states.get(route);
    const stage = state?.stage ?? '';
    const added = state?.window.added ?? 0;
    const hit = this.figureCache.get(route);
    if (
      hit &&
      hit.windowMs === windowMs &&
      hit.stage === stage &&
      now - hit.at < 1000 &&
      (hit.added === added || added - hit.added > 20)
    ) {
      return hit.figures;
    }
    const figures = this.figures(route, windowMs, now) as WindowFigures & { since: number };
    this.figureCache.set(route, { at: now, windowMs, stage, added, figures });
    return figures;
  }

  /** The route table the service follows. */
  runtimeTable(): RouteTable {
    return this.deps.runtime.table;
  }

  routeIds(): string[] {
    return [...this.settings.routes.keys()];
  }

  report(route: string): ShadowRouteReport | undefined {
    const s = this.settings.routes.get(route);
    const state = this.states.get(route);
    if (!s || !state) return undefined;
    const windowMs = s.gates?.window ?? 600_000;
    const w = this.cachedFigures(route, windowMs);
    const noise = state.noise;
    // A grouped route is switched by its group's gates: its report shows theirs.
    const gates =
      this.gateState(route) ??
      (s.route.group === undefined ? undefined : this.gateState(s.route.group));
    return {
      route,
      mode: s.route.mode,
      ...(s.route.percent === undefined ? {} : { percent: s.route.percent }),
      totals: {
        compared: state.compared,
        matched: state.matched,
        mismatched: state.mismatched,
        explainedByNoise: state.explainedByNoise,
        matchRate: state.compared === 0 ? null : state.matched / state.compared,
        skipped: Object.fromEntries(state.skipped),
      },
      window: {
        since: new Date(w.since).toISOString(),
        compared: w.compared,
        matchRate: w.matchRate,
        legacy: w.legacy,
        candidate: w.candidate,
      },
      noise: { pairs: noise.pairs, suggestions: openSuggestions(noise, s).length },
      ...(gates ? { gates } : {}),
    };
  }

  mismatchGroups(
    route: string,
    limit = 50,
  ): { groups: MismatchGroup[]; ungrouped: number } | undefined {
    const state = this.states.get(route);
    return state
      ? { groups: state.groups.list(limit), ungrouped: state.groups.ungrouped }
      : undefined;
  }

  /** The route's comparisons per interval over the last hour, oldest first. */
  timeline(route: string): TimelinePoint[] | undefined {
    return this.states.get(route)?.timeline.list();
  }

  mismatches(route: string, limit = 50): MismatchRecord[] | undefined {
    const state = this.states.get(route);
    return state ? state.mismatches.slice(-limit).reverse() : undefined;
  }

  noise(
    route: string,
  ): (NoiseReport & { ignore: string[]; ignoreRules: IgnoreRuleView[] }) | undefined {
    const state = this.states.get(route);
    const s = this.settings.routes.get(route);
    if (!state || !s) return undefined;
    return {
      ...state.noise,
      suggestions: openSuggestions(state.noise, s),
      ignore: s.ignoreRules,
      ignoreRules: s.ignoreViews,
    };
  }

  queueView(): {
    admitted: number;
    loopUtilization: number;
    depth: number;
    active: number;
    capacity: number;
    bytes: number;
    concurrency: number;
    threadRestarts: number;
  } {
    const g = this.settings.global;
    const load = this.thread.load;
    return {
      admitted: this.governor.ratio,
      loopUtilization: Math.round(load.utilization * 1000) / 1000,
      depth: this.thread.pending - load.active,
      active: load.active,
      capacity: g.queue,
      bytes: this.thread.pendingBytes,
      concurrency: g.concurrency,
      threadRestarts: this.thread.restarts,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.expiryTimer);
    await this.thread.close();
    await this.deps.store?.close();
  }
}

/** The learner's suggestions less those already in force: an accepted one is not suggested again. */
function openSuggestions(noise: NoiseReport, s: RouteShadow): NoiseReport['suggestions'] {
  return noise.suggestions.filter((x) => !s.ignoreRules.includes(x.rule));
}
