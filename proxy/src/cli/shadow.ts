import { parseDuration } from '../config/duration.js';
import { readStore } from '../shadow/store/jsonl.js';
import { readPostgresStore } from '../shadow/store/postgres.js';
import { replayMismatches } from '../shadow/replay.js';
import type { IgnoreRuleView, MismatchRecord, NoiseReport, ShadowRouteReport } from '../types.js';
import { AdminClient } from './admin-client.js';
import { UsageError, type Flags } from './flags.js';
import { formatShadow } from './format-shadow.js';

function headerFlags(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of values ?? []) {
    const i = h.indexOf(':');
    if (i <= 0)
      throw new UsageError(`--header must look like "name: value" (got ${JSON.stringify(h)})`);
    out[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  return out;
}

function adminClient(flags: Flags, env: NodeJS.ProcessEnv): AdminClient {
  const url =
    flags['admin-url'] ??
    env.STRANGLER_ADMIN_URL ??
    `http://127.0.0.1:${env.STRANGLER_ADMIN_PORT ?? 8081}`;
  return new AdminClient(url, flags.token ?? env.STRANGLER_ADMIN_TOKEN);
}

async function replay(
  flags: Flags,
  env: NodeJS.ProcessEnv,
  out: (s: string) => void,
): Promise<number> {
  const store = flags.store ?? env.STRANGLER_SHADOW_STORE;
  const candidate = flags.candidate ?? env.STRANGLER_REPLAY_CANDIDATE;
  if (!store || !candidate)
    throw new UsageError(
      'usage: shadow replay --store FILE|URL --candidate URL [--route ID] [--limit N] [--header "name: value"]',
    );
  try {
    new URL(candidate);
  } catch {
    throw new UsageError(`--candidate must be a URL (got ${candidate})`);
  }
  let timeoutMs: number | undefined;
  try {
    timeoutMs = flags.timeout ? parseDuration(flags.timeout) : undefined;
  } catch (err) {
    throw new UsageError(`--timeout: ${(err as Error).message}`);
  }
  const limit = flags.limit === undefined ? undefined : Number(flags.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new UsageError('--limit must be a positive integer');
  // A postgres:// URL reads the table several proxies share (shadow.store.postgres); anything
  // else is a JSON lines file (shadow.store.file).
  const { records, skipped } = /^postgres(ql)?:\/\//.test(store)
    ? await readPostgresStore(store, flags.table ?? 'strangler_shadow_mismatches')
    : await readStore(store);
  const results = await replayMismatches(records, {
    candidate,
    ...(flags.route ? { route: flags.route } : {}),
    ...(limit === undefined ? {} : { limit }),
    headers: headerFlags(flags.header),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  const count = (o: string) => results.filter((r) => r.outcome === o).length;
  if (flags.json) {
    out(
      JSON.stringify(
        {
          matched: count('match'),
          mismatched: count('mismatch'),
          errors: count('error'),
          unreadableLines: skipped,
          results: results.map((r) => ({
            route: r.record.route,
            method: r.record.request.method,
            url: r.record.request.url,
            requestId: r.record.request.requestId,
            recordedAt: r.record.at,
            outcome: r.outcome,
            status: r.status,
            diff: r.diff,
          })),
        },
        null,
        2,
      ),
    );
  } else {
    for (const r of results) {
      const head = `${r.outcome === 'match' ? 'MATCH   ' : r.outcome === 'mismatch' ? 'MISMATCH' : 'ERROR   '} ${r.record.route} ${r.record.request.method} ${r.record.request.url} (recorded ${r.record.at})`;
      out(r.outcome === 'match' ? head : `${head}\n${r.text.replace(/^/gm, '    ')}`);
    }
    out(
      `\n${results.length} replayed against ${candidate}: ${count('match')} now match, ${count('mismatch')} still differ, ${count('error')} failed${skipped ? `; ${skipped} unreadable lines skipped` : ''}`,
    );
  }
  return results.length > 0 && count('match') === results.length ? 0 : 1;
}

/** `strangler-proxy shadow report|mismatches|noise|replay`; returns the exit code. */
export async function shadowCommand(
  args: string[],
  flags: Flags,
  env: NodeJS.ProcessEnv,
  out: (s: string) => void,
): Promise<number> {
  const [action, route] = args;
  switch (action) {
    case 'replay':
      return replay(flags, env, out);
    case 'report': {
      const admin = adminClient(flags, env);
      const path = route ? `/shadow/${encodeURIComponent(route)}` : '/shadow';
      const { body } = await admin.call<ShadowRouteReport | { routes: ShadowRouteReport[] }>(
        'GET',
        path,
      );
      const reports = 'routes' in body ? body.routes : [body];
      out(flags.json ? JSON.stringify(body, null, 2) : formatShadow(reports));
      return 0;
    }
    case 'mismatches':
    case 'noise': {
      if (!route) throw new UsageError(`usage: shadow ${action} ROUTE`);
      const admin = adminClient(flags, env);
      const { body } = await admin.call<{ mismatches?: MismatchRecord[] } & Partial<NoiseReport>>(
        'GET',
        `/shadow/${encodeURIComponent(route)}/${action}${action === 'mismatches' ? `?limit=${Number(flags.limit ?? 10) || 10}` : ''}`,
      );
      if (flags.json) out(JSON.stringify(body, null, 2));
      else if (action === 'mismatches') {
        for (const m of body.mismatches ?? []) {
          out(
            `${m.at} ${m.request.method} ${m.request.url} legacy ${m.legacy.status} new ${m.candidate.status} (request ${m.request.requestId})\n${m.text.replace(/^/gm, '    ')}`,
          );
        }
      } else {
        const n = body as NoiseReport & { ignoreRules?: IgnoreRuleView[] };
        out(
          `${n.pairs} legacy pairs, ${n.mismatches} mismatches before noise; all suggestions together hide ${n.hidesTogether}`,
        );
        for (const s of n.suggestions)
          out(
            `  ${s.rule}  noise ${(s.noiseRate * 100).toFixed(1)}%, in ${s.inMismatches} mismatches, hides ${s.hidesAlone} alone`,
          );
        const rules = n.ignoreRules ?? [];
        out(rules.length === 0 ? 'ignore rules: none' : 'ignore rules:');
        for (const r of rules) {
          const who = r.owner ? `  owner ${r.owner}: ${r.reason}` : '';
          const until = r.expires ? `  ${r.expired ? 'expired' : 'until'} ${r.expires}` : '';
          out(`  ${r.rule}${who}${until}`);
        }
      }
      return 0;
    }
    default:
      throw new UsageError(
        'usage: shadow report [ROUTE] | mismatches ROUTE | noise ROUTE | replay --store FILE --candidate URL',
      );
  }
}
