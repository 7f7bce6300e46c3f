import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ProxyRuntime } from '../runtime/runtime.js';
import type {
  Exchange,
  ExchangeHook,
  GateState,
  MismatchRecord,
  NoiseReport,
  ShadowRouteReport,
  SkipReason,
} from '../types.js';
import { acceptsStream, isStreaming } from './compare/body-kind.js';
import { LoadGovernor } from './governor.js';
import { ShadowMetrics } from './metrics.js';
import { RouteShadowState } from './route-state.js';
import { runJob, type Job } from './job.js';
import { ShadowSender } from './sender.js';
import { compileShadow, type ShadowSettings } from './settings.js';
import type { MismatchStore } from './store/record.js';
import type { WindowFigures } from './window.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ShadowServiceDeps {
  runtime: ProxyRuntime;
  registry: Registry;
  logger: Logger;
  store?: MismatchStore;
}

/**
 * Shadow comparison as an exchange hook. `select` (hot path) only decides, counts and caps;
 * `onExchange` runs after the client's answer was sent and queues a job; jobs send the copy
 * through pools of their own, compare, and record. A full queue drops (counted), a slow or dead
 * shadow side times out (counted): nothing here can hold the client's response.
 */
export class ShadowService implements ExchangeHook {
  private settings: ShadowSettings;
  private readonly states = new Map<string, RouteShadowState>();
  private readonly queue: Job[] = [];
  private queuedBytes = 0;
  private active = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
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
  readonly sender: ShadowSender;
  readonly governor: LoadGovernor;
  /** True when some route is in a mode that compares: otherwise the hook is not even consulted. */
  wanted = false;
  /** Gate states by route, filled by the gate runner. */
  gateState: (route: string) => GateState | undefined = () => undefined;

  constructor(private readonly deps: ShadowServiceDeps) {
    this.settings = compileShadow(deps.runtime.table);
    this.sender = new ShadowSender(this.settings.global.concurrency);
    this.governor = new LoadGovernor(this.settings.global.maxLoopUtilization);
    this.metrics = new ShadowMetrics(deps.registry, () => this.queue.length + this.active);
    this.follow();
    deps.runtime.onSwap(() => {
      this.settings = compileShadow(deps.runtime.table);
      this.sender.resize(this.settings.global.concurrency);
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
    this.governor.run(this.wanted);
    for (const [id, s] of this.settings.routes) {
      let state = this.states.get(id);
      if (!state) this.states.set(id, (state = new RouteShadowState(s)));
      state.update(s);
    }
  }

  private skip(route: string, reason: SkipReason): void {
    this.states.get(route)?.skip(reason);
    this.metrics.skip(route, reason);
  }

  private full(bytes: number): boolean {
    const g = this.settings.global;
    return this.queue.length >= g.queue || this.queuedBytes + bytes > g.queueBytes;
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
    this.queue.push({ exchange, settings: s, bytes, queuedAt: performance.now() });
    this.queuedBytes += bytes;
    this.pump();
  }

  private pump(): void {
    while (this.active < this.settings.global.concurrency && this.queue.length > 0) {
      const job = this.queue.shift() as Job;
      this.queuedBytes -= job.bytes;
      // A copy that waited out its timeout behind a slow candidate would compare against data
      // that has moved on since the client's answer: dropped unsent, so it is no false mismatch.
      if (performance.now() - job.queuedAt >= job.settings.timeoutMs) {
        this.skip(job.settings.route.id, 'timeout');
        continue;
      }
      this.active++;
      const state = this.states.get(job.settings.route.id) as RouteShadowState;
      runJob(job, state, {
        sender: this.sender,
        metrics: this.metrics,
        global: this.settings.global,
        requestIdHeader: this.settings.requestIdHeader,
        logger: this.deps.logger,
        ...(this.deps.store ? { store: this.deps.store } : {}),
        skip: (reason) => this.skip(job.settings.route.id, reason),
      })
        .catch((err: unknown) =>
          this.deps.logger.error({ err, route: job.settings.route.id }, 'shadow comparison failed'),
        )
        .finally(() => {
          this.active--;
          // A later turn: a burst of finished jobs never runs the next ones inside one tick.
          setImmediate(() => this.pump());
        });
    }
    if (this.active === 0 && this.queue.length === 0)
      for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves once nothing is queued or in flight (tests, shutdown). */
  idle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
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
   * The same for reports, which are polled (dashboard, scrapers): each computation walks and sorts
   * up to 20,000 samples on the proxy's event loop, so under traffic (more than a few new samples)
   * a route's figures are recomputed at most once a second.
   */
  private cachedFigures(route: string, windowMs: number): WindowFigures & { since: number } {
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

  routeIds(): string[] {
    return [...this.settings.routes.keys()];
  }

  report(route: string): ShadowRouteReport | undefined {
    const s = this.settings.routes.get(route);
    const state = this.states.get(route);
    if (!s || !state) return undefined;
    const windowMs = s.gates?.window ?? 600_000;
    const w = this.cachedFigures(route, windowMs);
    const noise = state.noise.report();
    const gates = this.gateState(route);
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
      noise: { pairs: noise.pairs, suggestions: noise.suggestions.length },
      ...(gates ? { gates } : {}),
    };
  }

  mismatches(route: string, limit = 50): MismatchRecord[] | undefined {
    const state = this.states.get(route);
    return state ? state.mismatches.slice(-limit).reverse() : undefined;
  }

  noise(route: string): (NoiseReport & { ignore: string[] }) | undefined {
    const state = this.states.get(route);
    const s = this.settings.routes.get(route);
    return state && s ? { ...state.noise.report(), ignore: s.ignoreRules } : undefined;
  }

  queueView(): {
    admitted: number;
    loopUtilization: number;
    depth: number;
    active: number;
    capacity: number;
    bytes: number;
    concurrency: number;
  } {
    const g = this.settings.global;
    return {
      admitted: this.governor.ratio,
      loopUtilization: Math.round(this.governor.utilization * 1000) / 1000,
      depth: this.queue.length,
      active: this.active,
      capacity: g.queue,
      bytes: this.queuedBytes,
      concurrency: g.concurrency,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.governor.stop();
    for (const job of this.queue.splice(0)) this.skip(job.settings.route.id, 'queue_full');
    this.queuedBytes = 0;
    await this.sender.close();
    await this.idle();
    await this.deps.store?.close();
  }
}
