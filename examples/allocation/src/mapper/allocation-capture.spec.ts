import { startAdapter, type RunningAdapter } from '@strangler/legacy-adapter';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, testDatabase, uniqueName } from '@strangler/tests/harness';
import { allocationCatalog, type AllocationEvent } from '../catalog/index.js';
import mapper from './index.js';
import { LEGACY_SCHEMA, LegacyWriter } from './legacy-writer.fixture.js';

// The allocation mapper in the real capture pipeline: the monolith's writes through Postgres
// logical replication and the adapter to Kafka, read back through the catalog.

let pool: pg.Pool;
let url: string;
const running: RunningAdapter[] = [];
beforeAll(async () => {
  const db = await testDatabase('allocation');
  url = db.url;
  pool = new pg.Pool({ connectionString: db.url });
  await pool.query(LEGACY_SCHEMA);
});
afterAll(async () => {
  for (const a of running) await a.close();
  await pool.end();
});

async function read(
  topic: string,
  count: number,
): Promise<Array<{ partition: number; event: AllocationEvent }>> {
  const consumer = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).consumer({
    groupId: `reader-${randomUUID()}`,
    maxWaitTimeInMs: 100,
  });
  const seen: Array<{ partition: number; event: AllocationEvent }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${seen.length} of ${count} events`)),
        20_000,
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const parsed = allocationCatalog.parseKafkaMessage(message);
          if (!parsed.ok) throw parsed.error;
          seen.push({ partition, event: parsed.event });
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

describe('allocation mapper in the capture pipeline', () => {
  it('publishes the snapshot, then each transaction in commit order, keyed by sku, with the product version of the transaction', async () => {
    const writer = new LegacyWriter(pool);
    const sku = uniqueName('SKU').toUpperCase();
    const topic = uniqueName('allocation');
    await writer.addBatch(`${sku}-wh`, sku, 10);
    await writer.allocate(`${sku}-o1`, sku, 3, `${sku}-wh`);
    running.push(
      await startAdapter({
        catalog: allocationCatalog,
        mapper,
        topic,
        databaseUrl: url,
        kafkaBrokers: kafkaBrokers(),
        slot: uniqueName('slot'),
        publication: uniqueName('pub'),
        alterReplicaIdentity: true,
        logger: pino({ level: 'silent' }),
      }),
    );
    await writer.addBatch(`${sku}-ship`, sku, 20, '2030-01-15');
    await writer.allocate(`${sku}-o2`, sku, 5, `${sku}-ship`);
    await writer.changeQuantity(`${sku}-wh`, 8);
    await writer.deallocate(`${sku}-o1`, sku);
    const events = await read(topic, 7);
    expect(events.map(({ event }) => [event.type.split('.')[3], event.data])).toEqual([
      ['product_created', { sku, version: 2 }],
      ['batch_created', { sku, ref: `${sku}-wh`, qty: 10, eta: null, version: 2 }],
      ['allocated', { sku, orderid: `${sku}-o1`, qty: 3, batchref: `${sku}-wh`, version: 2 }],
      ['batch_created', { sku, ref: `${sku}-ship`, qty: 20, eta: '2030-01-15', version: 3 }],
      ['allocated', { sku, orderid: `${sku}-o2`, qty: 5, batchref: `${sku}-ship`, version: 4 }],
      ['batch_quantity_changed', { sku, ref: `${sku}-wh`, qty: 8, version: 5 }],
      ['deallocated', { sku, orderid: `${sku}-o1`, qty: 3, batchref: `${sku}-wh`, version: 6 }],
    ]);
    expect(new Set(events.map((e) => e.partition)).size).toBe(1);
  });
});
