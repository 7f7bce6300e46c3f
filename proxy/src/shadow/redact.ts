import type { IncomingHttpHeaders } from 'node:http';
import type { RequestSummary } from '../types.js';

const SECRET = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'x-strangler-override',
]);

/** Headers with credentials replaced by `[redacted]`. */
export function redactHeaders(
  headers: IncomingHttpHeaders | Record<string, string | string[]>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET.has(name.toLowerCase()) ? '[redacted]' : value;
  }
  return out;
}

function isText(body: Buffer): boolean {
  const text = body.toString('utf8');
  // Invalid UTF-8 decodes to U+FFFD; control characters other than whitespace mean binary.
  if (text.includes('\ufffd')) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 9 || (c > 13 && c < 32)) return false;
  }
  return true;
}

/** A stored request: credentials redacted, body kept as text or base64. */
export function summarizeRequest(req: {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  requestId: string;
  body?: Buffer;
  bodyBytes: number;
}): RequestSummary {
  const body = req.body && req.body.length > 0 ? req.body : undefined;
  const text = body ? isText(body) : false;
  return {
    method: req.method,
    url: req.url,
    headers: redactHeaders(req.headers),
    requestId: req.requestId,
    bodyBytes: req.bodyBytes,
    ...(body
      ? { body: body.toString(text ? 'utf8' : 'base64'), bodyEncoding: text ? 'utf8' : 'base64' }
      : {}),
  } as RequestSummary;
}
