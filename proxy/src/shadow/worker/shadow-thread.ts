// The shadow side of the proxy, in a thread of its own: it sends the copies, decodes and compares
// the answers, and learns noise, so none of that runs on the event loop serving clients. The client
// loop posts each captured exchange here and applies the outcomes to its figures.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { compileTable } from '../../routing/table.js';
import { runJob, clock, type Job, type JobOutcome } from '../job.js';
import { NoiseLearner } from '../noise.js';
import { ShadowSender } from '../sender.js';
import { compileShadow, type RouteShadow, type ShadowSettings } from '../settings.js';
import type { FromShadow, ShadowResult, ToShadow } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('shadow-thread.js runs as a worker thread of the proxy');
const post = (msg: FromShadow) => port.postMessage(msg);

const LOAD_EVERY_MS = 250;
const NOISE_EVERY_MS = 1000;

let settings: ShadowSettings | undefined;
let store = false;
let sender: ShadowSender | undefined;
const noise = new Map<string, { learner: NoiseLearner; calls: number }>();
const noiseChanged = new Set<string>();
const queue: Array<Job & { id: number }> = [];
let active = 0;
let closing = false;

function learnerOf(s: RouteShadow): { learner: NoiseLearner; calls: number } {
  let n = noise.get(s.route.id);
  if (!n || n.learner.enabled !== s.noise.enabled) {
    n = { learner: new NoiseLearner(s.noise.enabled, s.noise.margin), calls: 0 };
    noise.set(s.route.id, n);
  }
  return n;
}

function flushNoise(): void {
  for (const route of noiseChanged) {
    const n = noise.get(route);
    if (n) post({ kind: 'noise', route, report: n.learner.report() });
  }
  noiseChanged.clear();
}

let last: EventLoopUtilization = performance.eventLoopUtilization();
const loadTimer = setInterval(() => {
  const now = performance.eventLoopUtilization();
  const { utilization } = performance.eventLoopUtilization(now, last);
  last = now;
  const paused = sender?.breaker.paused() ?? {};
  post({ kind: 'load', load: { utilization, queued: queue.length, active, paused } });
}, LOAD_EVERY_MS);
const noiseTimer = setInterval(flushNoise, NOISE_EVERY_MS);

// Answers leave in batches, every 10 ms: one message per answer would cost the client loop one
// wake-up each. Nothing waits for them but figures.
const ANSWER_MS = 10;
let results: ShadowResult[] = [];
let answering: NodeJS.Timeout | undefined;

function answer(): void {
  clearTimeout(answering);
  answering = undefined;
  // Before the last answers of a burst: whoever waits for the shadow side to be idle then reads
  // noise figures that include them.
  if (queue.length === 0 && active === 0) flushNoise();
  const batch = results;
  results = [];
  if (batch.length > 0) post({ kind: 'done', results: batch });
}

function finish(id: number, route: string, outcome: JobOutcome): void {
  if (outcome.kind === 'compared') noiseChanged.add(route);
  results.push({ id, route, outcome });
  answering ??= setTimeout(answer, ANSWER_MS);
}

function pump(): void {
  if (!settings || !sender) return;
  while (active < settings.global.concurrency && queue.length > 0) {
    const job = queue.shift()!;
    const route = job.settings.route.id;
    // A copy that waited out its timeout behind a slow candidate would compare against data that
    // has moved on since the client's answer: dropped unsent, so it is no false mismatch.
    if (clock() - job.queuedAt >= job.settings.timeoutMs) {
      finish(job.id, route, { kind: 'skipped', reason: 'timeout' });
      continue;
    }
    active++;
    runJob(job, {
      sender,
      requestIdHeader: settings.requestIdHeader,
      noise: learnerOf(job.settings),
      store,
    })
      .catch((err: unknown): JobOutcome => ({
        kind: 'skipped',
        reason: 'shadow_error',
        ...(err instanceof Error ? { message: err.stack ?? err.message } : {}),
      }))
      .then((outcome) => {
        active--;
        finish(job.id, route, outcome);
        // A later turn: a burst of finished jobs never runs the next ones inside one tick.
        setImmediate(pump);
      });
  }
}

port.on('message', (msg: ToShadow) => {
  switch (msg.kind) {
    case 'config': {
      settings = compileShadow(compileTable({ config: msg.config, version: msg.version }));
      store = msg.store;
      if (sender) sender.resize(settings.global.concurrency);
      else sender = new ShadowSender(settings.global.concurrency);
      for (const s of settings.routes.values()) learnerOf(s);
      return;
    }
    case 'jobs': {
      for (const job of msg.jobs) {
        const s = settings?.routes.get(job.exchange.route);
        if (!s || closing) {
          finish(job.id, job.exchange.route, gone);
          continue;
        }
        const { request, response } = job.exchange;
        // Bodies arrive as plain Uint8Arrays: Buffer views on the same memory, no copy.
        if (request.body) request.body = asBuffer(request.body);
        if (response.body) response.body = asBuffer(response.body);
        queue.push({ ...job, settings: s });
      }
      pump();
      return;
    }
    case 'close': {
      closing = true;
      for (const job of queue.splice(0)) finish(job.id, job.settings.route.id, gone);
      clearInterval(loadTimer);
      clearInterval(noiseTimer);
      void (sender?.close() ?? Promise.resolve()).then(() => {
        answer();
        flushNoise();
        post({ kind: 'closed' });
      });
      return;
    }
    default: {
      const never: never = msg;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
});

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A job that arrived after its route left the table, or while the proxy stops. */
const gone: JobOutcome = { kind: 'skipped', reason: 'queue_full' };

post({ kind: 'ready' });
