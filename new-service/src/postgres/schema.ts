import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Migration } from '../types.js';
import { inTransaction } from './transaction.js';

/**
 * The kit's tables, prefixed `strangler_` so they never collide with the user's. Every row names
 * its consumer: each consumer of a service has its own inbox rows, checkpoints and dead letters.
 */
export const KIT_STATEMENTS = [
  // Event ids taken into account: the deduplication half of exactly-once.
  `CREATE TABLE IF NOT EXISTS strangler_inbox (
     consumer text NOT NULL,
     source text NOT NULL,
     event_id text NOT NULL,
     event_type text NOT NULL,
     topic text NOT NULL,
     partition integer NOT NULL,
     "offset" bigint NOT NULL,
     outcome text NOT NULL,
     processed_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (consumer, source, event_id)
   )`,
  // Per consumer and partition, the offset of the next message: the other half.
  `CREATE TABLE IF NOT EXISTS strangler_checkpoint (
     consumer text NOT NULL,
     topic text NOT NULL,
     partition integer NOT NULL,
     next_offset bigint NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (consumer, topic, partition)
   )`,
  // When the newest applied message was written to Kafka (ms since epoch): how far behind the
  // service is, in time, once newer messages wait. Added later, hence the ALTER, only when the
  // column is missing: ALTER TABLE locks the table even when IF NOT EXISTS makes it a no-op, and
  // running instances claim checkpoint rows all the time.
  `DO $$ BEGIN
     IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name = 'strangler_checkpoint'
                       AND column_name = 'message_timestamp') THEN
       ALTER TABLE strangler_checkpoint ADD COLUMN message_timestamp bigint;
     END IF;
   END $$`,
  `CREATE TABLE IF NOT EXISTS strangler_dead_letter (
     id bigserial PRIMARY KEY,
     consumer text NOT NULL,
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
     -- Set by a replay that took the message into account; null while it waits.
     replayed_at timestamptz,
     replay_outcome text,
     replay_attempts integer NOT NULL DEFAULT 0,
     UNIQUE (consumer, topic, partition, "offset")
   )`,
  `CREATE INDEX IF NOT EXISTS strangler_dead_letter_waiting
     ON strangler_dead_letter (consumer, id) WHERE replayed_at IS NULL`,
  // The events of commands, written in the command's transaction and published by the adapter's
  // outbox mode (Debezium's layout plus source and headers). Rows are deleted in the transaction
  // that wrote them: the WAL keeps the insert for the adapter, and the table stays empty.
  `CREATE TABLE IF NOT EXISTS strangler_outbox (
     id text PRIMARY KEY,
     aggregatetype text NOT NULL,
     aggregateid text NOT NULL,
     type text NOT NULL,
     payload jsonb NOT NULL,
     source text NOT NULL,
     headers jsonb NOT NULL DEFAULT '{}'
   )`,
];

/**
 * Creates the kit's tables, then runs the user's migrations, in one transaction under an advisory
 * lock: instances starting together do not race on CREATE (IF NOT EXISTS is not safe against a
 * concurrent create), and a failing step leaves nothing half-made.
 */
export async function migrate(
  pool: Pool,
  migrations: readonly Migration[],
  logger: Logger,
): Promise<void> {
  await inTransaction(pool, { synchronousCommit: true, logger }, async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('strangler-new-service:schema'))`);
    for (const statement of KIT_STATEMENTS) await tx.query(statement);
    for (const [i, step] of migrations.entries()) {
      try {
        if (typeof step === 'string') await tx.query(step);
        else await step(tx);
      } catch (err) {
        const what = typeof step === 'string' ? step.trim().split('\n')[0] : 'a function';
        throw new Error(`migration ${i + 1} (${what}) failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
  });
}
