import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RouteTable } from '../routing/table.js';

interface Children {
  duration: { observe(v: number): void };
  byStatus: Map<number, { inc(): void }>;
}

/** Label used for requests no route matched. */
export const UNMATCHED = '_unmatched';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The proxy's Prometheus metrics, in a registry of its own so several proxies can share a process. */
export class ProxyMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'upstream' | 'status'>;
  readonly duration: Histogram<'route' | 'upstream'>;
  readonly upstreamErrors: Counter<'route' | 'upstream' | 'kind'>;
  readonly overrides: Counter<'result'>;
  readonly reloads: Counter<'result'>;
  readonly configValid: Gauge;
  readonly switches: Counter<'target' | 'mode' | 'source'>;
  readonly inFlight: Gauge;
  readonly writesHeld: Counter<'group'>;
  readonly writesRefused: Counter<'group'>;
  readonly clientErrors: Counter<'kind'>;
  readonly controlPlaneUp: Gauge;
  readonly bodiesTooLarge: Counter<'route'>;
  readonly routeMode: Gauge<'route' | 'mode'>;
  readonly routePercent: Gauge<'route'>;
  readonly hookErrors: Counter;
  // prom-client hashes label values on every call; the hot path reuses children instead, found
  // through nested maps so that no key string is built per request.
  private readonly children = new Map<string, Map<string, Children>>();
  /** Read at scrape time by the in-flight gauge (a counter kept by the server, not per request). */
  inFlightSource: () => number = () => 0;

  constructor(registry?: Registry) {
    this.registry = registry ?? new Registry();
    if (!registry) collectDefaultMetrics({ register: this.registry, prefix: 'strangler_proxy_' });
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'strangler_proxy_requests_total',
      help: 'Requests by route, upstream and response status (499: the client left first).',
      labelNames: ['route', 'upstream', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'strangler_proxy_request_duration_seconds',
      help: 'Time from receiving a request to the end of its response, by route and upstream.',
      labelNames: ['route', 'upstream'],
      buckets: BUCKETS,
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'strangler_proxy_upstream_errors_total',
      help: 'Forwarding failures by kind: unreachable, connect_timeout, timeout, reset, idle_timeout.',
      labelNames: ['route', 'upstream', 'kind'],
      registers,
    });
    this.overrides = new Counter({
      name: 'strangler_proxy_override_total',
      help: 'Tester override headers: accepted, or why ignored (unsigned, bad_signature, expired, unknown_target, no_secret).',
      labelNames: ['result'],
      registers,
    });
    this.reloads = new Counter({
      name: 'strangler_proxy_config_reloads_total',
      help: 'Config loads by result (ok, invalid).',
      labelNames: ['result'],
      registers,
    });
    this.configValid = new Gauge({
      name: 'strangler_proxy_config_last_reload_ok',
      help: '1 when the last config load succeeded, 0 when the file on disk is invalid.',
      registers,
    });
    this.switches = new Counter({
      name: 'strangler_proxy_switches_total',
      help: 'Route and group switches applied, by target, new mode and source.',
      labelNames: ['target', 'mode', 'source'],
      registers,
    });
    this.writesHeld = new Counter({
      name: 'strangler_proxy_writes_held_total',
      help: 'Writes to a write group held while the group moved between legacy and new.',
      labelNames: ['group'],
      registers,
    });
    this.writesRefused = new Counter({
      name: 'strangler_proxy_writes_refused_total',
      help: 'Held writes answered 503 (Retry-After) because the hold ran out.',
      labelNames: ['group'],
      registers,
    });
    this.controlPlaneUp = new Gauge({
      name: 'strangler_proxy_control_plane_up',
      help: '1 while the shared control plane answers, 0 while this replica serves its last table without it (only with --control-db).',
      registers,
    });
    this.clientErrors = new Counter({
      name: 'strangler_proxy_client_errors_total',
      help: 'Requests refused before routing: header_too_large (431), timeout (408, slow clients), malformed (400).',
      labelNames: ['kind'],
      registers,
    });
    this.bodiesTooLarge = new Counter({
      name: 'strangler_proxy_bodies_too_large_total',
      help: 'Requests answered 413 because their body passed limits.maxBodyBytes.',
      labelNames: ['route'],
      registers,
    });
    const source = () => this.inFlightSource();
    this.inFlight = new Gauge({
      name: 'strangler_proxy_in_flight_requests',
      help: 'Requests being forwarded right now.',
      registers,
      collect() {
        this.set(source());
      },
    });
    this.routeMode = new Gauge({
      name: 'strangler_proxy_route_mode',
      help: '1 for the current mode of each route.',
      labelNames: ['route', 'mode'],
      registers,
    });
    this.routePercent = new Gauge({
      name: 'strangler_proxy_route_canary_percent',
      help: 'Canary percent of each route (0 unless in canary mode).',
      labelNames: ['route'],
      registers,
    });
    this.hookErrors = new Counter({
      name: 'strangler_proxy_exchange_hook_errors_total',
      help: 'Exceptions thrown by the exchange hook (they never reach the client).',
      registers,
    });
  }

  /** Counts one finished request. */
  record(route: string, upstream: string, status: number, seconds: number): void {
    let byUpstream = this.children.get(route);
    if (!byUpstream) this.children.set(route, (byUpstream = new Map()));
    let c = byUpstream.get(upstream);
    if (!c)
      byUpstream.set(
        upstream,
        (c = { duration: this.duration.labels(route, upstream), byStatus: new Map() }),
      );
    let counter = c.byStatus.get(status);
    if (!counter)
      c.byStatus.set(status, (counter = this.requests.labels(route, upstream, String(status))));
    counter.inc();
    c.duration.observe(seconds);
  }

  /** Publishes each route's mode and percent after a table swap. */
  describeTable(table: RouteTable): void {
    this.routeMode.reset();
    this.routePercent.reset();
    for (const route of table.routes) {
      this.routeMode.labels(route.id, route.mode).set(1);
      this.routePercent.labels(route.id).set(route.mode === 'canary' ? (route.percent ?? 0) : 0);
    }
  }
}
