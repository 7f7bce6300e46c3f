import type { Pool, PoolClient } from 'pg';
import type { DeadLetters } from '../serviceLayer/unitOfWork.js';
import type { DeadLetter, DeadLetterReason, MessagePosition, RawMessage } from '../types.js';
import {
  headersFromJson,
  headersToJson,
  jsonWithoutNul,
  noNul,
  type HeaderJson,
} from './rawMessage.js';

/** The dead_letter table: messages that can never be applied, byte for byte, with the reason. */
export class PgDeadLetters implements DeadLetters {
  readonly #client: PoolClient;

  constructor(client: PoolClient) {
    this.#client = client;
  }

  async add({ position, message, reason, event }: DeadLetter): Promise<void> {
    await this.#client.query({
      name: 'new-service:dead-letter-add',
      text: `INSERT INTO dead_letter (topic, partition, "offset", message_key, headers, value,
               message_timestamp, reason_code, reason, details, event_source, event_id, event_type)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (topic, partition, "offset") DO NOTHING`,
      values: [
        position.topic,
        position.partition,
        position.offset,
        message.key,
        JSON.stringify(headersToJson(message.headers)),
        message.value,
        message.timestamp ?? null,
        noNul(reason.code),
        noNul(reason.message),
        reason.details === undefined ? null : JSON.stringify(jsonWithoutNul(reason.details)),
        event ? noNul(event.source) : null,
        event ? noNul(event.id) : null,
        event ? noNul(event.type) : null,
      ],
    });
  }

  async markReplayed(id: string, outcome: string): Promise<void> {
    await this.#client.query(
      `UPDATE dead_letter SET replayed_at = now(), replay_outcome = $2,
         replay_attempts = replay_attempts + 1 WHERE id = $1`,
      [id, outcome],
    );
  }

  async markFailedAgain(id: string, reason: DeadLetterReason): Promise<void> {
    await this.#client.query(
      `UPDATE dead_letter SET reason_code = $2, reason = $3, details = $4,
         replay_attempts = replay_attempts + 1 WHERE id = $1`,
      [
        id,
        noNul(reason.code),
        noNul(reason.message),
        reason.details === undefined ? null : JSON.stringify(jsonWithoutNul(reason.details)),
      ],
    );
  }
}

/** Dead letters no replay has taken into account yet. */
export async function countDeadLetters(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM dead_letter WHERE replayed_at IS NULL',
  );
  return Number(rows[0]?.n ?? 0);
}

/** A dead letter as stored, with the message rebuilt as kafkajs would deliver it. */
export interface StoredDeadLetter {
  id: string;
  position: MessagePosition;
  message: RawMessage;
}

interface DeadLetterRow {
  id: string;
  topic: string;
  partition: number;
  offset: string;
  message_key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, HeaderJson | HeaderJson[]>;
  message_timestamp: string | null;
}

/** Dead letters waiting for a replay (all, or those with the given ids), oldest first. */
export async function loadDeadLetters(pool: Pool, ids?: string[]): Promise<StoredDeadLetter[]> {
  const { rows } = await pool.query<DeadLetterRow>(
    `SELECT id, topic, partition, "offset", message_key, value, headers, message_timestamp
     FROM dead_letter
     WHERE replayed_at IS NULL AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
     ORDER BY id`,
    [ids ?? null],
  );
  return rows.map((row) => ({
    id: String(row.id),
    position: { topic: row.topic, partition: row.partition, offset: String(row.offset) },
    message: {
      key: row.message_key,
      value: row.value,
      headers: headersFromJson(row.headers),
      ...(row.message_timestamp === null ? {} : { timestamp: row.message_timestamp }),
    },
  }));
}
