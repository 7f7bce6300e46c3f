import type { ServerResponse } from 'node:http';

/** What every response of the legacy-compatible API carries. */
export interface Noise {
  requestId: string;
  /** ISO 8601 UTC with milliseconds, taken when the answer is produced. */
  generatedAt: string;
}

/**
 * Sends a JSON answer the way the legacy monolith's express app does: `x-request-id` and
 * `x-generated-at` headers, `application/json; charset=utf-8`, and for object bodies of the
 * legacy API the same two values as the last fields `generatedAt` and `requestId`. HEAD gets the
 * headers (with the length of the body it would have had) and no body.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: object,
  noise: Noise,
  options: { noiseInBody: boolean; head: boolean },
): void {
  if (options.noiseInBody) {
    const fields = body as Record<string, unknown>;
    fields.generatedAt = noise.generatedAt;
    fields.requestId = noise.requestId;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'x-request-id': noise.requestId,
    'x-generated-at': noise.generatedAt,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  if (options.head) res.end();
  else res.end(text);
}
