import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { DecisionReason, Role } from '../types.js';
import { bucketOf, inCanary } from './bucket.js';
import { verifyOverride, type OverrideResult } from './override.js';
import { readStickyKey } from './sticky.js';
import type { CompiledRoute, RouteTable, Target } from './table.js';

/** Where one request goes, and why. Both the standalone engine and the middleware use it. */
export interface Decision {
  route: CompiledRoute | undefined;
  role: Role;
  target: Target;
  reason: DecisionReason;
  /** A minted sticky cookie to set on the response (`name=value; attributes`). */
  setCookie?: string;
  /** The override header's verdict, when the request carried one on a matched route. */
  override?: OverrideResult;
}

const YEAR_SECONDS = 365 * 24 * 3600;

function canary(
  route: CompiledRoute,
  url: string,
  headers: IncomingHttpHeaders,
  path: string,
): { role: Role; reason: DecisionReason; setCookie?: string } {
  const percent = route.percent ?? 0;
  if (percent <= 0) return { role: 'legacy', reason: 'canary' };
  if (percent >= 100) return { role: 'new', reason: 'canary' };
  let key = readStickyKey(route.sticky, { url, headers }, path, route.pattern);
  let setCookie: string | undefined;
  if (key === undefined) {
    if (!route.sticky.assign) return { role: 'legacy', reason: 'canary-no-key' };
    key = randomBytes(12).toString('base64url');
    setCookie = `${route.sticky.name}=${key}; Path=/; Max-Age=${YEAR_SECONDS}; HttpOnly; SameSite=Lax`;
  }
  const role: Role = inCanary(bucketOf(route.salt, key), percent) ? 'new' : 'legacy';
  return setCookie === undefined
    ? { role, reason: 'canary' }
    : { role, reason: 'canary', setCookie };
}

/** What decide() reads of a request. `headers` is only read when a route needs it. */
export interface RequestFacts {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

/**
 * Picks the route and the side for a request: the first matching route's mode (a signed tester
 * override wins), canary by sticky bucket; unmatched requests go to legacy. `path` is the
 * normalised path (matchPath) and `override` the override header's value, if any.
 */
export function decide(
  table: RouteTable,
  req: RequestFacts,
  path: string,
  override?: string,
): Decision {
  const route = table.match(req.method ?? 'GET', path, req);
  if (route === undefined)
    return { route, role: 'legacy', target: table.fallback, reason: 'unmatched' };
  if (override !== undefined) {
    const verdict = verifyOverride(override, table.settings.overrideSecret);
    if (verdict.ok) {
      return {
        route,
        role: verdict.role,
        target: route.targets[verdict.role],
        reason: 'override',
        override: verdict,
      };
    }
    return { ...byMode(route, req, path), override: verdict };
  }
  return byMode(route, req, path);
}

function byMode(route: CompiledRoute, req: RequestFacts, path: string): Decision {
  switch (route.mode) {
    case 'legacy':
    case 'shadow':
      return { route, role: 'legacy', target: route.targets.legacy, reason: 'mode' };
    case 'new':
      return { route, role: 'new', target: route.targets.new, reason: 'mode' };
    case 'canary': {
      const c = canary(route, req.url ?? '/', req.headers, path);
      return { route, target: route.targets[c.role], ...c };
    }
    default: {
      const _exhaustive: never = route.mode;
      return _exhaustive;
    }
  }
}
