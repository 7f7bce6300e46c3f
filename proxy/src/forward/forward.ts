import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Decision } from '../routing/decide.js';
import type { RouteTable } from '../routing/table.js';
import { UNMATCHED } from '../runtime/metrics.js';
import type { ProxyRuntime } from '../runtime/runtime.js';
import type { WriteBarriers } from '../switching/write-barrier.js';
import type { ExchangeHook } from '../types.js';
import { BodyCapture } from './capture.js';
import { bodyTooLarge, classify, sendFailure, type Failure } from './failures.js';
import { responseHeaders } from './headers.js';
import type { PoolRegistry } from './pools.js';
import { reportExchange, type Observation } from './observe.js';

export interface EngineDeps {
  runtime: ProxyRuntime;
  pools: PoolRegistry;
  /** The exchange hook, read per request so it can be set after start. */
  hook(): ExchangeHook | undefined;
  /** True once shutdown began: responses then close their connection. */
  draining(): boolean;
  /** Called when a request finishes, for the drain bookkeeping. */
  settled(): void;
  /** Write groups: their writes in flight are counted, and held while a group moves. */
  barriers: WriteBarriers;
}
const RETRYABLE = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Forwards one request with undici's dispatch API, writing the upstream's answer straight into
 * the client's response: no middleware, no body parsing, no intermediate stream objects. Request
 * bodies stream through; backpressure flows both ways; a client that leaves aborts the upstream
 * request.
 */
