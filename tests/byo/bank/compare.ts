import { Kafka, logLevel } from 'kafkajs';
import type pg from 'pg';

/** The legacy tables, in the read model's terms: text ids, numerics without trailing zeros. */
export async function legacyState(legacy: pg.Pool) {
  const [accounts, holds, rates] = await Promise.all([
    legacy.query(
      `SELECT id::text, owner, trim_scale(balance)::text AS balance, profile::text, statement
         FROM accounts ORDER BY id::text`,
    ),
    legacy.query(
      `SELECT id::text, account_id::text, trim_scale(amount)::text AS amount, note
         FROM holds ORDER BY id::text`,
    ),
    legacy.query(
      `SELECT currency::text, trim_scale(rate)::text AS rate FROM fx_rates ORDER BY currency`,
    ),
  ]);
  return { accounts: accounts.rows, holds: holds.rows, rates: rates.rows };
}

/** The new service's read model, in the same form as {@link legacyState}. */
export async function readModelState(model: pg.Pool) {
  const [accounts, holds, rates] = await Promise.all([
    model.query(
      `SELECT id, owner, trim_scale(balance)::text AS balance, profile::text, statement
         FROM account_view ORDER BY id`,
    ),
    model.query(
      `SELECT id, account_id, trim_scale(amount)::text AS amount, note FROM hold_view ORDER BY id`,
    ),
    model.query(`SELECT currency, trim_scale(rate)::text AS rate FROM rate_view ORDER BY currency`),
  ]);
  return { accounts: accounts.rows, holds: holds.rows, rates: rates.rows };
}

export interface PublishedEvent {
  id: string;
  key: string;
  type: string;
  value: string;
}

/** Every message of the topic, read from the start up to its current end. */
export async function readTopic(brokers: string[], topic: string): Promise<PublishedEvent[]> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]),
  );
  await admin.disconnect();
  const remaining = new Map([...ends].filter(([, high]) => high > 0));
  const events: PublishedEvent[] = [];
  const consumer = kafka.consumer({
    groupId: `${topic}-reader-${Date.now()}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    if (remaining.size === 0) resolve();
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const header = (name: string) => message.headers?.[name]?.toString() ?? '';
        events.push({
          id: header('ce_id'),
          key: message.key?.toString() ?? '',
          type: header('ce_type'),
          value: message.value?.toString() ?? '',
        });
        if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) {
          remaining.delete(partition);
          if (remaining.size === 0) resolve();
        }
      },
    });
  });
  await done;
  await consumer.disconnect();
  return events;
}
