import { routeShadowSchema } from '../config/shadow-schema.js';
import type { CompiledRoute, RouteTable } from '../routing/table.js';
import type { ProxyConfig } from '../types.js';
import { compileNormalizers, type Normalizers } from './compare/normalize.js';
import { compileRules, type LocationTest } from './compare/pointer.js';

export type GatesConfig = NonNullable<ProxyConfig['routes'][number]['gates']>;
export type ShadowGlobal = ProxyConfig['shadow'];

/** A route's comparison settings with every default resolved and rules compiled. */
export interface RouteShadow {
  route: CompiledRoute;
  enabled: boolean;
  sample: number;
  compareHeaders: string[];
  ignoreRules: string[];
  ignore: LocationTest;
  normalizers: Normalizers;
  noise: { enabled: boolean; sample: number; warmup: number; margin: number };
  dryRun: boolean;
  canary: boolean;
  timeoutMs: number;
  maxBodyBytes: number;
  /** What `select` answers for this route (one object, not one per request). */
  selection: { requestBodyBytes: number; responseBodyBytes: number };
  gates?: GatesConfig;
}

export interface ShadowSettings {
  global: ShadowGlobal;
  requestIdHeader: string;
  routes: ReadonlyMap<string, RouteShadow>;
}

const DEFAULTS = routeShadowSchema.parse({});

/** Compiles every route's shadow settings; rebuilt on each table swap. */
export function compileShadow(table: RouteTable): ShadowSettings {
  const global = table.loaded.config.shadow;
  const routes = new Map<string, RouteShadow>();
  for (const route of table.routes) {
    const s = route.config.shadow ?? DEFAULTS;
    const noise =
      s.learnNoise === false
        ? { enabled: false, sample: 0, warmup: 0, margin: 0.2 }
        : s.learnNoise === true
          ? { enabled: true, sample: 0.1, warmup: 20, margin: 0.2 }
          : { enabled: true, ...s.learnNoise };
    routes.set(route.id, {
      route,
      enabled: s.enabled,
      sample: s.sample,
      compareHeaders: (s.compareHeaders ?? global.compareHeaders).map((h) => h.toLowerCase()),
      ignoreRules: s.ignore,
      ignore: compileRules(s.ignore),
      normalizers: compileNormalizers(s.normalize),
      noise,
      dryRun: s.dryRun,
      canary: s.canary,
      timeoutMs: s.timeout ?? global.timeout,
      maxBodyBytes: s.maxBodyBytes ?? global.maxBodyBytes,
      selection: Object.freeze({
        requestBodyBytes: s.maxBodyBytes ?? global.maxBodyBytes,
        responseBodyBytes: s.maxBodyBytes ?? global.maxBodyBytes,
      }),
      ...(route.config.gates ? { gates: route.config.gates } : {}),
    });
  }
  return { global, requestIdHeader: table.settings.requestIdHeader, routes };
}
