import type { Pool } from 'pg';
import type { DeadLetterReason, EventIdentity, MessagePosition, Transaction } from '../types.js';
import {
  headersFromJson,
  headersToJson,
  jsonWithoutNul,
  noNul,
  type HeaderJson,
  type RawMessage,
} from './raw-message.js';

/** A message that can never be applied, as it is stored. */
export interface DeadLetter {
  consumer: string;
  position: MessagePosition;
  message: RawMessage;
  reason: DeadLetterReason;
  event?: EventIdentity;
}

const detailsJson = (reason: DeadLetterReason) =>
  reason.details === undefined ? null : JSON.stringify(jsonWithoutNul(reason.details));

/** Stores a dead letter byte for byte, with the reason (once per consumer and offset). */
export async function addDeadLetter(
  tx: Transaction,
  { consumer, position, message, reason, event }: DeadLetter,
): Promise<void> {
  await tx.query({
    name: 'strangler:dead-letter-add',
    text: `INSERT INTO strangler_dead_letter (consumer, topic, partition, "offset", message_key,
             headers, value, message_timestamp, reason_code, reason, details, event_source,
             event_id, event_type)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
           ON CONFLICT (consumer, topic, partition, "offset") DO NOTHING`,
    values: [
      consumer,
      position.topic,
      position.partition,
      position.offset,
      message.key,
      JSON.stringify(headersToJson(message.headers)),
      message.value,
      message.timestamp ?? null,
      noNul(reason.code),
      noNul(reason.message),
      detailsJson(reason),
      event ? noNul(event.source) : null,
      event ? noNul(event.id) : null,
      event ? noNul(event.type) : null,
    ],
  });
}

/** Records a replay that took the message into account (`applied`, `duplicate`...). */
export async function markReplayed(tx: Transaction, id: string, outcome: string): Promise<void> {
  await tx.query(
    `UPDATE strangler_dead_letter SET replayed_at = now(), replay_outcome = $2,
       replay_attempts = replay_attempts + 1 WHERE id = $1`,
    [id, outcome],
  );
}

/** Records a replay that failed again, with the new reason. */
export async function markFailedAgain(
  tx: Transaction,
  id: string,
  reason: DeadLetterReason,
): Promise<void> {
  await tx.query(
    `UPDATE strangler_dead_letter SET reason_code = $2, reason = $3, details = $4,
       replay_attempts = replay_attempts + 1 WHERE id = $1`,
    [id, noNul(reason.code), noNul(reason.message), detailsJson(reason)],
  );
}

/** The consumer's dead letters no replay has taken into account yet. */
export async function countDeadLetters(pool: Pool, consumer: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM strangler_dead_letter WHERE consumer = $1 AND replayed_at IS NULL',
    [consumer],
  );
  return Number(rows[0]?.n ?? 0);
}

/** A dead letter as stored, with the message rebuilt as kafkajs would deliver it. */
export interface StoredDeadLetter {
  id: string;
  consumer: string;
  position: MessagePosition;
  message: RawMessage;
}

interface DeadLetterRow {
  id: string;
  consumer: string;
  topic: string;
  partition: number;
  offset: string;
  message_key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, HeaderJson | HeaderJson[]>;
  message_timestamp: string | null;
}

/** Dead letters waiting for a replay, of the given consumers (and ids), oldest first. */
export async function loadDeadLetters(
  pool: Pool,
  consumers: readonly string[],
  ids?: readonly string[],
): Promise<StoredDeadLetter[]> {
  const { rows } = await pool.query<DeadLetterRow>(
    `SELECT id, consumer, topic, partition, "offset", message_key, value, headers,
       message_timestamp
     FROM strangler_dead_letter
     WHERE replayed_at IS NULL AND consumer = ANY($1::text[])
       AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))
     ORDER BY id`,
    [consumers, ids ?? null],
  );
  return rows.map((row) => ({
    id: String(row.id),
    consumer: row.consumer,
    position: { topic: row.topic, partition: row.partition, offset: String(row.offset) },
    message: {
      key: row.message_key,
      value: row.value,
      headers: headersFromJson(row.headers),
      ...(row.message_timestamp === null ? {} : { timestamp: row.message_timestamp }),
    },
  }));
}
