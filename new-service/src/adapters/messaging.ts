import type { Pool, PoolClient } from 'pg';
import type { Checkpoints, Inbox } from '../serviceLayer/unitOfWork.js';
import type { EventIdentity, InboxOutcome, MessagePosition } from '../types.js';
import { noNul } from './rawMessage.js';

/** The inbox table: one row per (source, id) ever taken into account. */
export class PgInbox implements Inbox {
  readonly #client: PoolClient;

  constructor(client: PoolClient) {
    this.#client = client;
  }

  async add(event: EventIdentity, at: MessagePosition, outcome: InboxOutcome): Promise<boolean> {
    const { rowCount } = await this.#client.query({
      name: 'new-service:inbox-add',
      text: `INSERT INTO inbox (source, event_id, event_type, topic, partition, "offset", outcome)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      values: [
        noNul(event.source),
        noNul(event.id),
        noNul(event.type),
        at.topic,
        at.partition,
        at.offset,
        outcome,
      ],
    });
    return rowCount === 1;
  }

  async forgetDeadLettered(event: EventIdentity): Promise<boolean> {
    const { rowCount } = await this.#client.query(
      `DELETE FROM inbox WHERE source = $1 AND event_id = $2 AND outcome = 'dead_lettered'`,
      [noNul(event.source), noNul(event.id)],
    );
    return rowCount === 1;
  }

  async setOutcome(event: EventIdentity, outcome: InboxOutcome): Promise<void> {
    await this.#client.query({
      name: 'new-service:inbox-outcome',
      text: 'UPDATE inbox SET outcome = $3 WHERE source = $1 AND event_id = $2',
      values: [noNul(event.source), noNul(event.id), outcome],
    });
  }
}

/** The consumer_checkpoint table: per topic and partition, the offset of the next message. */
export class PgCheckpoints implements Checkpoints {
  readonly #client: PoolClient;

  constructor(client: PoolClient) {
    this.#client = client;
  }

  async claim({ topic, partition, offset }: MessagePosition): Promise<boolean> {
    // `<=` and not `=`: offsets may have gaps (compaction, transaction markers). A concurrent
    // claim of the same message waits for the row lock, then sees the moved checkpoint and fails.
    const { rowCount } = await this.#client.query({
      name: 'new-service:checkpoint-claim',
      text: `INSERT INTO consumer_checkpoint AS c (topic, partition, next_offset)
             VALUES ($1, $2, $3::bigint + 1)
             ON CONFLICT (topic, partition) DO UPDATE
               SET next_offset = EXCLUDED.next_offset, updated_at = now()
               WHERE c.next_offset <= $3::bigint`,
      values: [topic, partition, offset],
    });
    return rowCount === 1;
  }
}

/** The stored next offset of each partition of `topic`. */
export async function loadCheckpoints(pool: Pool, topic: string): Promise<Map<number, string>> {
  const { rows } = await pool.query<{ partition: number; next_offset: string }>(
    'SELECT partition, next_offset FROM consumer_checkpoint WHERE topic = $1',
    [topic],
  );
  return new Map(rows.map((row) => [row.partition, row.next_offset]));
}
