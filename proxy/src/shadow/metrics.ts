import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { explainSkips, SKIP_REASONS } from './skip-reasons.js';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface RouteChildren {
  match: { inc(): void };
  noiseExplained: { inc(): void };
  mismatch: { inc(): void };
  legacy: { observe(v: number): void };
  candidate: { observe(v: number): void };
  matchRate: { set(v: number): void };
}

/** Prometheus metrics of shadow comparison and gates. */
export class ShadowMetrics {
  readonly comparisons: Counter<'route' | 'outcome'>;
  readonly skipped: Counter<'route' | 'reason'>;
  readonly duration: Histogram<'route' | 'side'>;
  readonly noisePairs: Counter<'route'>;
  readonly matchRate: Gauge<'route'>;
  readonly queueDepth: Gauge;
  readonly gateSwitches: Counter<'route' | 'action' | 'mode'>;
  readonly storeErrors: Counter;

  // prom-client hashes label values on every call: each route's children are looked up once.
  private readonly children = new Map<string, RouteChildren>();
  private readonly skips = new Map<string, Map<string, { inc(): void }>>();

  /** The metric children of one route. */
  route(route: string): RouteChildren {
    let c = this.children.get(route);
    if (!c) {
      c = {
        match: this.comparisons.labels(route, 'match'),
        noiseExplained: this.comparisons.labels(route, 'noise_explained'),
        mismatch: this.comparisons.labels(route, 'mismatch'),
        legacy: this.duration.labels(route, 'legacy'),
        candidate: this.duration.labels(route, 'new'),
        matchRate: this.matchRate.labels(route),
      };
      this.children.set(route, c);
    }
    return c;
  }

  skip(route: string, reason: string): void {
    let byReason = this.skips.get(route);
    if (!byReason) this.skips.set(route, (byReason = new Map()));
    let c = byReason.get(reason);
    if (!c) byReason.set(reason, (c = this.skipped.labels(route, reason)));
    c.inc();
  }

  constructor(registry: Registry, depth: () => number) {
    const registers = [registry];
    this.comparisons = new Counter({
      name: 'strangler_proxy_shadow_comparisons_total',
      help: 'Comparisons made, by route and outcome (match, mismatch; noise_explained is a match learned noise explained).',
      labelNames: ['route', 'outcome'],
      registers,
    });
    this.skipped = new Counter({
      name: 'strangler_proxy_shadow_skipped_total',
      help: `Comparisons not made, by route and reason. ${explainSkips(Object.keys(SKIP_REASONS)).join(' ')}`,
      labelNames: ['route', 'reason'],
      registers,
    });
    this.duration = new Histogram({
      name: 'strangler_proxy_shadow_duration_seconds',
      help: 'Answer time of each side of compared requests (side = legacy or new).',
      labelNames: ['route', 'side'],
      buckets: BUCKETS,
      registers,
    });
    this.noisePairs = new Counter({
      name: 'strangler_proxy_shadow_noise_pairs_total',
      help: 'Requests sent to legacy a second time to learn noise.',
      labelNames: ['route'],
      registers,
    });
    this.matchRate = new Gauge({
      name: 'strangler_proxy_shadow_match_rate',
      help: 'Match rate (0-1) of each route since the proxy started.',
      labelNames: ['route'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'strangler_proxy_shadow_queue_depth',
      help: 'Shadow comparisons waiting or in flight.',
      registers,
      collect() {
        this.set(depth());
      },
    });
    this.gateSwitches = new Counter({
      name: 'strangler_proxy_gate_switches_total',
      help: 'Automatic switches made by the gates, by route, action (promote, rollback) and new mode.',
      labelNames: ['route', 'action', 'mode'],
      registers,
    });
    this.storeErrors = new Counter({
      name: 'strangler_proxy_shadow_store_errors_total',
      help: 'Mismatches that could not be written to the store.',
      registers,
    });
  }
}
