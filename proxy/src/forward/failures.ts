import type { ServerResponse } from 'node:http';

/** Why forwarding failed, as counted in metrics and named in error responses. */
export type FailureKind =
  | 'unreachable'
  | 'connect_timeout'
  | 'timeout'
  | 'idle_timeout'
  | 'reset'
  | 'client_aborted'
  | 'bad_request_body'
  | 'body_too_large'
  | 'bad_upstream_response'
  | 'upstream_error';

export interface Failure {
  kind: FailureKind;
  /** Status to send when nothing has been sent yet; 499 when the client is gone. */
  status: number;
  message: string;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
]);
const RESET = new Set([
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

/** Maps a forwarding error (undici or node:http) to what the client is told. */
export function classify(err: unknown, upstream: string): Failure {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'PROXY_CONNECT_TIMEOUT') {
    return {
      kind: 'connect_timeout',
      status: 504,
      message: `connecting to the ${upstream} upstream timed out`,
    };
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'PROXY_RESPONSE_TIMEOUT') {
    return {
      kind: 'timeout',
      status: 504,
      message: `the ${upstream} upstream did not answer in time`,
    };
  }
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return {
      kind: 'idle_timeout',
      status: 504,
      message: `the ${upstream} upstream stalled while sending its response`,
    };
  }
  if (UNREACHABLE.has(code)) {
    return {
      kind: 'unreachable',
      status: 502,
      message: `the ${upstream} upstream is unreachable (${code})`,
    };
  }
  if (RESET.has(code)) {
    return {
      kind: 'reset',
      status: 502,
      message: `the ${upstream} upstream closed the connection`,
    };
  }
  if (
    code === 'UND_ERR_ABORTED' ||
    e.name === 'AbortError' ||
    code === 'ECONNABORTED' ||
    code === 'CLIENT_ABORTED'
  ) {
    return { kind: 'client_aborted', status: 499, message: 'the client closed the connection' };
  }
  if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
    return {
      kind: 'bad_request_body',
      status: 400,
      message: 'the request body does not match its Content-Length',
    };
  }
  if (
    code.startsWith('ERR_HTTP_INVALID') ||
    code === 'ERR_INVALID_CHAR' ||
    code === 'HPE_INVALID'
  ) {
    return {
      kind: 'bad_upstream_response',
      status: 502,
      message: `the ${upstream} upstream sent an invalid response`,
    };
  }
  return {
    kind: 'upstream_error',
    status: 502,
    message: `forwarding to the ${upstream} upstream failed`,
  };
}

const ERROR_OF: Record<number, string> = {
  400: 'bad_request',
  413: 'payload_too_large',
  504: 'gateway_timeout',
};

/** The failure of a request whose body passed limits.maxBodyBytes. */
export const bodyTooLarge = (limit: number): Failure => ({
  kind: 'body_too_large',
  status: 413,
  message: `the request body is larger than limits.maxBodyBytes (${limit} bytes)`,
});

/** Answers with the proxy's JSON error, unless something was already sent. */
export function sendFailure(
  res: ServerResponse,
  failure: Failure,
  details: { route?: string; upstream: string; requestId: string; closeConnection?: boolean },
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({
    error: ERROR_OF[failure.status] ?? 'bad_gateway',
    kind: failure.kind,
    message: failure.message,
    route: details.route ?? null,
    upstream: details.upstream,
    requestId: details.requestId,
  });
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  };
  if (details.closeConnection) headers.connection = 'close';
  res.writeHead(failure.status, headers);
  res.end(body);
}
