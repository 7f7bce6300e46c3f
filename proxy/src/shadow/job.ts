import type { MismatchRecord, SkipReason } from '../types.js';
import { compareAnswers, type Answer, type CompareSettings } from './compare/compare.js';
import { decodeBody } from './compare/decode.js';
import { patternOf } from './compare/pointer.js';
import { clipDiff, renderDiff } from './compare/render.js';
import type { NoiseLearner } from './noise.js';
import { summarizeRequest } from './redact.js';
import { copyHeaders, type ShadowAnswer, type ShadowSender } from './sender.js';
import type { RouteShadow } from './settings.js';
import { bodyView } from './body-view.js';
import type { StoredMismatch } from './store/record.js';
import type { ShadowExchange } from './worker/protocol.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Differences kept per stored mismatch. */
const STORED_DIFFS = 50;

/** Wall-clock milliseconds with sub-ms precision, comparable across threads. */
export const clock = () => performance.timeOrigin + performance.now();

export interface Job {
  exchange: ShadowExchange;
  settings: RouteShadow;
  /** `clock()` when the client's answer was captured: the route's timeout counts from there. */
  queuedAt: number;
}

/** What a job needs besides its exchange: where copies go and what it learns from. */
export interface JobContext {
  sender: ShadowSender;
  requestIdHeader: string;
  /** The route's noise learner and how many noise copies it has started. */
  noise: { learner: NoiseLearner; calls: number };
  /** Whether the outcome carries the stored form of a mismatch (a store is configured). */
  store: boolean;
}

/** Latencies and errors of both sides of one attempt, as the sample window keeps them. */
export interface SideFigures {
  legacyMs: number;
  legacyError: boolean;
  candidateMs: number;
  candidateError: boolean;
}

/** What one job found, applied to the route's figures by the thread that owns them. */
export type JobOutcome =
  | { kind: 'skipped'; reason: SkipReason; message?: string }
  | { kind: 'failed'; reason: SkipReason; sides: SideFigures }
  | {
      kind: 'compared';
      match: boolean;
      explainedByNoise: boolean;
      sides: SideFigures;
      noisePair: boolean;
      record?: MismatchRecord;
      stored?: StoredMismatch;
    };

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
 * One comparison: sends the copy (and, when learning noise, a second legacy copy), decodes both
 * answers, compares them, and says what it found.
 */
export async function runJob(job: Job, ctx: JobContext): Promise<JobOutcome> {
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
      timeoutMs: Math.max(1, s.timeoutMs - (clock() - job.queuedAt)),
      maxBytes: s.maxBodyBytes,
    });
  };
  const learn =
    s.noise.enabled && safe && (ctx.noise.calls < s.noise.warmup || Math.random() < s.noise.sample);
  if (learn) ctx.noise.calls++;
  const [shadow, second] = await Promise.all([
    copy(reverse ? 'legacy' : 'new', '~shadow'),
    learn ? copy('legacy', '~noise') : Promise.resolve(undefined),
  ]);
  const primaryMs = exchange.response.durationMs;
  const primaryStatus = exchange.response.status;
  if (!shadow.ok) {
    const primaryError = isError(primaryStatus);
    return {
      kind: 'failed',
      reason: shadow.reason,
      sides: reverse
        ? {
            legacyMs: shadow.ms,
            legacyError: true,
            candidateMs: primaryMs,
            candidateError: primaryError,
          }
        : {
            legacyMs: primaryMs,
            legacyError: primaryError,
            candidateMs: shadow.ms,
            candidateError: true,
          },
    };
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
    return {
      kind: 'skipped',
      reason: !primary.ok ? primary.reason : (other as { reason: SkipReason }).reason,
    };
  }
  const legacy = reverse ? other.answer : primary.answer;
  const candidate = reverse ? primary.answer : other.answer;
  const sides: SideFigures = {
    legacyMs: reverse ? shadow.ms : primaryMs,
    legacyError: isError(legacy.status),
    candidateMs: reverse ? primaryMs : shadow.ms,
    candidateError: isError(candidate.status),
  };
  const compare: CompareSettings = {
    compareHeaders: s.compareHeaders,
    ignore: s.ignore,
    normalizers: s.normalizers,
    maxEntries: 200,
  };
  const noisePair = second
    ? await learnFrom(second, legacy, compare, max, ctx.noise.learner)
    : false;
  const result = compareAnswers(legacy, candidate, compare);
  const { real, noise } = ctx.noise.learner.classify(result.entries);
  const match = real.length === 0 && result.more === 0;
  const outcome = {
    kind: 'compared' as const,
    match,
    explainedByNoise: match && noise.length > 0,
    sides,
    noisePair,
  };
  if (match) return outcome;
  const diff = clipDiff(real, STORED_DIFFS);
  const more = result.more + Math.max(real.length - STORED_DIFFS, 0);
  const record: MismatchRecord = {
    at: new Date().toISOString(),
    route: route.id,
    servedBy: exchange.servedBy,
    request: summarizeRequest(exchange.request),
    legacy: { status: legacy.status, ms: round(sides.legacyMs) },
    candidate: { status: candidate.status, ms: round(sides.candidateMs) },
    diff,
    more,
    text: renderDiff(diff, more),
    bodies: { legacy: bodyView(legacy), candidate: bodyView(candidate) },
  };
  if (!ctx.store) return { ...outcome, record };
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
  return { ...outcome, record, stored };
}

/** Records a legacy-vs-legacy pair; false when the second copy gave nothing to compare. */
async function learnFrom(
  second: ShadowAnswer,
  legacy: Answer,
  compare: CompareSettings,
  max: number,
  learner: NoiseLearner,
): Promise<boolean> {
  if (!second.ok) return false;
  let d = decoded(second.status, second.headers, second.body, max);
  if (d instanceof Promise) d = await d;
  if (!d.ok) return false;
  learner.recordPair(compareAnswers(legacy, d.answer, compare).entries);
  return true;
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
