import type { IncomingHttpHeaders } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { classify } from '../forward/failures.js';
import { isHopByHop } from '../forward/headers.js';
import type { UpstreamSpec } from '../routing/upstreams.js';
import { UnreachableBreaker } from './breaker.js';

/** A shadow copy to send. */
export interface ShadowRequest {
  upstream: UpstreamSpec;
  method: string;
  /** Path and query as the client sent them. */
  url: string;
  headers: Record<string, string | string[]>;
  body: Buffer | undefined;
  timeoutMs: number;
  /** Largest response body read; a longer one is abandoned (reason `size`). */
  maxBytes: number;
}

export type ShadowAnswer =
  | {
      ok: true;
      status: number;
      headers: Record<string, string | string[] | undefined>;
      body: Buffer;
      ms: number;
    }
  | { ok: false; reason: 'timeout' | 'candidate_error' | 'size'; message: string; ms: number };

const DROP = new Set(['content-length', 'host', 'expect']);

/**
 * The headers of a copy: the client's end-to-end headers, the request id suffixed (so logs tell
 * the copy from the original and still correlate them), and the marks the shadow side sees.
 */
export function copyHeaders(
  received: IncomingHttpHeaders,
  options: {
    requestIdHeader: string;
    requestId: string;
    suffix: string;
    preserveHost: boolean;
    extra: Record<string, string>;
  },
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in received) {
    const value = received[name];
    if (
      value === undefined ||
      isHopByHop(name) ||
      DROP.has(name) ||
      name === options.requestIdHeader
    )
      continue;
    out[name] = value;
  }
  if (options.preserveHost && typeof received.host === 'string') out.host = received.host;
  out[options.requestIdHeader] = `${options.requestId}${options.suffix}`;
  Object.assign(out, options.extra);
  return out;
}

function originForm(url: string): string {
  if (url.charCodeAt(0) === 47) return url;
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return '/';
  }
}

/** Resolution of shadow timeouts. */
const SWEEP_MS = 50;

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Collects one answer through undici's dispatch API (the proxy's own forwarding path uses it too:
 * it costs about half the CPU of the stream-based `request()`), with a deadline covering the whole
 * exchange (enforced by the sender's sweep) and a cap on the body.
 */
class Collector implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private done = false;
  private readonly started = performance.now();
  readonly deadline: number;

  constructor(
    private readonly req: ShadowRequest,
    private readonly resolve: (answer: ShadowAnswer) => void,
    private readonly settled: (c: Collector) => void,
    private readonly breaker: UnreachableBreaker,
  ) {
    this.deadline = this.started + req.timeoutMs;
  }

  /** Called by the sender's sweep once the deadline has passed. */
  expire(): void {
    this.finish({
      ok: false,
      reason: 'timeout',
      message: `no answer within ${this.req.timeoutMs} ms`,
      ms: this.ms(),
    });
  }

  private ms(): number {
    return performance.now() - this.started;
  }

  private finish(answer: ShadowAnswer): void {
    if (this.done) return;
    this.done = true;
    this.settled(this);
    if (!answer.ok) this.controller?.abort(new Error(answer.message));
    this.resolve(answer);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.done) controller.abort(new Error('shadow copy abandoned'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return;
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.done) return;
    this.size += chunk.length;
    if (this.size > this.req.maxBytes) {
      this.finish({
        ok: false,
        reason: 'size',
        message: `answer longer than ${this.req.maxBytes} bytes`,
        ms: this.ms(),
      });
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.breaker.answered(this.req.upstream.origin);
    this.finish({
      ok: true,
      status: this.status,
      headers: this.headers,
      body:
        this.chunks.length === 1
          ? (this.chunks[0] as Buffer)
          : Buffer.concat(this.chunks, this.size),
      ms: this.ms(),
    });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    const code = (err as { code?: string }).code ?? '';
    const kind = classify(err, 'shadow').kind;
    if (!this.done && (kind === 'unreachable' || kind === 'connect_timeout')) {
      this.breaker.failed(this.req.upstream.origin);
    }
    this.finish({
      ok: false,
      reason: TIMEOUT_CODES.has(code) ? 'timeout' : 'candidate_error',
      message: `${code || err.name}: ${err.message}`,
      ms: this.ms(),
    });
  }
}

/**
 * Sends shadow copies through connection pools of their own (never the client-facing ones), with
 * at most `connections` per upstream, a timeout covering the whole exchange, and a cap on the
 * body read: a slow, dead or babbling shadow side costs the primary path nothing.
 */
export class ShadowSender {
  private readonly pools = new Map<string, Pool>();
  private closed = false;
  /** Upstreams not tried for a while because they could not be reached. */
  readonly breaker = new UnreachableBreaker();
  /** Copies in flight; one sweep timer expires them (no timer object per copy). */
  private readonly inFlight = new Set<Collector>();
  private sweep: NodeJS.Timeout | undefined;
  private readonly settled = (c: Collector) => {
    this.inFlight.delete(c);
    if (this.inFlight.size === 0 && this.sweep) {
      clearInterval(this.sweep);
      this.sweep = undefined;
    }
  };

  constructor(private connections: number) {}

  private expireLate(): void {
    const now = performance.now();
    for (const c of this.inFlight) if (c.deadline <= now) c.expire();
  }

  /** Applies a new connection limit (pools are rebuilt lazily). */
  resize(connections: number): void {
    if (connections === this.connections) return;
    this.connections = connections;
    const old = [...this.pools.values()];
    this.pools.clear();
    for (const pool of old) void pool.close().catch(() => undefined);
  }

  private pool(spec: UpstreamSpec): Pool {
    let pool = this.pools.get(spec.origin);
    if (!pool) {
      pool = new Pool(spec.origin, {
        connections: this.connections,
        pipelining: 1,
        connectTimeout: spec.connectTimeout,
      });
      this.pools.set(spec.origin, pool);
    }
    return pool;
  }

  send(req: ShadowRequest): Promise<ShadowAnswer> {
    if (this.closed) {
      return Promise.resolve({
        ok: false,
        reason: 'candidate_error',
        message: 'shadow sender closed',
        ms: 0,
      });
    }
    const paused = this.breaker.pausedUntil(req.upstream.origin);
    if (paused > 0) {
      return Promise.resolve({
        ok: false,
        reason: 'candidate_error',
        message: `${req.upstream.origin} could not be reached; not tried again for ${paused - Date.now()} ms`,
        ms: 0,
      });
    }
    return new Promise((resolve) => {
      const collector = new Collector(req, resolve, this.settled, this.breaker);
      this.inFlight.add(collector);
      if (!this.sweep) {
        this.sweep = setInterval(() => this.expireLate(), SWEEP_MS);
        this.sweep.unref();
      }
      const hasBody = req.body !== undefined && req.body.length > 0;
      try {
        this.pool(req.upstream).dispatch(
          {
            path: req.upstream.basePath + originForm(req.url),
            method: req.method as Dispatcher.HttpMethod,
            headers: hasBody
              ? { ...req.headers, 'content-length': String(req.body?.length) }
              : req.headers,
            body: hasBody ? (req.body as Buffer) : null,
            // The sweep enforces the deadline. undici's own timeouts would each leave a timer object
            // alive for about a second per copy, promoted to the old heap: collection pauses that
            // land on the client's path at 2,000 copies a second.
            headersTimeout: 0,
            bodyTimeout: 0,
          },
          collector,
        );
      } catch (err) {
        collector.onResponseError(undefined, err as Error);
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweep) clearInterval(this.sweep);
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}
