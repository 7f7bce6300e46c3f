import type { Pool } from 'pg';
import { pino, type Logger } from 'pino';
import type { Migration, Transaction } from '../types.js';
import { configError } from '../errors.js';
import { migrate as migrateAll } from './schema.js';
import { inTransaction } from './transaction.js';

/** Options of {@link withTransaction}. */
export interface WithTransactionOptions {
  /** Wait for the WAL flush on commit. Default true. */
  synchronousCommit?: boolean;
  /** Where failing `afterCommit` callbacks are logged. Default: a pino logger. */
  logger?: Logger;
}

/**
 * Runs `work` in one transaction on `pool` with the kit's {@link Transaction} handle: COMMIT when
 * it returns, ROLLBACK when it throws. For what runs outside a consumer: a command over HTTP, a
 * script, an adapter's integration test.
 */
export function withTransaction<T>(
  pool: Pool,
  work: (tx: Transaction) => Promise<T>,
  options: WithTransactionOptions = {},
): Promise<T> {
  return inTransaction(
    pool,
    {
      synchronousCommit: options.synchronousCommit ?? true,
      logger: options.logger ?? pino({ name: 'new-service' }),
    },
    work,
  );
}

/**
 * Creates the kit's tables and runs the user's migrations, in one transaction under an advisory
 * lock, as `startService` does at start (e.g. for a deploy step, or a test).
 */
export function migrate(
  pool: Pool,
  options: { migrations?: readonly Migration[]; logger?: Logger } = {},
): Promise<void> {
  if (Array.isArray(options)) {
    // migrate(pool, [...]) reads like the internal signature and would run no migration at all.
    return Promise.reject(
      configError('migrate(pool, options): pass the migrations as { migrations: [...] }'),
    );
  }
  return migrateAll(
    pool,
    options.migrations ?? [],
    options.logger ?? pino({ name: 'new-service' }),
  );
}
