import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Decision } from '../routing/decide.js';
import type { ProxyRuntime } from '../runtime/runtime.js';
import type { Exchange, ExchangeHook } from '../types.js';
import type { BodyCapture } from './capture.js';

/** A request the exchange hook selected, with its body being captured. */
export interface Observation {
  hook: ExchangeHook;
  decision: Decision;
  req: IncomingMessage;
  url: string;
  requestId: string;
  route: Exchange['route'];
  requestCapture: BodyCapture;
  responseBodyBytes: number;
  /** `select`'s context, handed back in the exchange. */
  context?: unknown;
  /** Epoch ms when the request arrived. */
  started: number;
}

export interface ResponseSummary {
  status: number;
  headers?: string[];
  capture?: BodyCapture;
  durationMs: number;
  error?: string;
}

function toRecord(list: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < list.length; i += 2) {
    const name = (list[i] as string).toLowerCase();
    const value = list[i + 1] as string;
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function withoutHeader(headers: IncomingHttpHeaders, name: string): IncomingHttpHeaders {
  if (!(name in headers)) return { ...headers };
  const copy = { ...headers };
  delete copy[name];
  return copy;
}

/**
 * Hands the exchange to the hook once the client's response has been fully sent, on a later turn
 * of the event loop: the hook can never delay or break the client's answer.
 */
export function reportExchange(
  deps: { runtime: ProxyRuntime },
  res: ServerResponse,
  obs: Observation,
  response: ResponseSummary,
): void {
  let delivered = false;
  const deliver = () => {
    if (delivered) return;
    delivered = true;
    setImmediate(() => {
      const req = obs.requestCapture;
      const body = req.body();
      const resBody = response.capture?.body();
      const exchange: Exchange = {
        ...(obs.route ? { route: obs.route } : {}),
        servedBy: obs.decision.role,
        upstream: obs.decision.target.upstream.name,
        reason: obs.decision.reason,
        startedAt: obs.started,
        request: {
          method: obs.req.method ?? 'GET',
          url: obs.url,
          headers: withoutHeader(obs.req.headers, deps.runtime.table.settings.overrideHeader),
          requestId: obs.requestId,
          ...(body ? { body } : {}),
          bodyBytes: req.bytes,
          bodyTruncated: req.truncated,
          bodyComplete: req.complete,
        },
        response: {
          status: response.status,
          ...(response.headers ? { headers: toRecord(response.headers) } : {}),
          ...(resBody ? { body: resBody } : {}),
          bodyBytes: response.capture?.bytes ?? 0,
          bodyTruncated: response.capture?.truncated ?? false,
          durationMs: response.durationMs,
          ...(response.error ? { error: response.error } : {}),
        },
        ...(obs.context === undefined ? {} : { context: obs.context }),
      };
      try {
        obs.hook.onExchange(exchange);
      } catch (err) {
        deps.runtime.metrics.hookErrors.inc();
        deps.runtime.logger.error({ err, requestId: obs.requestId }, 'exchange hook threw');
      }
    });
  };
  if (res.writableFinished || res.destroyed) deliver();
  else {
    res.once('finish', deliver);
    res.once('close', deliver);
  }
}
