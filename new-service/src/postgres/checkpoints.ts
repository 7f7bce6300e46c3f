import type { Pool } from 'pg';
import type { MessagePosition, Transaction } from '../types.js';

/**
 * Moves the consumer's checkpoint of the message's partition past it and locks the row until the
 * transaction ends; false when the checkpoint is already past it (another delivery processed it).
 */
export async function claimCheckpoint(
  tx: Transaction,
  consumer: string,
  { topic, partition, offset }: MessagePosition,
  timestamp: string | undefined,
): Promise<boolean> {
  // `<=` and not `=`: offsets may have gaps (compaction, transaction markers). A concurrent
  // claim of the same message waits for the row lock, then sees the moved checkpoint and fails.
  const { rowCount } = await tx.query({
    name: 'strangler:checkpoint-claim',
    text: `INSERT INTO strangler_checkpoint AS c
             (consumer, topic, partition, next_offset, message_timestamp)
           VALUES ($1, $2, $3, $4::bigint + 1, $5::bigint)
           ON CONFLICT (consumer, topic, partition) DO UPDATE
             SET next_offset = EXCLUDED.next_offset,
                 message_timestamp = EXCLUDED.message_timestamp,
                 updated_at = now()
             WHERE c.next_offset <= $4::bigint`,
    values: [consumer, topic, partition, offset, timestampOrNull(timestamp)],
  });
  return rowCount === 1;
}

/** Kafka timestamps are ms since epoch as a string; anything else is not stored. */
export const timestampOrNull = (t: string | undefined) => (t && /^\d{1,16}$/.test(t) ? t : null);

/** A partition's checkpoint: the next offset, and when the message before it was written. */
export interface StoredCheckpoint {
  nextOffset: string;
  /** ms since epoch; null for a checkpoint stored before the column existed, or without one. */
  messageTimestamp: number | null;
}

/** The consumer's stored checkpoint of each partition of `topic`. */
export async function loadCheckpoints(
  pool: Pool,
  consumer: string,
  topic: string,
): Promise<Map<number, StoredCheckpoint>> {
  const { rows } = await pool.query<{
    partition: number;
    next_offset: string;
    message_timestamp: string | null;
  }>(
    `SELECT partition, next_offset, message_timestamp
       FROM strangler_checkpoint WHERE consumer = $1 AND topic = $2`,
    [consumer, topic],
  );
  return new Map(
    rows.map((row) => [
      row.partition,
      {
        nextOffset: row.next_offset,
        messageTimestamp: row.message_timestamp === null ? null : Number(row.message_timestamp),
      },
    ]),
  );
}

/** The consumer's stored next offset of one partition, if any. */
export async function loadCheckpoint(
  pool: Pool,
  consumer: string,
  topic: string,
  partition: number,
): Promise<string | undefined> {
  const { rows } = await pool.query<{ next_offset: string }>({
    name: 'strangler:checkpoint-load',
    text: `SELECT next_offset FROM strangler_checkpoint
           WHERE consumer = $1 AND topic = $2 AND partition = $3`,
    values: [consumer, topic, partition],
  });
  return rows[0]?.next_offset;
}
