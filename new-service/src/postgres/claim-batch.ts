import type { EventIdentity, MessagePosition, Transaction } from '../types.js';
import { timestampOrNull } from './checkpoints.js';
import { noNul } from './raw-message.js';

/** A message of the batch: where it is and the event it carries. */
export interface BatchMessage {
  position: MessagePosition;
  identity: EventIdentity;
}

// One round trip for what `claimCheckpoint` and `addToInbox` do per message: the checkpoint moves
// past the last message (and stays locked until the transaction ends), and every event id goes to
// the inbox, only if the claim succeeded. Per message, the two statements were a third of the
// statements of a typical handler's transaction, and on a busy machine each costs a wake-up of
// the database backend. A duplicate within the batch (the adapter resends a batch after a partial
// acknowledgement) conflicts with the row its first copy inserted, so only the first is returned.
const CLAIM_SQL = `
  WITH claim AS (
    INSERT INTO strangler_checkpoint AS c
      (consumer, topic, partition, next_offset, message_timestamp)
    VALUES ($1, $2, $3, $5::bigint + 1, $6::bigint)
    ON CONFLICT (consumer, topic, partition) DO UPDATE
      SET next_offset = EXCLUDED.next_offset,
          message_timestamp = EXCLUDED.message_timestamp,
          updated_at = now()
      WHERE c.next_offset <= $4::bigint
    RETURNING 1
  ), added AS (
    INSERT INTO strangler_inbox
      (consumer, source, event_id, event_type, topic, partition, "offset", outcome)
    SELECT $1, m.source, m.id, m.type, $2, $3, m.off, 'applied'
      FROM unnest($7::text[], $8::text[], $9::text[], $10::bigint[]) AS m(source, id, type, off)
     WHERE EXISTS (SELECT FROM claim)
    ON CONFLICT DO NOTHING
    RETURNING "offset"
  )
  SELECT EXISTS (SELECT FROM claim) AS claimed,
         coalesce((SELECT array_agg("offset"::text) FROM added), '{}') AS added`;

/**
 * Claims the messages of one partition, in offset order, for the consumer: the offsets whose
 * events are new (to be handled), or null when the checkpoint is already past the first message
 * (a redelivery: the caller claims message by message, and nothing was written).
 */
export async function claimBatch(
  tx: Transaction,
  consumer: string,
  messages: readonly BatchMessage[],
  lastTimestamp: string | undefined,
): Promise<Set<string> | null> {
  const first = messages[0];
  const last = messages.at(-1);
  if (!first || !last) return new Set();
  const { rows } = await tx.query<{ claimed: boolean; added: string[] }>({
    name: 'strangler:claim-batch',
    text: CLAIM_SQL,
    values: [
      consumer,
      first.position.topic,
      first.position.partition,
      first.position.offset,
      last.position.offset,
      timestampOrNull(lastTimestamp),
      messages.map((m) => noNul(m.identity.source)),
      messages.map((m) => noNul(m.identity.id)),
      messages.map((m) => noNul(m.identity.type)),
      messages.map((m) => m.position.offset),
    ],
  });
  const row = rows[0];
  return row?.claimed ? new Set(row.added) : null;
}
