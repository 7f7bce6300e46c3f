import express, { type Express } from 'express';
import { pino } from 'pino';
import { errorHandler, notFoundHandler } from './http/errors.js';
import { responseNoise } from './http/noise.js';
import { requestLog } from './http/request-log.js';
import { allocationRoutes } from './routes/allocations.js';
import { availabilityRoutes } from './routes/availability.js';
import { batchRoutes } from './routes/batches.js';
import { healthRoutes } from './routes/health.js';
import type { AppOptions } from './types.js';

/**
 * The legacy monolith as an express app, for mounting or listening yourself. The schema must exist
 * (see `migrate`); `startServer` does both.
 */
export function createApp({
  pool,
  logger = pino({ name: 'legacy-monolith' }),
}: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every body differs (generatedAt), so ETags would only add a header to compare.
  app.set('etag', false);

  app.use(requestLog(logger));
  app.use(responseNoise());
  app.use(express.json({ type: ['application/json', 'application/*+json'] }));

  app.use(healthRoutes(pool));
  app.use(batchRoutes(pool));
  app.use(allocationRoutes(pool));
  app.use(availabilityRoutes(pool));

  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  return app;
}
