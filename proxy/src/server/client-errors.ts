import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ProxyMetrics } from '../runtime/metrics.js';

interface Answer {
  status: number;
  error: string;
  message: string;
}

/** What a client is told when Node refuses its request before any handler sees it. */
function answerFor(code: string): Answer {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      error: 'header_too_large',
      message: 'the request line and headers are larger than limits.maxHeaderBytes allows',
    };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      status: 408,
      error: 'request_timeout',
      message: 'the request was not received in time (limits.headersTimeout / requestTimeout)',
    };
  }
  // llhttp names a Content-Length beside a Transfer-Encoding either way, depending on the order.
  if (code === 'HPE_UNEXPECTED_CONTENT_LENGTH' || code === 'HPE_INVALID_TRANSFER_ENCODING') {
    return {
      status: 400,
      error: 'bad_request',
      message: 'a request may not carry both Content-Length and Transfer-Encoding',
    };
  }
  return { status: 400, error: 'bad_request', message: `malformed HTTP request (${code})` };
}

const KIND: Record<number, string> = { 431: 'header_too_large', 408: 'timeout', 400: 'malformed' };

/**
 * Answers requests Node's parser refused (too large, too slow, malformed) with the proxy's JSON
 * error and closes the connection, counting each by kind. A connection whose response already
 * began, or one that cannot be written to, is just closed.
 */
export function answerClientErrors(server: Server, metrics: ProxyMetrics, logger: Logger): void {
  // The rest of a refused request may raise more parser errors before the socket closes.
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    const code = err.code ?? 'unknown';
    if (code === 'ECONNRESET' || code === 'EPIPE' || answered.has(socket)) {
      socket.destroy();
      return;
    }
    answered.add(socket);
    const answer = answerFor(code);
    metrics.clientErrors.labels(KIND[answer.status] ?? 'malformed').inc();
    logger.debug({ code, status: answer.status }, 'client request refused by the HTTP parser');
    const busy = (socket as { _httpMessage?: unknown })._httpMessage;
    if (!socket.writable || busy) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ error: answer.error, message: answer.message });
    socket.end(
      `HTTP/1.1 ${answer.status} ${statusText(answer.status)}\r\n` +
        'content-type: application/json; charset=utf-8\r\n' +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        'cache-control: no-store\r\nconnection: close\r\n\r\n' +
        body,
      // The server keeps half-open sockets: a silent client must not keep this one.
      () => socket.destroy(),
    );
  });
}

function statusText(status: number): string {
  if (status === 431) return 'Request Header Fields Too Large';
  if (status === 408) return 'Request Timeout';
  return 'Bad Request';
}
