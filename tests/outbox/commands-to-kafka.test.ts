import { defineCatalog, defineEvent, fields } from '@strangler/event-schemas';
import { outboxMapper, startAdapter, type RunningAdapter } from '@strangler/legacy-adapter';
import {
  createCommandRunner,
  migrate,
  rejected,
  type CommandContext,
  type Transaction,
} from '@strangler/new-service';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { kafkaBrokers, testDatabase, uniqueName } from '../harness/index.js';

// A service's writes, end to end through the public APIs: commands of the new-service kit write
// their events to the outbox in the transaction of their changes, and the legacy adapter's outbox
// mode publishes them. A small ledger, not the example's domain.

const deposited = defineEvent({
  type: 'com.example.ledger.deposited.v1',
  name: 'Deposited',
  aggregate: 'Account',
  description: 'Money was paid into an account.',
  schema: z.object({
    accountId: fields.nonEmptyString(),
    amount: fields.integerAtLeast(1),
    version: fields.integerAtLeast(1),
  }),
  aggregateId: 'accountId',
  example: { accountId: 'a-1', amount: 10, version: 1 },
});
const catalog = defineCatalog([deposited], { name: 'ledger' });

const logger = pino({ level: 'silent' });
let pool: pg.Pool;
let url: string;
const adapters: RunningAdapter[] = [];

beforeAll(async () => {
  const db = await testDatabase('outbox');
  url = db.url;
  pool = new pg.Pool({ connectionString: url, max: 8 });
  await migrate(pool, {
    migrations: [
      `CREATE TABLE account (id text PRIMARY KEY, balance bigint NOT NULL, version int NOT NULL)`,
      `INSERT INTO account SELECT 'acc-' || i, 0, 0 FROM generate_series(1, 4) i`,
    ],
    logger,
  });
});
afterAll(async () => {
  for (const a of adapters) await a.close();
  await pool.end();
});

/** The command: a deposit, refused for an unknown account, versioned under the row's lock. */
const deposit =
  (accountId: string, amount: number) =>
  async (tx: Transaction, ctx: CommandContext<typeof catalog>) => {
    const { rows } = await tx.query<{ version: number }>(
      'SELECT version FROM account WHERE id = $1 FOR UPDATE',
      [accountId],
    );
    if (!rows[0]) throw rejected('unknown_account', `no account ${accountId}`);
    const version = rows[0].version + 1;
    await tx.query('UPDATE account SET balance = balance + $2, version = $3 WHERE id = $1', [
      accountId,
      amount,
      version,
    ]);
    ctx.emit(catalog.types.Deposited, { accountId, amount, version });
    return version;
  };

async function readAll(topic: string, count: number) {
  const consumer = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).consumer({
    groupId: `reader-${randomUUID()}`,
    maxWaitTimeInMs: 100,
  });
  const seen: Array<{ key: string; id: string; data: { version: number; accountId: string } }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.length} of ${count}`)), 20_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const parsed = catalog.parseKafkaMessage(message);
          if (!parsed.ok) throw parsed.error;
          seen.push({
            key: String(message.key),
            id: parsed.event.id,
            data: parsed.event.data,
          });
          if (seen.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('commands through the outbox to Kafka', () => {
  it('publishes the events of committed commands only, each account in commit order with no gap, under concurrent commands', async () => {
    const topic = uniqueName('ledger');
    adapters.push(
      await startAdapter({
        catalog,
        mapper: outboxMapper(),
        topic,
        databaseUrl: url,
        kafkaBrokers: kafkaBrokers(),
        slot: uniqueName('slot'),
        publication: uniqueName('pub'),
        logger,
      }),
    );
    const commands = createCommandRunner({
      pool,
      catalog,
      source: '/services/ledger',
      unitOfWork: (tx) => tx,
      logger,
    });
    const accepted: string[] = [];
    const runs = Array.from({ length: 100 }, async (_, i) => {
      const account = `acc-${(i % 4) + 1}`;
      if (i % 10 === 3) {
        // Dry runs and refused commands leave no event.
        await commands.run(deposit(account, 5), { dryRun: true });
        await expect(commands.run(deposit('acc-none', 5))).rejects.toMatchObject({
          reason: 'unknown_account',
        });
        return;
      }
      const { events } = await commands.run(deposit(account, i + 1));
      accepted.push(events[0]!.id);
    });
    await Promise.all(runs);
    expect(accepted).toHaveLength(90);
    const published = await readAll(topic, 90);
    expect(published.map((m) => m.id).sort()).toEqual([...accepted].sort());
    for (let n = 1; n <= 4; n++) {
      const account = published.filter((m) => m.key === `acc-${n}`);
      // Each account's versions in Kafka order are exactly 1, 2, 3, ...: commit order, no gap.
      expect(account.map((m) => m.data.version)).toEqual(account.map((_, i) => i + 1));
    }
    const { rows } = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM strangler_outbox',
    );
    expect(rows[0]!.n).toBe(0);
  });
});