export class Forward implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private finished = false;
  private attempts = 0;
  private status = 0;
  private responseCapture: BodyCapture | undefined;
  private responseHeaderList: string[] | undefined;
  /** The request's Content-Length; without one, a body is counted as it streams. */
  declaredLength: number | undefined;

  constructor(
    private readonly deps: EngineDeps,
    private readonly table: RouteTable,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly decision: Decision,
    private readonly headers: string[],
    private readonly requestId: string,
    private readonly path: string,
    private readonly withBody: boolean,
    private readonly started: number,
    private readonly observation: Observation | undefined,
    /** Called once the exchange ended: a write group's count of writes in flight goes down. */
    private readonly ended?: () => void,
  ) {
    if (observation && observation.responseBodyBytes > 0) {
      this.responseCapture = new BodyCapture(observation.responseBodyBytes);
    }
  }

  start(): void {
    const limit = this.table.settings.maxBodyBytes;
    if (limit > 0 && this.withBody && this.attempts === 0) {
      if (this.declaredLength !== undefined) {
        if (this.declaredLength > limit) {
          this.tooLarge(limit);
          return;
        }
      } else {
        let seen = 0;
        const count = (chunk: Buffer) => {
          seen += chunk.length;
          if (seen <= limit) return;
          this.req.off('data', count);
          this.tooLarge(limit);
        };
        // prependListener: counts without switching the body to flowing mode ahead of undici.
        this.req.prependListener('data', count);
      }
    }
    const pool = this.deps.pools.get(this.decision.target.upstream);
    if (!pool) {
      this.fail({
        kind: 'unreachable',
        status: 502,
        message: `no pool for upstream ${this.decision.target.upstream.name}`,
      });
      return;
    }
    this.attempts++;
    try {
      pool.dispatch(
        {
          path: this.path,
          method: this.req.method as Dispatcher.HttpMethod,
          headers: this.headers,
          body: this.withBody ? this.req : null,
          headersTimeout: this.decision.target.responseTimeout,
          bodyTimeout: this.decision.target.idleTimeout,
        },
        this,
      );
    } catch (err) {
      this.onResponseError(undefined, err as Error);
    }
  }

  /** The body passed the limit: 413 and the connection closed, the upstream request cut. */
  private tooLarge(limit: number): void {
    if (this.finished) return;
    this.deps.runtime.metrics.bodiesTooLarge.labels(this.decision.route?.id ?? UNMATCHED).inc();
    this.fail(bodyTooLarge(limit), undefined, true);
    this.controller?.abort(
      Object.assign(new Error('request body too large'), { code: 'BODY_TOO_LARGE' }),
    );
  }

  /** The client went away before its response was complete. */
  clientClosed(): void {
    if (this.finished) return;
    this.controller?.abort(
      Object.assign(new Error('client closed the connection'), { code: 'CLIENT_ABORTED' }),
    );
    this.finish(499, 'client_aborted');
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.finished) controller.abort(new Error('client closed the connection'));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    _headers: unknown,
    statusMessage?: string,
  ): void {
    if (statusCode < 200 || this.finished) return;
    const raw = (controller as unknown as { rawHeaders?: Buffer[] }).rawHeaders ?? null;
    const out = responseHeaders(raw);
    const settings = this.table.settings;
    if (settings.servedByHeader !== false) out.push(settings.servedByHeader, this.decision.role);
    if (this.decision.setCookie) out.push('set-cookie', this.decision.setCookie);
    if (this.deps.draining()) out.push('connection', 'close');
    if (this.observation) this.responseHeaderList = out;
    this.status = statusCode;
    try {
      if (statusMessage) this.res.writeHead(statusCode, statusMessage, out);
      else this.res.writeHead(statusCode, out);
    } catch (err) {
      controller.abort(err as Error);
      this.status = 0;
      this.fail(
        classify(
          Object.assign(err as Error, { code: 'ERR_HTTP_INVALID_HEADER' }),
          this.decision.target.upstream.name,
        ),
      );
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.finished) return;
    this.responseCapture?.add(chunk);
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(): void {
    if (this.finished) return;
    this.res.end();
    this.finish(this.status);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    if (this.finished) return;
    const code = (err as { code?: string }).code ?? '';
    // A kept-alive connection the upstream closed just as we reused it: safe requests get one retry.
    if (
      RETRYABLE.has(code) &&
      this.attempts === 1 &&
      !this.withBody &&
      !this.res.headersSent &&
      SAFE.has(this.req.method ?? '')
    ) {
      this.start();
      return;
    }
    this.fail(classify(err, this.decision.target.upstream.name), err);
  }

  private fail(failure: Failure, err?: Error, closeConnection = false): void {
    const upstream = this.decision.target.upstream;
    const route = this.decision.route?.id;
    this.deps.runtime.metrics.upstreamErrors
      .labels(route ?? UNMATCHED, upstream.name, failure.kind)
      .inc();
    if (failure.kind !== 'client_aborted') {
      this.deps.runtime.logger.warn(
        {
          requestId: this.requestId,
          method: this.req.method,
          url: this.req.url,
          route: route ?? null,
          upstream: upstream.name,
          target: upstream.origin + upstream.basePath,
          kind: failure.kind,
          err: err ? { code: (err as { code?: string }).code, message: err.message } : undefined,
          headersSent: this.res.headersSent,
        },
        'forwarding failed',
      );
    }
    const status = this.res.headersSent ? this.status || failure.status : failure.status;
    sendFailure(this.res, failure, {
      ...(route ? { route } : {}),
      upstream: upstream.name,
      requestId: this.requestId,
      closeConnection: closeConnection || this.deps.draining(),
    });
    this.finish(status, failure.kind);
  }

  private finish(status: number, error?: string): void {
    if (this.finished) return;
    this.finished = true;
    this.ended?.();
    const { runtime } = this.deps;
    const routeId = this.decision.route?.id ?? UNMATCHED;
    const upstream = this.decision.target.upstream.name;
    const seconds = (performance.now() - this.started) / 1000;
    runtime.metrics.record(routeId, upstream, status, seconds);
    runtime.stats.record(routeId, this.decision.role, status);
    if (this.table.settings.accessLog) {
      runtime.logger.info(
        {
          requestId: this.requestId,
          method: this.req.method,
          url: this.req.url,
          route: routeId,
          upstream,
          servedBy: this.decision.role,
          status,
          ms: Math.round(seconds * 1e4) / 10,
        },
        'request',
      );
    }
    if (this.observation) {
      reportExchange(this.deps, this.res, this.observation, {
        status,
        ...(this.responseHeaderList ? { headers: this.responseHeaderList } : {}),
        ...(this.responseCapture ? { capture: this.responseCapture } : {}),
        durationMs: seconds * 1000,
        ...(error ? { error } : {}),
      });
    }
    this.deps.settled();
  }
}
