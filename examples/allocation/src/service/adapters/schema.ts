import type { Migration, Transaction } from '@strangler/new-service';

/** The name of the allocation consumer: it keys its inbox rows, checkpoints and dead letters. */
export const CONSUMER_NAME = 'allocation';

/**
 * The service's own tables, run by the kit after its own (idempotent, under its advisory lock).
 * Names are the new model's (product, batch, order_line), not the legacy tables'; text keys use
 * COLLATE "C" so every ordering is by code point, as the legacy answers are. Quantities are bigint:
 * events allow any safe integer.
 */
export const ALLOCATION_MIGRATIONS: Migration[] = [
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
  upgradeFromPreKitTables,
];

/**
 * Databases written before the service was built on the kit kept their inbox, checkpoints and
 * dead letters in `inbox`, `consumer_checkpoint` and `dead_letter`. Their rows move to the kit's
 * tables under this consumer's name, so an upgraded service resumes where it stood instead of
 * applying the whole topic again onto its existing model.
 */
async function upgradeFromPreKitTables(tx: Transaction): Promise<void> {
  const exists = async (table: string, column: string) =>
    (
      await tx.query(
        `SELECT 1 FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`,
        [table, column],
      )
    ).rowCount === 1;
  if (await exists('consumer_checkpoint', 'next_offset')) {
    await tx.query(
      `INSERT INTO strangler_checkpoint (consumer, topic, partition, next_offset, updated_at)
       SELECT $1, topic, partition, next_offset, updated_at FROM consumer_checkpoint
       ON CONFLICT DO NOTHING`,
      [CONSUMER_NAME],
    );
    await tx.query('DROP TABLE consumer_checkpoint');
  }
  if (await exists('inbox', 'event_id')) {
    await tx.query(
      `INSERT INTO strangler_inbox (consumer, source, event_id, event_type, topic, partition,
         "offset", outcome, processed_at)
       SELECT $1, source, event_id, event_type, topic, partition, "offset", outcome, processed_at
       FROM inbox ON CONFLICT DO NOTHING`,
      [CONSUMER_NAME],
    );
    await tx.query('DROP TABLE inbox');
  }
  if (await exists('dead_letter', 'reason_code')) {
    await tx.query(
      `INSERT INTO strangler_dead_letter (consumer, topic, partition, "offset", message_key,
         headers, value, message_timestamp, reason_code, reason, details, event_source, event_id,
         event_type, created_at, replayed_at, replay_outcome, replay_attempts)
       SELECT $1, topic, partition, "offset", message_key, headers, value, message_timestamp,
         reason_code, reason, details, event_source, event_id, event_type, created_at,
         replayed_at, replay_outcome, replay_attempts
       FROM dead_letter ORDER BY id ON CONFLICT DO NOTHING`,
      [CONSUMER_NAME],
    );
    await tx.query('DROP TABLE dead_letter');
  }
}

/** Empties the model, for a rebuild from the start of the topic (the kit forgets the rest). */
export async function resetAllocationTables(tx: Transaction): Promise<void> {
  await tx.query('TRUNCATE order_line, batch, product');
  await tx.query('ALTER SEQUENCE allocation_seq RESTART');
}
