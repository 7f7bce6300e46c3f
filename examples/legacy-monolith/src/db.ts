import type { Pool, PoolClient } from 'pg';
import { badRequest } from './errors.js';

/** Postgres errors after which running the whole transaction again is safe and may succeed. */
const RETRIABLE_SQLSTATES = new Set(['40001', '40P01']); // serialization failure, deadlock

const MAX_ATTEMPTS = 3;

/**
 * Runs `fn` in one transaction: committed when it returns, rolled back when it throws (so a
 * request that fails half way writes nothing). Serialization failures and deadlocks are retried.
 */
export async function inTransaction<T>(
  pool: Pool,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // A client whose rollback fails is unusable: release(err) destroys it instead of pooling it.
      await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
      if (attempt < MAX_ATTEMPTS && !broken && RETRIABLE_SQLSTATES.has(sqlState(err))) continue;
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

/**
 * Locks the product (the aggregate: every batch and allocation of one sku) for the rest of the
 * transaction, so writes to one sku run one after the other. Throws 400 `Invalid sku` when the
 * product does not exist.
 */
export async function lockProduct(client: PoolClient, sku: string): Promise<void> {
  const { rowCount } = await client.query(
    'SELECT version_number FROM products WHERE sku = $1 FOR UPDATE',
    [sku],
  );
  if (rowCount === 0) throw badRequest(`Invalid sku ${sku}`);
}

/** Bumps the aggregate's version: every change to a sku's batches or allocations does. */
export async function bumpVersion(client: PoolClient, sku: string): Promise<void> {
  await client.query('UPDATE products SET version_number = version_number + 1 WHERE sku = $1', [
    sku,
  ]);
}

/** The SQLSTATE of a Postgres error, or '' for anything else. */
export function sqlState(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return '';
}

/**
 * Units of a batch not yet allocated, as a SQL expression over the alias `b`. Shared by the
 * allocation rule and the availability report so both always agree.
 */
export const AVAILABLE_SQL = `b.purchased_quantity - COALESCE((
  SELECT sum(ol.qty) FROM allocations a JOIN order_lines ol ON ol.id = a.orderline_id
  WHERE a.batch_id = b.id), 0)`;

/**
 * The book's preference: warehouse stock (no eta) first, then the earliest shipment, ties by
 * reference. COLLATE "C" compares by code point, whatever the database's locale is.
 */
export const ALLOCATION_ORDER_SQL = 'b.eta ASC NULLS FIRST, b.reference COLLATE "C" ASC';

/** Dates leave Postgres as text: pg would otherwise turn them into JS Dates at local midnight. */
export const ETA_SQL = `to_char(b.eta, 'YYYY-MM-DD')`;
