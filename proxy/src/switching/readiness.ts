import type { Logger } from 'pino';
import type { CompiledRoute, RouteTable, UpstreamSpec } from '../routing/table.js';
import { ProxyError } from '../errors.js';
import type { SwitchGuard } from '../types.js';

/** Percentage of a route's clients that new serves in a mode. */
function shareOfNew(mode: string, percent: number | undefined): number {
  return mode === 'new' ? 100 : mode === 'canary' ? (percent ?? 0) : 0;
}

/** RFC 6901: `/a/b~1c` reads `value.a["b/c"]`. */
function pointerValue(value: unknown, pointer: string): unknown {
  let at = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/**
 * Asks an upstream's readiness endpoint; resolves to undefined when it is ready, or to a
 * sentence naming the URL and what was wrong.
 */
export async function notReady(upstream: UpstreamSpec): Promise<string | undefined> {
  const r = upstream.readiness;
  if (!r) return undefined;
  const where = `upstream "${upstream.name}" is not ready (GET ${r.url}`;
  let res: Response;
  try {
    res = await fetch(r.url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(r.timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${r.timeoutMs} ms`
        : (e.cause?.code ?? e.message);
    return `${where}: ${why})`;
  }
  const text = await res.text().catch(() => '');
  if (res.status < 200 || res.status > 299) return `${where}: status ${res.status})`;
  if (!r.require) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `${where}: the answer is not JSON, so ${r.require} cannot be read)`;
  }
  const value = pointerValue(body, r.require);
  if (value !== true)
    return `${where}: ${r.require} is ${JSON.stringify(value) ?? 'missing'}, not true)`;
  return undefined;
}

/** The first not-ready reason among the new-side upstreams of `routes`, each asked once. */
export async function firstNotReady(routes: readonly CompiledRoute[]): Promise<string | undefined> {
  const seen = new Set<string>();
  for (const route of routes) {
    const upstream = route.targets.new.upstream;
    if (!upstream.readiness || seen.has(upstream.name)) continue;
    seen.add(upstream.name);
    const reason = await notReady(upstream);
    if (reason) return reason;
  }
  return undefined;
}

/**
 * Routes of `next` that would start sending clients to new, or more of them, compared with
 * `previous`: entering canary or new, a higher canary percentage, or another new upstream.
 */
export function routesGainingNew(previous: RouteTable, next: RouteTable): CompiledRoute[] {
  const before = new Map(previous.routes.map((r) => [r.id, r]));
  return next.routes.filter((r) => {
    const share = shareOfNew(r.mode, r.percent);
    if (share === 0) return false;
    const old = before.get(r.id);
    if (!old || old.targets.new.upstream.name !== r.targets.new.upstream.name) return true;
    return share > shareOfNew(old.mode, old.percent);
  });
}

/**
 * The built-in switch guard: a switch to canary or new waits for a ready answer from each new
 * upstream that declares `readiness`. Rollbacks (legacy, shadow) are never asked about.
 */
export function readinessGuard(table: () => RouteTable, logger: Logger): SwitchGuard {
  return async (request, { routes, from, check }) => {
    // Only a switch sending more clients to new is asked about: a rollback never waits.
    const to = shareOfNew(request.mode, request.percent ?? from.percent);
    if (to <= shareOfNew(from.mode, from.percent)) return undefined;
    const current = table();
    const affected = current.routes.filter((r) => routes.includes(r.id));
    const reason = await firstNotReady(affected);
    if (reason && !check)
      logger.warn({ target: request.target, mode: request.mode, reason }, 'switch refused');
    return reason;
  };
}

/**
 * The same for file edits: an edited table that would send more clients to a not-ready upstream
 * is rejected like an invalid file, so the running table stays and the reload status says why.
 */
export function readinessOnReload() {
  return async (previous: RouteTable, next: RouteTable): Promise<void> => {
    const gaining = routesGainingNew(previous, next);
    const reason = await firstNotReady(gaining);
    if (!reason) return;
    const ids = gaining.map((r) => r.id).join(', ');
    const file = next.loaded.file;
    throw new ProxyError(
      'switch_denied',
      `${file ?? 'config'}: not switching ${ids} towards new: ${reason}`,
      {
        retriable: true,
        issues: gaining.map((r) => ({
          ...(file ? { file } : {}),
          route: r.id,
          field: 'mode',
          message: `kept as before: ${reason}`,
        })),
      },
    );
  };
}
