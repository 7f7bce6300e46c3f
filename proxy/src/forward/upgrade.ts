import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { decide } from '../routing/decide.js';
import { matchPath } from '../routing/pattern.js';
import { UNMATCHED } from '../runtime/metrics.js';
import type { ProxyRuntime } from '../runtime/runtime.js';
import { classify } from './failures.js';
import { splice } from './splice.js';
import { clientAddress, scanRequestHeaders, upstreamHeaders } from './headers.js';

function statusBlock(status: number, message: string, headers: string[]): string {
  let out = `HTTP/1.1 ${status} ${message}\r\n`;
  for (let i = 0; i < headers.length; i += 2) out += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return out + '\r\n';
}

function rawPairs(raw: string[], skip: (lower: string) => boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!skip((raw[i] as string).toLowerCase())) out.push(raw[i] as string, raw[i + 1] as string);
  }
  return out;
}

/**
 * Forwards an HTTP upgrade (websocket) to the side the routing picks, then splices the two
 * sockets together. Routing, forwarding headers and the override header work as for requests;
 * an upstream that refuses the upgrade has its answer passed back; one that cannot be reached
 * gets the client a 502/504.
 */
export function createUpgradeHandler(
  runtime: ProxyRuntime,
  track: (socket: Duplex) => void,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    const started = performance.now();
    const table = runtime.table;
    const url = req.url ?? '/';
    const scan = scanRequestHeaders(req.rawHeaders, table.settings);
    const decision = decide(table, req, matchPath(url), scan.override);
    const upstream = decision.target.upstream;
    const routeId = decision.route?.id ?? UNMATCHED;
    const requestId = scan.requestId ?? randomUUID();
    const headers = upstreamHeaders(scan, {
      settings: table.settings,
      upstream,
      clientIp: clientAddress(req.socket.remoteAddress),
      proto: 'http',
      ...(scan.requestId ? {} : { generatedRequestId: requestId }),
    });
    headers.push('connection', 'Upgrade', 'upgrade', scan.upgrade ?? 'websocket');
    if (!upstream.preserveHost) headers.push('host', new URL(upstream.origin).host);
    const done = (status: number) => {
      runtime.metrics.record(routeId, upstream.name, status, (performance.now() - started) / 1000);
      runtime.stats.record(routeId, decision.role, status);
    };
    socket.on('error', () => socket.destroy());
    const target = new URL(upstream.basePath + url, upstream.origin);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const upReq = send(target, {
      method: req.method ?? 'GET',
      headers: pairsToObject(headers),
      agent: false,
    });
    const connectTimer = setTimeout(() => {
      upReq.destroy(Object.assign(new Error('connect timeout'), { code: 'PROXY_CONNECT_TIMEOUT' }));
    }, decision.target.upstream.connectTimeout);
    const responseTimer = setTimeout(() => {
      upReq.destroy(
        Object.assign(new Error('response timeout'), { code: 'PROXY_RESPONSE_TIMEOUT' }),
      );
    }, decision.target.responseTimeout);
    upReq.on('socket', (s) => s.once('connect', () => clearTimeout(connectTimer)));
    const clearTimers = () => {
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
    };
    upReq.on('upgrade', (upRes: IncomingMessage, upSocket: Duplex, upHead: Buffer) => {
      clearTimers();
      const out = rawPairs(upRes.rawHeaders, () => false);
      if (table.settings.servedByHeader !== false)
        out.push(table.settings.servedByHeader, decision.role);
      socket.write(
        statusBlock(upRes.statusCode ?? 101, upRes.statusMessage ?? 'Switching Protocols', out),
      );
      if (upHead.length > 0) socket.write(upHead);
      if (head.length > 0) upSocket.write(head);
      splice(socket, upSocket);
      track(socket);
      done(101);
    });
    upReq.on('response', (upRes: IncomingMessage) => {
      // The upstream answered without upgrading: pass its answer on and close.
      clearTimers();
      const out = rawPairs(
        upRes.rawHeaders,
        (h) => h === 'connection' || h === 'keep-alive' || h === 'transfer-encoding',
      );
      out.push('connection', 'close');
      if (table.settings.servedByHeader !== false)
        out.push(table.settings.servedByHeader, decision.role);
      socket.write(statusBlock(upRes.statusCode ?? 502, upRes.statusMessage ?? '', out));
      upRes.pipe(socket);
      done(upRes.statusCode ?? 502);
    });
    upReq.on('error', (err) => {
      clearTimers();
      const failure = classify(err, upstream.name);
      runtime.metrics.upstreamErrors.labels(routeId, upstream.name, failure.kind).inc();
      runtime.logger.warn(
        {
          requestId,
          url,
          route: decision.route?.id ?? null,
          upstream: upstream.name,
          kind: failure.kind,
          err: { message: err.message },
        },
        'websocket upgrade failed',
      );
      if (socket.writable) {
        const body = JSON.stringify({
          error: failure.status === 504 ? 'gateway_timeout' : 'bad_gateway',
          kind: failure.kind,
          message: failure.message,
          requestId,
        });
        socket.end(
          statusBlock(failure.status, failure.status === 504 ? 'Gateway Timeout' : 'Bad Gateway', [
            'content-type',
            'application/json',
            'content-length',
            String(Buffer.byteLength(body)),
            'connection',
            'close',
          ]) + body,
        );
      }
      done(failure.status);
    });
    socket.once('close', () => {
      clearTimers();
      upReq.destroy();
    });
    upReq.end();
  };
}

function pairsToObject(pairs: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < pairs.length; i += 2) {
    const name = (pairs[i] as string).toLowerCase();
    const value = pairs[i + 1] as string;
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}
