import type { ServerResponse } from 'node:http';
import { BodyCapture } from '../forward/capture.js';

type Chunk = string | Buffer | Uint8Array;

function toBuffer(chunk: Chunk, encoding: unknown): Buffer {
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
}

/**
 * Captures the first `cap` bytes of what is written to `res`, whoever writes it: the express app
 * itself (legacy served by `next()`) or the forwarder (an upstream's answer). A compression
 * middleware mounted after strangler wraps `write` on top of this, so the bytes captured are the
 * ones sent, with their Content-Encoding; the comparison decodes them.
 */
export function captureResponse(res: ServerResponse, cap: number): BodyCapture {
  const capture = new BodyCapture(cap);
  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, chunk: Chunk, ...rest: unknown[]) {
    if (chunk !== undefined && chunk !== null) capture.add(toBuffer(chunk, rest[0]));
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
      capture.add(toBuffer(chunk as Chunk, rest[0]));
    }
    capture.complete = true;
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
  return capture;
}

/** The response's headers as sent, as the flat name/value list the exchange report takes. */
export function sentHeaders(res: ServerResponse): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(res.getHeaders())) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push(name, String(v));
  }
  return out;
}
