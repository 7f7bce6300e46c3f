import type { Logger } from 'pino';
import type { Exchange, MismatchRecord, SkipReason } from '../types.js';
import { compareAnswers, type Answer, type CompareSettings } from './compare/compare.js';
import { decodeBody } from './compare/decode.js';
import { patternOf } from './compare/pointer.js';
import { clipDiff, renderDiff } from './compare/render.js';
import type { ShadowMetrics } from './metrics.js';
import { summarizeRequest } from './redact.js';
import type { RouteShadowState } from './route-state.js';
import { copyHeaders, type ShadowAnswer, type ShadowSender } from './sender.js';
import type { RouteShadow, ShadowGlobal } from './settings.js';
import type { MismatchStore, StoredMismatch } from './store/record.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Bodies above this size (both sides together) are compared on a later turn of the loop. */
const YIELD_ABOVE_BYTES = 64 * 1024;
/** Differences kept per stored mismatch. */
const STORED_DIFFS = 50;

export interface Job {
  exchange: Exchange;
  settings: RouteShadow;
  bytes: number;
  /** `performance.now()` when queued: the route's timeout counts from the client's answer. */
  queuedAt: number;
}

export interface JobContext {
  sender: ShadowSender;
  metrics: ShadowMetrics;
  global: ShadowGlobal;
  requestIdHeader: string;
  logger: Logger;
  store?: MismatchStore;
  skip(reason: SkipReason): void;
}

type Decoded = { ok: true; answer: Answer } | { ok: false; reason: SkipReason };

const EMPTY = Buffer.alloc(0);

function decoded(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer | undefined,
  max: number,
): Decoded | Promise<Decoded> {
  const encoding = headers['content-encoding'];
  // Most answers are not encoded: no promise, no turn of the event loop.
  if (encoding === undefined || encoding === 'identity') {
    return { ok: true, answer: { status, headers, body: body ?? EMPTY } };
  }
  return decodeAsync(status, headers, body, max);
}

async function decodeAsync(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer | undefined,
  max: number,
): Promise<Decoded> {
  const d = await decodeBody(body ?? EMPTY, headers['content-encoding'], max);
  if (!d.ok) return { ok: false, reason: d.reason };
  return { ok: true, answer: { status, headers, body: d.body } };
}

const isError = (status: number) => status >= 500;

/**
 * One comparison: sends the copy (and, when learning noise, a second legacy copy) off the
 * client's path, decodes both answers, compares them, and records the outcome.
 */
