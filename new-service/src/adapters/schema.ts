import type { Pool } from 'pg';
import { guardClient } from './pgUnitOfWork.js';

/**
 * The service's own schema. Names are the new model's (product, batch, order_line), not the legacy
 * tables'; text keys use COLLATE "C" so every ordering is by code point, as the legacy answers are.
 * Quantities are bigint: events allow any safe integer, and a refused value would stall nothing
 * but would need a dead letter for no reason.
 */
const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS product (
     sku text COLLATE "C" PRIMARY KEY,
     version bigint NOT NULL DEFAULT 0
   )`,
  `CREATE TABLE IF NOT EXISTS batch (
     reference text COLLATE "C" PRIMARY KEY,
     sku text COLLATE "C" NOT NULL REFERENCES product (sku),
     purchased_quantity bigint NOT NULL,
     eta date,
     -- Denormalised sum of the allocated lines' qty, kept by the repository, so the availability
     -- read is one index scan.
     allocated_quantity bigint NOT NULL DEFAULT 0
   )`,
  // Allocation order (warehouse first, then eta, then reference): the read needs no sort.
  `CREATE INDEX IF NOT EXISTS batch_allocation_order
     ON batch (sku, eta ASC NULLS FIRST, reference)`,
  `CREATE SEQUENCE IF NOT EXISTS allocation_seq`,
  `CREATE TABLE IF NOT EXISTS order_line (
     sku text COLLATE "C" NOT NULL REFERENCES product (sku),
     orderid text COLLATE "C" NOT NULL,
     qty bigint NOT NULL,
     batch_reference text COLLATE "C" REFERENCES batch (reference),
     -- When the line was allocated (allocation_seq): the most recent allocation is taken back first.
     allocated_seq bigint,
     PRIMARY KEY (sku, orderid)
   )`,
  `CREATE TABLE IF NOT EXISTS inbox (
     source text NOT NULL,
     event_id text NOT NULL,
     event_type text NOT NULL,
     topic text NOT NULL,
     partition integer NOT NULL,
     "offset" bigint NOT NULL,
     outcome text NOT NULL,
     processed_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (source, event_id)
   )`,
  `CREATE TABLE IF NOT EXISTS consumer_checkpoint (
     topic text NOT NULL,
     partition integer NOT NULL,
     next_offset bigint NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (topic, partition)
   )`,
  `CREATE TABLE IF NOT EXISTS dead_letter (
     id bigserial PRIMARY KEY,
     topic text NOT NULL,
     partition integer NOT NULL,
     "offset" bigint NOT NULL,
     message_key bytea,
     headers jsonb NOT NULL,
     value bytea,
     message_timestamp text,
     reason_code text NOT NULL,
     reason text NOT NULL,
     details jsonb,
     event_source text,
     event_id text,
     event_type text,
     created_at timestamptz NOT NULL DEFAULT now(),
     -- Set by a replay that applied (or skipped as duplicate) the message; null while it waits.
     replayed_at timestamptz,
     replay_outcome text,
     replay_attempts integer NOT NULL DEFAULT 0,
     UNIQUE (topic, partition, "offset")
   )`,
];

/**
 * Creates whatever is missing. Idempotent, and serialised by an advisory lock so instances starting
 * together do not race on CREATE (IF NOT EXISTS is not safe against a concurrent create).
 */
export async function migrate(pool: Pool): Promise<void> {
  const client = guardClient(await pool.connect());
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('strangler-new-service:schema'))`);
    for (const statement of STATEMENTS) await client.query(statement);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
    throw err;
  } finally {
    client.release(broken);
  }
}
