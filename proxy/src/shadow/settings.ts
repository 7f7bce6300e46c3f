import { routeShadowSchema } from '../config/shadow-schema.js';
import type { CompiledRoute, RouteTable } from '../routing/table.js';
import type { ProxyConfig } from '../types.js';
import { compileNormalizers, type Normalizers } from './compare/normalize.js';
import { compileRules, type LocationTest } from './compare/pointer.js';
import { nextExpiry, viewRules, type IgnoreRuleView } from './ignore-rules.js';

export type GatesConfig = NonNullable<ProxyConfig['routes'][number]['gates']>;
export type ShadowGlobal = ProxyConfig['shadow'];

/** A route's comparison settings with every default resolved and rules compiled. */
export interface RouteShadow {
  route: CompiledRoute;
  enabled: boolean;
  sample: number;
  compareHeaders: string[];
  /** The ignore rules that apply now (expired ones left out). */
  ignoreRules: string[];
  /** Every ignore rule with its owner, reason, expiry and whether it has expired. */
  ignoreViews: IgnoreRuleView[];
  /** When the next of this route's ignore rules expires (epoch ms). */
  nextExpiry?: number;
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

/**
 * Compiles every route's shadow settings; rebuilt on each table swap and when an ignore rule
 * expires (rules are compiled as they stand at `now`).
 */
export function compileShadow(table: RouteTable, now = Date.now()): ShadowSettings {
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
    const views = viewRules(s.ignore, now);
    const active = views.filter((v) => !v.expired).map((v) => v.rule);
    const expiry = nextExpiry(s.ignore, now);
    routes.set(route.id, {
      route,
      enabled: s.enabled,
      sample: s.sample,
      compareHeaders: (s.compareHeaders ?? global.compareHeaders).map((h) => h.toLowerCase()),
      ignoreRules: active,
      ignoreViews: views,
      ...(expiry === undefined ? {} : { nextExpiry: expiry }),
      ignore: compileRules(active),
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
