import { migrate, withTransaction } from '@strangler/new-service';
import { onCleanup, testDatabase } from '@strangler/tests/harness';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../domain/index.js';
import { commandHandlers } from '../service-layer/handlers.js';
import { MessageBus } from '../service-layer/message-bus.js';
import { quietLogger } from '../testing/kafka.fixture.js';
import { readAvailability } from '../views.js';
import { CHANGED_CHANNEL } from './changes.js';
import { PgAllocationUnitOfWork } from './pg-unit-of-work.js';
import { ALLOCATION_MIGRATIONS, CONSUMER_NAME } from './schema.js';

let pool: pg.Pool;
let url: string;
const bus = new MessageBus(commandHandlers);
const log = quietLogger();

beforeAll(async () => {
  const db = await testDatabase('alloc_repo');
  url = db.url;
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  onCleanup(() => pool.end());
  await migrate(pool, { migrations: ALLOCATION_MIGRATIONS, logger: log });
});

/** Handles commands in one unit of work on the kit's transaction, committing it. */
const handle = (...commands: Command[]) =>
  withTransaction(pool, async (tx) => {
    const uow = new PgAllocationUnitOfWork(tx);
    for (const command of commands) await bus.handle(command, uow, log);
    await uow.commit();
  });

describe('PgAllocationUnitOfWork', () => {
  it('keeps nothing of a transaction that failed', async () => {
    await expect(
      withTransaction(pool, async (tx) => {
        const uow = new PgAllocationUnitOfWork(tx);
        await bus.handle({ type: 'RecordProduct', sku: 'UNCOMMITTED' }, uow, log);
        await uow.commit();
        throw new Error('after the writes');
      }),
    ).rejects.toThrow('after the writes');
    expect(await readAvailability(pool, 'UNCOMMITTED')).toBeUndefined();
  });

  it('keeps allocations in allocation order across reloads, for last-in-first-out', async () => {
    const sku = 'ORDERED';
    await handle({ type: 'RecordBatch', sku, ref: 'ord-1', qty: 10, eta: null });
    await handle({ type: 'RecordAllocation', sku, orderid: 'z-first', qty: 1, batchref: 'ord-1' });
    await handle({ type: 'RecordAllocation', sku, orderid: 'a-second', qty: 1, batchref: 'ord-1' });
    await withTransaction(pool, async (tx) => {
      const uow = new PgAllocationUnitOfWork(tx);
      const product = await uow.products.get(sku);
      expect(product?.batch('ord-1')?.allocations.map((l) => l.orderid)).toEqual([
        'z-first',
        'a-second',
      ]);
      expect(product?.changeBatchQuantity('ord-1', 1).map((l) => l.orderid)).toEqual(['a-second']);
      await uow.commit();
    });
    expect(await readAvailability(pool, sku)).toEqual([{ ref: 'ord-1', eta: null, available: 0 }]);
  });

  it('saves a product only at the version it loaded: a second writer gets a version conflict and keeps nothing', async () => {
    const sku = 'RACED';
    await handle({ type: 'RecordBatch', sku, ref: 'race-1', qty: 10, eta: null, version: 1 });
    const signal = () => {
      let fire: () => void = () => {};
      const done = new Promise<void>((resolve) => (fire = resolve));
      return { fire, done };
    };
    const lateLoaded = signal();
    const earlySaved = signal();
    const allocateOne = (orderid: string, loaded: () => void, saveAfter: Promise<void>) =>
      withTransaction(pool, async (tx) => {
        const uow = new PgAllocationUnitOfWork(tx);
        const product = await uow.products.get(sku);
        loaded();
        await saveAfter;
        product?.allocate({ orderid, sku, qty: 1 });
        await uow.commit();
      });
    // Both load version 1; the late one saves only after the early one committed.
    const second = allocateOne('o-late', lateLoaded.fire, earlySaved.done);
    await lateLoaded.done;
    await allocateOne('o-early', () => {}, Promise.resolve());
    earlySaved.fire();
    await expect(second).rejects.toMatchObject({
      code: 'version_conflict',
      retriable: true,
      message: `product ${sku} is no longer at version 1: another writer saved it`,
    });
    expect(await readAvailability(pool, sku)).toEqual([{ ref: 'race-1', eta: null, available: 9 }]);
    await withTransaction(pool, async (tx) => {
      expect((await new PgAllocationUnitOfWork(tx).products.get(sku))?.version).toBe(2);
    });
  });

  it('notifies each changed sku on the read cache channel, once committed', async () => {
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query(`LISTEN ${CHANGED_CHANNEL}`);
    await handle(
      { type: 'RecordBatch', sku: 'HEARD', ref: 'heard-1', qty: 1, eta: null },
      { type: 'RecordProduct', sku: 'QUIET' },
    );
    await withTransaction(pool, async (tx) => {
      const uow = new PgAllocationUnitOfWork(tx);
      await bus.handle({ type: 'RecordProduct', sku: 'QUIET' }, uow, log); // no change
      await uow.commit();
    });
    await listener.query('SELECT 1'); // notifications of committed transactions arrive before this
    await listener.end();
    expect(heard).toEqual(['HEARD', 'QUIET']);
  });
});

