import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { sqlState } from '../db.js';
import { LegacyMonolithError } from '../errors.js';
import { requestIdOf } from './noise.js';

/** Unknown routes answer JSON like every other error. */
export function notFoundHandler(): RequestHandler {
  return (req, res) => {
    res.status(404).json({ message: `No route ${req.method} ${req.path}` });
  };
}

/** Turns every error into `{ message }` with the right status; only our own bugs are 500s. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const error = classify(err);
    const log = { err, method: req.method, url: req.originalUrl, requestId: requestIdOf(res) };
    if (error.status >= 500) logger.error(log, error.message);
    if (res.headersSent) {
      next(err); // express then cuts the connection: the answer cannot be completed
      return;
    }
    res.status(error.status).json({ message: error.message });
  };
}

function classify(err: unknown): { status: number; message: string } {
  if (err instanceof LegacyMonolithError) return err;
  const bodyError = fromHttpError(err);
  if (bodyError) return bodyError;
  if (isDatabaseUnavailable(err)) return { status: 503, message: 'Database unavailable' };
  return { status: 500, message: 'Internal server error' };
}

/**
 * body-parser raises http-errors (`status`, `type`, `expose`) for bad bodies; the router a URIError
 * with `status` 400 for a path that is not valid percent-encoding.
 */
function fromHttpError(err: unknown): LegacyMonolithError | undefined {
  if (err instanceof URIError) {
    return new LegacyMonolithError(
      'bad_request',
      `path: ${err.message} (invalid percent-encoding)`,
    );
  }
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, type, expose, message } = err as Record<string, unknown>;
  if (typeof status !== 'number' || status < 400 || status >= 500 || expose === false) {
    return undefined;
  }
  switch (type) {
    case 'entity.parse.failed':
      return new LegacyMonolithError('bad_request', `body is not valid JSON: ${String(message)}`);
    case 'entity.too.large':
      return new LegacyMonolithError('payload_too_large', 'body is larger than 100kb');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new LegacyMonolithError('unsupported_media_type', `body: ${String(message)}`);
    default:
      // e.g. an aborted upload or a body whose length does not match Content-Length.
      return new LegacyMonolithError('bad_request', String(message));
  }
}

const UNREACHABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT']);

/** Errors that say the database could not be reached, as opposed to a bad query. */
function isDatabaseUnavailable(err: unknown): boolean {
  const state = sqlState(err);
  if (UNREACHABLE_ERRNO.has(state) || state === 'EAI_AGAIN') return true;
  // 08: connection exception; 57P01-03: shutting down / cannot connect now; 53300: too many.
  if (state.startsWith('08') || /^57P0[123]$/.test(state) || state === '53300') return true;
  const message = err instanceof Error ? err.message : '';
  return /timeout exceeded when trying to connect|Connection terminated/i.test(message);
}
