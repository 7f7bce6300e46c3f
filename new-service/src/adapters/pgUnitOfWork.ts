import type { Pool, PoolClient } from 'pg';
import type { DomainEvent } from '../domain/index.js';
import type { UnitOfWork, UnitOfWorkFactory } from '../serviceLayer/unitOfWork.js';
import { PgDeadLetters } from './deadLetters.js';
import { PgCheckpoints, PgInbox } from './messaging.js';
import { PgProductRepository } from './productRepository.js';

/** One pooled connection and one transaction (READ COMMITTED; products are locked row by row). */
export class PgUnitOfWork implements UnitOfWork {
  readonly products: PgProductRepository;
  readonly inbox: PgInbox;
  readonly checkpoints: PgCheckpoints;
  readonly deadLetters: PgDeadLetters;
  readonly #client: PoolClient;
  #open = true;
  #savepoints = 0;

  constructor(client: PoolClient) {
    this.#client = client;
    this.products = new PgProductRepository(client);
    this.inbox = new PgInbox(client);
    this.checkpoints = new PgCheckpoints(client);
    this.deadLetters = new PgDeadLetters(client);
  }

  async commit(): Promise<void> {
    await this.products.flush();
    await this.#client.query('COMMIT');
    this.#open = false;
  }

  async rollback(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.#client.query('ROLLBACK');
  }

  collectNewEvents(): DomainEvent[] {
    return this.products.collectNewEvents();
  }

  async savepoint<T>(work: () => Promise<T>): Promise<T> {
    const name = `sp_${++this.#savepoints}`;
    await this.#client.query(`SAVEPOINT ${name}`);
    try {
      const result = await work();
      await this.#client.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await this.#client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw err;
    }
  }

  release(error?: Error): void {
    this.#client.release(error);
  }
}

/**
 * A checked-out client has no 'error' listener of the pool's: a connection lost between two
 * queries would otherwise be an uncaught exception. The next query fails and says so anyway.
 */
const guarded = new WeakSet<PoolClient>();
export function guardClient(client: PoolClient): PoolClient {
  if (!guarded.has(client)) {
    guarded.add(client);
    client.on('error', () => {});
  }
  return client;
}

export interface UnitOfWorkOptions {
  /**
   * Commit without waiting for the WAL flush (`synchronous_commit = off`). Only for work whose
   * source of truth is elsewhere and replayable: a consumed event's effect, inbox entry and
   * checkpoint commit together, so a commit lost in a crash is lost whole and the event is simply
   * consumed again. Never for commands a caller was told succeeded.
   */
  replayable?: boolean;
}

/** Opens units of work on `pool`. */
export function pgUnitOfWorkFactory(
  pool: Pool,
  options: UnitOfWorkOptions = {},
): UnitOfWorkFactory {
  const begin = options.replayable ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN';
  return async () => {
    const client = guardClient(await pool.connect());
    try {
      await client.query(begin);
    } catch (err) {
      client.release(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
    return new PgUnitOfWork(client);
  };
}
