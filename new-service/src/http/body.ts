import type { IncomingMessage } from 'node:http';
import { badRequest, NewServiceError } from '../errors.js';

/** The request body parsed as JSON; 400 when it is empty or not JSON, 413 when it is too big. */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new NewServiceError('bad_request', `request body is larger than ${maxBytes} bytes`, {
        status: 413,
      });
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw badRequest('request body must be JSON, got nothing');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`request body is not JSON: ${(err as Error).message}`);
  }
}
