import { compareAnswers } from './compare/compare.js';
import { decodeBody } from './compare/decode.js';
import { compileNormalizers } from './compare/normalize.js';
import { compileRules } from './compare/pointer.js';
import { renderDiff } from './compare/render.js';
import { resolveUpstream } from '../routing/upstreams.js';
import { configSchema } from '../config/schema.js';
import type { DiffEntry } from '../types.js';
import { ShadowSender } from './sender.js';
import type { StoredMismatch } from './store/record.js';

export interface ReplayOptions {
  /** Base URL of the candidate to replay against, e.g. http://127.0.0.1:3001 */
  candidate: string;
  /** Only records of this route. */
  route?: string;
  /** At most this many records (the newest). */
  limit?: number;
  /** Headers added to every request (credentials were redacted when stored). */
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxBodyBytes?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
}

export interface ReplayResult {
  record: StoredMismatch;
  outcome: 'match' | 'mismatch' | 'error';
  status?: number;
  diff: DiffEntry[];
  text: string;
}

function body(b: { body?: string; bodyEncoding?: 'utf8' | 'base64' }): Buffer {
  return b.body === undefined ? Buffer.alloc(0) : Buffer.from(b.body, b.bodyEncoding ?? 'utf8');
}

/**
 * Sends stored mismatched requests to a candidate and compares its answers with the legacy
 * answers stored beside them, using the comparison settings of the time (ignore rules,
 * normalizers, and the fields learned noise explained). Writes carry `x-strangler-dry-run: 1`.
 */
export async function replayMismatches(
  records: readonly StoredMismatch[],
  options: ReplayOptions,
): Promise<ReplayResult[]> {
  let chosen = options.route ? records.filter((r) => r.route === options.route) : [...records];
  if (options.limit !== undefined) chosen = chosen.slice(-options.limit);
  const upstream = resolveUpstream(
    'candidate',
    configSchema.parse({ upstreams: { candidate: options.candidate } }),
  );
  const max = options.maxBodyBytes ?? 1024 * 1024;
  const sender = new ShadowSender(options.concurrency ?? 4);
  const results: ReplayResult[] = new Array<ReplayResult>(chosen.length);
  let next = 0;
  const worker = async () => {
    while (next < chosen.length) {
      const i = next++;
      results[i] = await replayOne(chosen[i] as StoredMismatch, sender, upstream, options, max);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  } finally {
    await sender.close();
  }
  return results;
}

async function replayOne(
  record: StoredMismatch,
  sender: ShadowSender,
  upstream: ReturnType<typeof resolveUpstream>,
  options: ReplayOptions,
  max: number,
): Promise<ReplayResult> {
  const req = record.request;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (
      v === '[redacted]' ||
      k === 'host' ||
      k === 'content-length' ||
      k === 'connection' ||
      k === 'transfer-encoding'
    )
      continue;
    headers[k] = v;
  }
  Object.assign(headers, { 'x-strangler-replay': '1' }, options.headers ?? {});
  if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method)) headers['x-strangler-dry-run'] = '1';
  const answer = await sender.send({
    upstream,
    method: req.method,
    url: req.url,
    headers,
    body: req.body === undefined ? undefined : body(req),
    timeoutMs: options.timeoutMs ?? 10_000,
    maxBytes: max,
  });
  if (!answer.ok)
    return { record, outcome: 'error', diff: [], text: `${answer.reason}: ${answer.message}` };
  const decoded = await decodeBody(answer.body, answer.headers['content-encoding'], max);
  if (!decoded.ok)
    return { record, outcome: 'error', status: answer.status, diff: [], text: decoded.message };
  const s = record.replay.settings;
  const result = compareAnswers(
    {
      status: record.replay.legacy.status,
      headers: record.replay.legacy.headers,
      body: body(record.replay.legacy),
    },
    { status: answer.status, headers: answer.headers, body: decoded.body },
    {
      compareHeaders: s.compareHeaders,
      ignore: compileRules([...s.ignore, ...s.noise]),
      normalizers: compileNormalizers(s.normalize),
      maxEntries: 50,
    },
  );
  const match = result.entries.length === 0 && result.more === 0;
  return {
    record,
    outcome: match ? 'match' : 'mismatch',
    status: answer.status,
    diff: result.entries,
    text: renderDiff(result.entries, result.more),
  };
}
