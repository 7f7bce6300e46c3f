import { Router } from 'express';
import type { Pool } from 'pg';
import { LegacyMonolithError } from '../errors.js';

/** `GET /healthz`: 200 when the database answers, 503 otherwise. */
export function healthRoutes(pool: Pool): Router {
  const router = Router();

  router.get('/healthz', async (_req, res) => {
    try {
      await pool.query('SELECT 1');
    } catch (err) {
      throw new LegacyMonolithError('unavailable', 'Database unavailable', { cause: err });
    }
    res.status(200).json({ status: 'ok' });
  });

  return router;
}