export async function runJob(job: Job, state: RouteShadowState, ctx: JobContext): Promise<void> {
  const { exchange, settings: s } = job;
  const route = s.route;
  const reverse = exchange.servedBy === 'new';
  const method = exchange.request.method;
  const safe = SAFE.has(method);
  const copy = (target: 'legacy' | 'new', suffix: string) => {
    const upstream = route.targets[target].upstream;
    return ctx.sender.send({
      upstream,
      method,
      url: exchange.request.url,
      headers: copyHeaders(exchange.request.headers, {
        requestIdHeader: ctx.requestIdHeader,
        requestId: exchange.request.requestId,
        suffix,
        preserveHost: upstream.preserveHost,
        extra: { 'x-strangler-shadow': '1', ...(safe ? {} : { 'x-strangler-dry-run': '1' }) },
      }),
      body: exchange.request.body,
      timeoutMs: Math.max(1, s.timeoutMs - (performance.now() - job.queuedAt)),
      maxBytes: s.maxBodyBytes,
    });
  };
  const learn =
    s.noise.enabled &&
    safe &&
    (state.noiseCalls < s.noise.warmup || Math.random() < s.noise.sample);
  if (learn) state.noiseCalls++;
  const [shadow, second] = await Promise.all([
    copy(reverse ? 'legacy' : 'new', '~shadow'),
    learn ? copy('legacy', '~noise') : Promise.resolve(undefined),
  ]);
  const primaryMs = exchange.response.durationMs;
  const primaryStatus = exchange.response.status;
  const sample = (
    candidateMs: number,
    candidateError: boolean,
    legacyMs: number,
    legacyError: boolean,
  ) => ({
    at: Date.now(),
    legacyMs,
    legacyError,
    candidateMs,
    candidateError,
  });
  if (!shadow.ok) {
    ctx.skip(shadow.reason);
    const failed = { outcome: 'failed' as const };
    state.window.add(
      reverse
        ? { ...sample(primaryMs, isError(primaryStatus), shadow.ms, true), ...failed }
        : { ...sample(shadow.ms, true, primaryMs, isError(primaryStatus)), ...failed },
    );
    return;
  }
  // Comparing big bodies is CPU work: it waits for a turn of the event loop after the pending
  // I/O, so a burst of finished copies never holds back the clients' own reads and writes.
  if ((exchange.response.body?.length ?? 0) + shadow.body.length > YIELD_ABOVE_BYTES) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const max = s.maxBodyBytes;
  let primary = decoded(
    primaryStatus,
    exchange.response.headers ?? {},
    exchange.response.body,
    max,
  );
  if (primary instanceof Promise) primary = await primary;
  let other = decoded(shadow.status, shadow.headers, shadow.body, max);
  if (other instanceof Promise) other = await other;
  if (!primary.ok || !other.ok) {
    ctx.skip(!primary.ok ? primary.reason : (other as { reason: SkipReason }).reason);
    return;
  }
  const legacy = reverse ? other.answer : primary.answer;
  const candidate = reverse ? primary.answer : other.answer;
  const legacyMs = reverse ? shadow.ms : primaryMs;
  const candidateMs = reverse ? primaryMs : shadow.ms;
  const compare: CompareSettings = {
    compareHeaders: s.compareHeaders,
    ignore: s.ignore,
    normalizers: s.normalizers,
    maxEntries: 200,
  };
  if (second) await learnFrom(second, legacy, compare, max, state, ctx, route.id);
  const result = compareAnswers(legacy, candidate, compare);
  const { real, noise } = state.noise.classify(result.entries);
  const match = real.length === 0 && result.more === 0;
  state.compared++;
  if (match) {
    state.matched++;
    if (noise.length > 0) state.explainedByNoise++;
  } else state.mismatched++;
  const m = ctx.metrics.route(route.id);
  (match ? (noise.length > 0 ? m.noiseExplained : m.match) : m.mismatch).inc();
  m.matchRate.set(state.matched / state.compared);
  m.legacy.observe(legacyMs / 1000);
  m.candidate.observe(candidateMs / 1000);
  state.window.add({
    ...sample(candidateMs, isError(candidate.status), legacyMs, isError(legacy.status)),
    outcome: match ? 'match' : 'mismatch',
  });
  if (match) return;
  const diff = clipDiff(real, STORED_DIFFS);
  const record: MismatchRecord = {
    at: new Date().toISOString(),
    route: route.id,
    servedBy: exchange.servedBy,
    request: summarizeRequest(exchange.request),
    legacy: { status: legacy.status, ms: round(legacyMs) },
    candidate: { status: candidate.status, ms: round(candidateMs) },
    diff,
    more: result.more + Math.max(real.length - STORED_DIFFS, 0),
    text: renderDiff(diff, result.more + Math.max(real.length - STORED_DIFFS, 0)),
  };
  state.keep(record, ctx.global.keepMismatches);
  if (ctx.store) {
    const stored: StoredMismatch = {
      ...record,
      replay: {
        legacy: storedAnswer(legacy),
        settings: {
          compareHeaders: s.compareHeaders,
          ignore: s.ignoreRules,
          ...(route.config.shadow?.normalize ? { normalize: route.config.shadow.normalize } : {}),
          noise: [...new Set(noise.map((e) => patternOf(e.pointer)))],
        },
      },
    };
    ctx.store.append(stored).catch((err: unknown) => {
      ctx.metrics.storeErrors.inc();
      ctx.logger.error({ err, store: ctx.store?.description }, 'cannot store a shadow mismatch');
    });
  }
}

async function learnFrom(
  second: ShadowAnswer,
  legacy: Answer,
  compare: CompareSettings,
  max: number,
  state: RouteShadowState,
  ctx: JobContext,
  route: string,
): Promise<void> {
  if (!second.ok) return;
  let d = decoded(second.status, second.headers, second.body, max);
  if (d instanceof Promise) d = await d;
  if (!d.ok) return;
  ctx.metrics.noisePairs.labels(route).inc();
  state.noise.recordPair(compareAnswers(legacy, d.answer, compare).entries);
}

function storedAnswer(a: Answer): StoredMismatch['replay']['legacy'] {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(a.headers))
    if (v !== undefined && k !== 'set-cookie') headers[k] = v;
  // The body is stored decoded, so the stored content-encoding no longer applies.
  delete headers['content-encoding'];
  delete headers['content-length'];
  const text = a.body.toString('utf8');
  const isText = !text.includes('\ufffd');
  return {
    status: a.status,
    headers,
    ...(a.body.length > 0
      ? {
          body: isText ? text : a.body.toString('base64'),
          bodyEncoding: isText ? 'utf8' : 'base64',
        }
      : {}),
  } as StoredMismatch['replay']['legacy'];
}

const round = (ms: number) => Math.round(ms * 100) / 100;
