import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

/** A caller's request id is kept only when it is a plausible token, never anything to inject. */
const ACCEPTABLE_REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/** The request id of a response, as set by {@link responseNoise}. */
export function requestIdOf(res: Response): string {
  return String(res.locals.requestId ?? '');
}

/**
 * Every response carries `x-request-id` (the caller's, else a new UUID) and `x-generated-at`, and
 * JSON object bodies also `generatedAt` and `requestId`: the real-world noise that shadow-mode
 * comparison has to learn to ignore.
 */
export function responseNoise(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId =
      incoming !== undefined && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    res.setHeader('x-generated-at', new Date().toISOString());

    const json = res.json.bind(res);
    res.json = (body?: unknown) => {
      const generatedAt = new Date().toISOString();
      if (!res.headersSent) res.setHeader('x-generated-at', generatedAt);
      return json(isPlainObject(body) ? { ...body, generatedAt, requestId } : body);
    };
    next();
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
