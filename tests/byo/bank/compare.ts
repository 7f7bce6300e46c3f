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

/**
 * What the new service's tables say about exactly-once, beside what it should say: the inbox holds
 * every distinct published event id once, nothing was dead-lettered, and each aggregate's counter of
 * applications equals its number of distinct events (a second application would show there).
 */
export async function exactlyOnce(model: pg.Pool, consumer: string, published: PublishedEvent[]) {
  const distinct = new Map(published.map((e) => [e.id, e]));
  const { rows: inbox } = await model.query<{ event_id: string; outcome: string }>(
    'SELECT event_id, outcome FROM strangler_inbox WHERE consumer = $1',
    [consumer],
  );
  const expectedPerAggregate = new Map<string, number>();
  for (const event of distinct.values()) {
    expectedPerAggregate.set(event.key, (expectedPerAggregate.get(event.key) ?? 0) + 1);
  }
  const { rows: applied } = await model.query<{ aggregate_id: string; events: number }>(
    'SELECT aggregate_id, events FROM applied',
  );
  const { rows: deadLetters } = await model.query('SELECT * FROM strangler_dead_letter');
  return {
    inboxIds: new Set(inbox.map((r) => r.event_id)),
    publishedIds: new Set(distinct.keys()),
    deadLettered: inbox.filter((r) => r.outcome === 'dead_lettered'),
    deadLetters,
    appliedPerAggregate: new Map(applied.map((r) => [r.aggregate_id, r.events])),
    expectedPerAggregate,
  };
}

/** Every id published more than once was published as the same event (key, type, data): the ids that were not. */
export function republishedDifferently(published: PublishedEvent[]): string[] {
  const byId = new Map<string, PublishedEvent>();
  const differing: string[] = [];
  for (const event of published) {
    const first = byId.get(event.id);
    if (!first) byId.set(event.id, event);
    else if (JSON.stringify(first) !== JSON.stringify(event)) differing.push(event.id);
  }
  return differing;
}
