import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { classify, sendFailure } from '../forward/failures.js';
import { clientAddress, forwardingHeaders, isHopByHop } from '../forward/headers.js';
import { tieSockets } from '../forward/splice.js';
import type { Decision } from '../routing/decide.js';
import { UNMATCHED, type ProxyMetrics } from '../runtime/metrics.js';
import type { ProxyRuntime } from '../runtime/runtime.js';

/** Where the middleware leaves its routing decision for the forwarder. */
export const DECISION = Symbol('strangler.decision');

export type RoutedRequest = IncomingMessage & { [DECISION]?: Decision; originalUrl?: string };

function coded(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * The http-proxy-middleware instance behind the express middleware, made to behave like the
 * standalone engine: the decided upstream, hop-by-hop headers dropped both ways, the proxy's own
 * forwarding headers, per-route connect/response/idle timeouts and the same JSON errors.
 */
export function createForwarder(runtime: ProxyRuntime, metrics: ProxyMetrics, logger: Logger) {
  const proxy = createProxyMiddleware<RoutedRequest, ServerResponse>({
    router: (req) => {
      const up = (req[DECISION] as Decision).target.upstream;
      return up.origin + up.basePath;
    },
    changeOrigin: false,
    xfwd: false,
    on: {
      proxyReq: (proxyReq, req) => prepare(proxyReq, req),
      proxyReqWs: (proxyReq, req, socket) => {
        prepare(proxyReq, req);
        // httpxy pipes the two sockets but never closes one when the other goes away.
        proxyReq.once('upgrade', (_res, upstreamSocket: Socket) =>
          tieSockets(socket, upstreamSocket),
        );
      },
      proxyRes: (proxyRes, req) => {
        const d = req[DECISION] as Decision;
        for (const name of Object.keys(proxyRes.headers))
          if (isHopByHop(name)) delete proxyRes.headers[name];
        if (d.setCookie) {
          const existing = proxyRes.headers['set-cookie'] ?? [];
          proxyRes.headers['set-cookie'] = [...existing, d.setCookie];
        }
        const idle = d.target.idleTimeout;
        const socket = proxyRes.socket as Socket | null;
        if (socket && idle > 0) {
          const onIdle = () => proxyRes.destroy(coded('response stalled', 'UND_ERR_BODY_TIMEOUT'));
          socket.setTimeout(idle);
          socket.once('timeout', onIdle);
          proxyRes.once('close', () => {
            socket.setTimeout(0);
            socket.off('timeout', onIdle);
          });
        }
      },
      error: (err, req, res) => {
        const d = (req as RoutedRequest)[DECISION];
        const upstream = d?.target.upstream.name ?? 'new';
        const failure = classify(err, upstream);
        metrics.upstreamErrors.labels(d?.route?.id ?? UNMATCHED, upstream, failure.kind).inc();
        if (failure.kind !== 'client_aborted') {
          logger.warn(
            {
              url: req.url,
              route: d?.route?.id ?? null,
              upstream,
              kind: failure.kind,
              err: { message: err.message },
            },
            'forwarding failed',
          );
        }
        if ('writeHead' in res) {
          sendFailure(res, failure, {
            ...(d?.route ? { route: d.route.id } : {}),
            upstream,
            requestId: String(req.headers[runtime.table.settings.requestIdHeader] ?? ''),
          });
        } else res.destroy();
      },
    },
  });

  /** Per-route timeouts and the proxy's own forwarding headers, as the standalone engine sets them. */
  function prepare(proxyReq: ClientRequest, req: RoutedRequest): void {
    const d = req[DECISION] as Decision;
    const settings = runtime.table.settings;
    for (const name of proxyReq.getHeaderNames()) {
      if (isHopByHop(name) && !(name === 'connection' || name === 'upgrade'))
        proxyReq.removeHeader(name);
    }
    for (const name of [
      'x-forwarded-for',
      'x-forwarded-proto',
      'x-forwarded-host',
      'forwarded',
      settings.overrideHeader,
    ]) {
      proxyReq.removeHeader(name);
    }
    const h = req.headers;
    const pairs = forwardingHeaders(
      {
        ...(h.host ? { host: h.host } : {}),
        ...(typeof h['x-forwarded-for'] === 'string' ? { forwardedFor: h['x-forwarded-for'] } : {}),
        ...(typeof h['x-forwarded-proto'] === 'string'
          ? { forwardedProto: h['x-forwarded-proto'] }
          : {}),
        ...(typeof h['x-forwarded-host'] === 'string'
          ? { forwardedHost: h['x-forwarded-host'] }
          : {}),
        ...(typeof h.forwarded === 'string' ? { forwarded: h.forwarded } : {}),
      },
      settings.trustForwardedHeaders,
      clientAddress(req.socket.remoteAddress),
      (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
      [],
    );
    for (let i = 0; i < pairs.length; i += 2)
      proxyReq.setHeader(pairs[i] as string, pairs[i + 1] as string);
    if (!d.target.upstream.preserveHost)
      proxyReq.setHeader('host', new URL(d.target.upstream.origin).host);
    const connectTimer = setTimeout(
      () => proxyReq.destroy(coded('connect timeout', 'PROXY_CONNECT_TIMEOUT')),
      d.target.upstream.connectTimeout,
    );
    const responseTimer = setTimeout(
      () => proxyReq.destroy(coded('response timeout', 'PROXY_RESPONSE_TIMEOUT')),
      d.target.responseTimeout,
    );
    const socket = proxyReq.socket as Socket | null;
    if (!socket || !socket.connecting) clearTimeout(connectTimer);
    else socket.once('connect', () => clearTimeout(connectTimer));
    const clear = () => {
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
    };
    proxyReq.once('response', clear);
    proxyReq.once('upgrade', clear);
    proxyReq.once('close', clear);
  }

  return proxy;
}
