import type { Pool } from 'pg';

/**
 * The book's four tables (Architecture Patterns with Python, chapters 2 and 7), each with a primary
 * key so logical replication can carry its updates and deletes.
 */
const ddl = `
CREATE TABLE IF NOT EXISTS products (
  sku text PRIMARY KEY,
  version_number int NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS batches (
  id serial PRIMARY KEY,
  reference text UNIQUE NOT NULL,
  sku text NOT NULL REFERENCES products(sku),
  purchased_quantity int NOT NULL CHECK (purchased_quantity >= 0),
  eta date NULL
);
CREATE TABLE IF NOT EXISTS order_lines (
  id serial PRIMARY KEY,
  orderid text NOT NULL,
  sku text NOT NULL,
  qty int NOT NULL CHECK (qty > 0),
  UNIQUE (orderid, sku)
);
CREATE TABLE IF NOT EXISTS allocations (
  id serial PRIMARY KEY,
  orderline_id int NOT NULL UNIQUE REFERENCES order_lines(id),
  batch_id int NOT NULL REFERENCES batches(id)
);
CREATE INDEX IF NOT EXISTS batches_sku_idx ON batches (sku);
CREATE INDEX IF NOT EXISTS allocations_batch_id_idx ON allocations (batch_id);
`;

/** Arbitrary constant: serialises concurrent migrations of several instances on one database. */
const MIGRATION_LOCK = 715_304_221;

/**
 * Creates the schema if it is missing. Safe to run on every start and from several processes at
 * once: `CREATE ... IF NOT EXISTS` alone races on the catalog, so the statements run under an
 * advisory lock in one transaction.
 */
export async function migrate(pool: Pool): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(ddl);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
    throw err;
  } finally {
    client.release(broken);
  }
}
