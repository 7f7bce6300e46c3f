import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import type { Logger } from 'pino';
import { NewServiceError } from '../errors.js';
import type { Transaction } from '../types.js';
import { guardClient } from './guard-client.js';

type Callback = () => void | Promise<void>;

/** The kit's {@link Transaction} on one checked-out connection. */
export class PgTransaction implements Transaction {
  readonly #client: PoolClient;
  readonly #afterCommit: Callback[] = [];
  #savepoints = 0;
  #open = true;

  constructor(client: PoolClient) {
    this.#client = client;
  }

  query<R extends QueryResultRow = QueryResultRow>(
    text: string | QueryConfig,
    values?: unknown[],
  ): Promise<QueryResult<R>> {
    if (!this.#open) return Promise.reject(over());
    return this.#client.query<R>(text as QueryConfig, values);
  }

  async savepoint<T>(work: () => Promise<T>): Promise<T> {
    const name = `strangler_sp_${++this.#savepoints}`;
    await this.query(`SAVEPOINT ${name}`);
    try {
      const result = await work();
      await this.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await this.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw err;
    }
  }

  afterCommit(callback: Callback): void {
    if (!this.#open) throw over();
    this.#afterCommit.push(callback);
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.query({
      name: 'strangler:notify',
      text: 'SELECT pg_notify($1, $2)',
      values: [channel, payload],
    });
  }

  /** Ends the handle: later calls fail. Returns the after-commit callbacks. */
  end(): Callback[] {
    this.#open = false;
    return this.#afterCommit.splice(0);
  }
}

function over(): NewServiceError {
  return new NewServiceError(
    'internal',
    'the transaction is over: keep the tx handle only inside unitOfWork/handle/reset',
  );
}

export interface TransactionOptions {
  /** Wait for the WAL flush on commit (see `ConsumerOptions.synchronousCommit`). */
  synchronousCommit: boolean;
  logger: Logger;
  /** Called just before COMMIT is sent: from then on other connections may see the changes. */
  onCommitting?: () => void;
}

/**
 * Runs `work` in one transaction: COMMIT when it returns, ROLLBACK when it throws (and rethrow).
 * After-commit callbacks run once the commit succeeded.
 */
export async function inTransaction<T>(
  pool: Pool,
  options: TransactionOptions,
  work: (tx: PgTransaction) => Promise<T>,
): Promise<T> {
  const client = guardClient(await pool.connect());
  const tx = new PgTransaction(client);
  let broken: Error | undefined;
  let result: T;
  let callbacks: Callback[];
  try {
    await client.query(
      options.synchronousCommit ? 'BEGIN' : 'BEGIN; SET LOCAL synchronous_commit = off',
    );
    result = await work(tx);
    callbacks = tx.end();
    options.onCommitting?.();
    await client.query('COMMIT');
  } catch (err) {
    tx.end();
    // A connection whose rollback fails is unusable: releasing it with the error discards it.
    await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
    client.release(broken);
    throw err;
  }
  client.release();
  for (const callback of callbacks) await runCallback(callback, options.logger);
  return result;
}

async function runCallback(callback: Callback, logger: Logger): Promise<void> {
  try {
    await callback();
  } catch (err) {
    logger.error({ err }, 'an afterCommit callback failed; the transaction is committed');
  }
}
