import type { IncomingHttpHeaders } from 'node:http';
import type { LoadedConfig } from '../config/load.js';
import type { Mode, ProxyConfig, Role } from '../types.js';
import { compileHeaderTests, type HeaderTest } from './headers-match.js';
import { compilePattern, type PathPattern } from './pattern.js';
import { stickySource, type StickySource } from './sticky.js';
import { resolveUpstream, type UpstreamSpec } from './upstreams.js';

export type { UpstreamSpec } from './upstreams.js';

/** Where one side of a route sends, with the timeouts that apply. */
export interface Target {
  role: Role;
  upstream: UpstreamSpec;
  responseTimeout: number;
  idleTimeout: number;
}

export interface CompiledRoute {
  id: string;
  description?: string;
  group?: string;
  mode: Mode;
  percent?: number;
  sticky: StickySource;
  /** Canary buckets are computed within this id: the group's, so a group moves as one. */
  salt: string;
  pattern: PathPattern;
  methods: ReadonlySet<string> | null;
  headers: readonly HeaderTest[] | null;
  targets: { legacy: Target; new: Target };
  config: ProxyConfig['routes'][number];
}

export interface GroupState {
  id: string;
  description?: string;
  mode: Mode;
  percent?: number;
  sticky: StickySource;
  routes: string[];
  /** Set for a group whose routes write one aggregate: its writer changes behind a barrier. */
  writes?: NonNullable<ProxyConfig['groups'][number]['writes']>;
  /** Automatic switches of the group, on the comparisons of all its routes. */
  gates?: NonNullable<ProxyConfig['groups'][number]['gates']>;
}

export interface TableSettings {
  servedByHeader: string | false;
  requestIdHeader: string;
  trustForwardedHeaders: boolean;
  overrideHeader: string;
  overrideSecret?: string;
  accessLog: boolean;
  shutdownTimeout: number;
  /** Largest request body forwarded (0: no limit). */
  maxBodyBytes: number;
}

/** An immutable snapshot of the routing: a reload or switch builds a new one and swaps it whole. */
export interface RouteTable {
  version: string;
  loadedAt: Date;
  loaded: LoadedConfig;
  routes: readonly CompiledRoute[];
  byId: ReadonlyMap<string, CompiledRoute>;
  groups: ReadonlyMap<string, GroupState>;
  upstreams: ReadonlyMap<string, UpstreamSpec>;
  /** Where unmatched requests go. */
  fallback: Target;
  settings: TableSettings;
  /** First route matching the request, in file order (headers read only if a route tests them). */
  match(
    method: string,
    path: string,
    req: { readonly headers: IncomingHttpHeaders },
  ): CompiledRoute | undefined;
}

function withMethods(methods: string[] | undefined): ReadonlySet<string> | null {
  if (!methods) return null;
  const set = new Set(methods.map((m) => m.toUpperCase()));
  // A HEAD is a GET without the body: it belongs wherever GET goes.
  if (set.has('GET')) set.add('HEAD');
  return set;
}

/** Compiles a validated config into a route table. */
export function compileTable(loaded: LoadedConfig): RouteTable {
  const config = loaded.config;
  const upstreams = new Map<string, UpstreamSpec>();
  const upstream = (name: string) => {
    let spec = upstreams.get(name);
    if (!spec) upstreams.set(name, (spec = resolveUpstream(name, config)));
    return spec;
  };
  for (const name of Object.keys(config.upstreams)) upstream(name);
  const target = (
    role: Role,
    spec: UpstreamSpec,
    route?: ProxyConfig['routes'][number],
  ): Target => ({
    role,
    upstream: spec,
    responseTimeout: route?.timeouts?.response ?? spec.responseTimeout,
    idleTimeout: route?.timeouts?.idle ?? spec.idleTimeout,
  });
  const groups = new Map<string, GroupState>();
  for (const g of config.groups) {
    groups.set(g.id, {
      id: g.id,
      ...(g.description === undefined ? {} : { description: g.description }),
      mode: g.mode,
      ...(g.percent === undefined ? {} : { percent: g.percent }),
      sticky: stickySource(g.sticky ?? config.sticky),
      routes: [],
      ...(g.writes ? { writes: g.writes } : {}),
      ...(g.gates ? { gates: g.gates } : {}),
    });
  }
  const routes = config.routes.map((r): CompiledRoute => {
    const group = r.group === undefined ? undefined : groups.get(r.group);
    group?.routes.push(r.id);
    const names = r.upstreams ?? { legacy: 'legacy', new: 'new' };
    const percent = group ? group.percent : r.percent;
    return {
      id: r.id,
      ...(r.description === undefined ? {} : { description: r.description }),
      ...(group ? { group: group.id } : {}),
      mode: group?.mode ?? r.mode ?? 'legacy',
      ...(percent === undefined ? {} : { percent }),
      sticky: group?.sticky ?? stickySource(r.sticky ?? config.sticky),
      salt: group?.id ?? r.id,
      pattern: compilePattern(r.match.path),
      methods: withMethods(r.match.methods),
      headers: compileHeaderTests(r.match.headers),
      targets: {
        legacy: target('legacy', upstream(names.legacy), r),
        new: target('new', upstream(names.new), r),
      },
      config: r,
    };
  });
  const byId = new Map(routes.map((r) => [r.id, r]));
  return {
    version: loaded.version,
    loadedAt: new Date(),
    loaded,
    routes,
    byId,
    groups,
    upstreams,
    fallback: target('legacy', upstream('legacy')),
    settings: {
      servedByHeader: config.servedByHeader,
      requestIdHeader: config.requestIdHeader.toLowerCase(),
      trustForwardedHeaders: config.trustForwardedHeaders,
      overrideHeader: config.override.header.toLowerCase(),
      ...(config.override.secret ? { overrideSecret: config.override.secret } : {}),
      accessLog: config.accessLog,
      shutdownTimeout: config.timeouts.shutdown,
      maxBodyBytes: config.limits.maxBodyBytes,
    },
    match(method, path, req) {
      for (const route of routes) {
        if (route.methods !== null && !route.methods.has(method)) continue;
        if (!route.pattern.test(path)) continue;
        if (route.headers !== null && !route.headers.every((test) => test(req.headers))) continue;
        return route;
      }
      return undefined;
    },
  };
}
