import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { NoiseReport, ProxyConfig } from '../../types.js';
import type { JobOutcome } from '../job.js';
import type {
  FromShadow,
  ShadowExchange,
  ShadowJob,
  ShadowLoad,
  ShadowResult,
  ToShadow,
} from './protocol.js';

/**
 * Exchanges are handed over in batches: one message costs about as much to post as a dozen more
 * in the same message. A batch leaves after this long, or sooner when it is full.
 */
const BATCH_MS = 5;
const BATCH_MAX = 64;

const ENTRY = new URL(
  `./shadow-thread.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`,
  import.meta.url,
);

/**
 * The thread runs the compiled file in production; from the TypeScript sources (the tests) it
 * loads through tsx, which only the development install has.
 */
function spawn(): Worker {
  if (!ENTRY.pathname.endsWith('.ts')) return new Worker(ENTRY);
  // The ESM build of tsx's API (require.resolve would give its CommonJS one).
  const api = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const tsx = pathToFileURL(api).href;
  return new Worker(
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(ENTRY.href)}); })`,
    { eval: true },
  );
}

/** Copies a captured body into a buffer of its own, so it can move to the thread without a copy. */
function detached(body: Buffer | undefined): Uint8Array | undefined {
  if (!body) return undefined;
  return new Uint8Array(body);
}

export interface ShadowThreadEvents {
  outcome(route: string, outcome: JobOutcome): void;
  /** A job that will never be answered: the thread died (`shadow_error`) or the proxy stops. */
  lost(route: string, reason: 'shadow_error' | 'queue_full'): void;
  noise(route: string, report: NoiseReport): void;
  /** The thread's report on its own load, a few times a second. */
  load(load: ShadowLoad): void;
}

/**
 * The client loop's handle on the shadow thread: hands exchanges over (a copy of each body, moved,
 * not cloned), counts what is in flight, and passes outcomes back. Never waits for the thread.
 */
export class ShadowThread {
  /** Started with the first exchange: a proxy that never compares never starts a thread. */
  private worker: Worker | undefined;
  private nextId = 0;
  /** Route and body bytes of each job handed over and not answered yet. */
  private readonly inFlight = new Map<number, { route: string; bytes: number }>();
  private inFlightBytes = 0;
  private config: ToShadow | undefined;
  private closing: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private started: Promise<void> = Promise.resolve();
  private batch: ShadowJob[] = [];
  private transfer: ArrayBuffer[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  /** The thread's last report on itself. */
  load: ShadowLoad = { utilization: 0, queued: 0, active: 0, paused: {} };
  restarts = 0;

  constructor(
    private readonly events: ShadowThreadEvents,
    private readonly logger: Logger,
  ) {}

  get pending(): number {
    return this.inFlight.size;
  }

  get pendingBytes(): number {
    return this.inFlightBytes;
  }

  /** Starts the thread now rather than with the first exchange, and resolves once it listens. */
  ready(): Promise<void> {
    if (!this.worker && !this.closing) {
      this.worker = this.start();
      if (this.config) this.worker.postMessage(this.config);
    }
    return this.started;
  }

  private start(): Worker {
    const worker = spawn();
    worker.unref();
    this.started = new Promise((resolve) => {
      const done = (msg?: FromShadow) => {
        if (msg && msg.kind !== 'ready') return;
        worker.off('message', done);
        resolve();
      };
      worker.on('message', done);
      worker.once('exit', () => resolve());
    });
    worker.on('message', (msg: FromShadow) => this.receive(msg));
    worker.on('error', (err) => {
      this.logger.error({ err }, 'the shadow thread failed; starting a new one');
    });
    worker.on('exit', (code) => {
      if (worker !== this.worker || this.closing) return;
      this.logger.error({ code }, 'the shadow thread stopped; starting a new one');
      for (const [, job] of this.inFlight) this.events.lost(job.route, 'shadow_error');
      this.inFlight.clear();
      this.inFlightBytes = 0;
      this.restarts++;
      this.worker = undefined;
      this.settle();
    });
    return worker;
  }

  configure(config: ProxyConfig, version: string, store: boolean): void {
    this.config = { kind: 'config', config, version, store };
    this.worker?.postMessage(this.config);
  }

  /** Hands one exchange over; `queuedAt` is `clock()` when the client's answer was captured. */
  post(exchange: ShadowExchange, queuedAt: number): void {
    const id = this.nextId++;
    const request = detached(exchange.request.body);
    const response = detached(exchange.response.body);
    const bytes = (request?.byteLength ?? 0) + (response?.byteLength ?? 0);
    const transfer = [request?.buffer, response?.buffer].filter(
      (b): b is ArrayBuffer => b instanceof ArrayBuffer,
    );
    this.batch.push({
      id,
      queuedAt,
      exchange: {
        route: exchange.route,
        servedBy: exchange.servedBy,
        request: { ...exchange.request, body: request as Buffer | undefined },
        response: { ...exchange.response, body: response as Buffer | undefined },
      },
    });
    this.transfer.push(...transfer);
    this.inFlight.set(id, { route: exchange.route, bytes });
    this.inFlightBytes += bytes;
    if (this.batch.length >= BATCH_MAX) this.flush();
    else this.flushTimer ??= setTimeout(this.flush, BATCH_MS).unref();
  }

  private readonly flush = (): void => {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.batch.length === 0) return;
    if (!this.worker) void this.ready();
    const msg: ToShadow = { kind: 'jobs', jobs: this.batch };
    const transfer = this.transfer;
    this.batch = [];
    this.transfer = [];
    this.worker!.postMessage(msg, transfer);
  };

  private receive(msg: FromShadow): void {
    switch (msg.kind) {
      case 'done':
        for (const result of msg.results) this.answered(result);
        this.settle();
        return;
      case 'load':
        this.load = msg.load;
        this.events.load(msg.load);
        return;
      case 'noise':
        this.events.noise(msg.route, msg.report);
        return;
      case 'ready':
      case 'closed':
        return;
      default: {
        const never: never = msg;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  private answered({ id, route, outcome }: ShadowResult): void {
    const job = this.inFlight.get(id);
    if (!job) return;
    this.inFlight.delete(id);
    this.inFlightBytes -= job.bytes;
    if (outcome.kind === 'skipped' && outcome.message) {
      this.logger.error({ route, stack: outcome.message }, 'shadow comparison failed');
    }
    this.events.outcome(route, outcome);
  }

  private settle(): void {
    if (this.inFlight.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves once every job handed over has been answered. */
  idle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops what waits in the thread (each counted by its outcome), closes its pools, ends it. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.flush();
      const worker = this.worker;
      if (!worker) return;
      const closed = new Promise<void>((resolve) => {
        worker.on('message', (msg: FromShadow) => msg.kind === 'closed' && resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ kind: 'close' } satisfies ToShadow);
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000).unref())]);
      await worker.terminate();
      for (const [, job] of this.inFlight) this.events.lost(job.route, 'queue_full');
      this.inFlight.clear();
      this.inFlightBytes = 0;
      this.settle();
    })();
    return this.closing;
  }
}
