import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { requestIdOf } from './noise.js';

/** Logs each request once it is answered (info) or abandoned by the client (warn). */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const fields = () => ({
      method: req.method,
      url: req.originalUrl,
      status: res.statusCode,
      ms: Number(process.hrtime.bigint() - started) / 1e6,
      requestId: requestIdOf(res),
    });
    res.once('finish', () => logger.info(fields(), 'request'));
    res.once('close', () => {
      if (!res.writableFinished) logger.warn(fields(), 'request aborted by the client');
    });
    next();
  };
}
