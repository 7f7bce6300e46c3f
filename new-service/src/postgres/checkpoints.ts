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
): Promise<boolean> {
  // `<=` and not `=`: offsets may have gaps (compaction, transaction markers). A concurrent
  // claim of the same message waits for the row lock, then sees the moved checkpoint and fails.
  const { rowCount } = await tx.query({
    name: 'strangler:checkpoint-claim',
    text: `INSERT INTO strangler_checkpoint AS c (consumer, topic, partition, next_offset)
           VALUES ($1, $2, $3, $4::bigint + 1)
           ON CONFLICT (consumer, topic, partition) DO UPDATE
             SET next_offset = EXCLUDED.next_offset, updated_at = now()
             WHERE c.next_offset <= $4::bigint`,
    values: [consumer, topic, partition, offset],
  });
  return rowCount === 1;
}

/** The consumer's stored next offset of each partition of `topic`. */
export async function loadCheckpoints(
  pool: Pool,
  consumer: string,
  topic: string,
): Promise<Map<number, string>> {
  const { rows } = await pool.query<{ partition: number; next_offset: string }>(
    'SELECT partition, next_offset FROM strangler_checkpoint WHERE consumer = $1 AND topic = $2',
    [consumer, topic],
  );
  return new Map(rows.map((row) => [row.partition, row.next_offset]));
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
