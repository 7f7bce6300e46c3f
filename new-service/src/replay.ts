import pg from 'pg';
import { pino } from 'pino';
import { migrate } from './adapters/schema.js';
import { bootstrap } from './bootstrap.js';
import { replayStoredDeadLetters } from './entrypoints/replay.js';
import { configError } from './errors.js';
import { checkDatabaseUrl } from './options.js';
import type { ReplayOptions, ReplayResult } from './types.js';

/**
 * Applies the dead letters again, oldest first, once their cause is fixed. Safe to run while the
 * service consumes: each letter is one transaction with the same inbox and product locks.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayResult[]> {
  if (!options.pool) {
    if (!options.databaseUrl) throw configError('databaseUrl is required unless a pool is given');
    checkDatabaseUrl(options.databaseUrl);
  }
  for (const id of options.ids ?? []) {
    if (!/^\d{1,18}$/.test(id)) throw configError(`ids: "${id}" is not a dead letter id (digits)`);
  }
  const logger = options.logger ?? pino({ name: 'new-service' });
  const pool = options.pool ?? new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  try {
    await migrate(pool);
    const { openUnitOfWork, bus } = bootstrap({ pool, logger, topic: '' });
    const results = await replayStoredDeadLetters(pool, { openUnitOfWork, bus }, options.ids);
    for (const result of results) {
      const level = result.outcome === 'dead_lettered' ? 'warn' : 'info';
      logger[level](result, 'dead letter replayed');
    }
    return results;
  } finally {
    if (!options.pool) await pool.end();
  }
}