describe('ALLOCATION_MIGRATIONS', () => {
  it("moves the rows of the tables written before the kit into the kit's, under the consumer's name", async () => {
    const old = await testDatabase('alloc_upgrade');
    const oldPool = new pg.Pool({ connectionString: old.url, max: 2 });
    try {
      await oldPool.query(`
        CREATE TABLE inbox (source text, event_id text, event_type text, topic text,
          partition integer, "offset" bigint, outcome text, processed_at timestamptz DEFAULT now(),
          PRIMARY KEY (source, event_id));
        CREATE TABLE consumer_checkpoint (topic text, partition integer, next_offset bigint,
          updated_at timestamptz DEFAULT now(), PRIMARY KEY (topic, partition));
        CREATE TABLE dead_letter (id bigserial PRIMARY KEY, topic text, partition integer,
          "offset" bigint, message_key bytea, headers jsonb, value bytea, message_timestamp text,
          reason_code text, reason text, details jsonb, event_source text, event_id text,
          event_type text, created_at timestamptz DEFAULT now(), replayed_at timestamptz,
          replay_outcome text, replay_attempts integer DEFAULT 0);
        INSERT INTO inbox VALUES ('/legacy', 'e-1', 't', 'allocation.events', 0, 4, 'applied');
        INSERT INTO consumer_checkpoint VALUES ('allocation.events', 0, 5);
        INSERT INTO dead_letter (topic, partition, "offset", headers, reason_code, reason)
          VALUES ('allocation.events', 0, 3, '{}', 'unknown_batch', 'Unknown batch x');`);
      await migrate(oldPool, { migrations: ALLOCATION_MIGRATIONS, logger: log });
      await migrate(oldPool, { migrations: ALLOCATION_MIGRATIONS, logger: log }); // idempotent
      const one = async (sql: string) => (await oldPool.query(sql)).rows;
      expect(await one('SELECT consumer, event_id, "offset"::int FROM strangler_inbox')).toEqual([
        { consumer: CONSUMER_NAME, event_id: 'e-1', offset: 4 },
      ]);
      expect(
        await one('SELECT consumer, topic, next_offset::int FROM strangler_checkpoint'),
      ).toEqual([{ consumer: CONSUMER_NAME, topic: 'allocation.events', next_offset: 5 }]);
      expect(await one('SELECT consumer, reason_code FROM strangler_dead_letter')).toEqual([
        { consumer: CONSUMER_NAME, reason_code: 'unknown_batch' },
      ]);
      expect(await one(`SELECT to_regclass('inbox') AS gone`)).toEqual([{ gone: null }]);
    } finally {
      await oldPool.end();
    }
  });
});
