import { randomUUID } from 'node:crypto';
import { testDatabase } from '@strangler/tests/harness';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../adapters/schema.js';
import { bootstrap } from '../bootstrap.js';
import type { Command } from '../domain/index.js';
import { quietLogger } from '../testing/kafka.fixture.js';
import { readAvailability } from '../views.js';
import { consumeBatch, consumeMessage, type IncomingMessage } from './consume.js';
import type { EventHandlers } from './messageBus.js';
import { runInUnitOfWork } from './unitOfWork.js';

let pool: pg.Pool;
let offset = 0;
const calls: string[] = [];
const eventHandlers: EventHandlers = {
  BatchCreated: [
    async () => {
      calls.push('failing');
      throw new Error('handler bug');
    },
    async (event) => {
      calls.push(`recorded ${event.ref}`);
    },
  ],
};

beforeAll(async () => {
  const db = await testDatabase('newsvc_uow');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  afterAll(() => pool.end());
  await migrate(pool);
});

const app = () => bootstrap({ pool, logger: quietLogger(), topic: 'facts', eventHandlers });

function incoming(command: Command, id = randomUUID(), at = offset++): IncomingMessage {
  return {
    position: { topic: 'facts', partition: 0, offset: String(at) },
    message: { key: null, value: null, headers: {} },
    translation: { ok: true, event: { source: '/test', id, type: command.type }, command },
  };
}

describe('consumeMessage', () => {
  it('applies a message once when two consumers deliver it at the same time', async () => {
    const { openUnitOfWork, bus } = app();
    const message = incoming({ type: 'RecordProduct', sku: 'RACE' });
    const results = await Promise.all([
      consumeMessage({ openUnitOfWork, bus }, message),
      consumeMessage({ openUnitOfWork, bus }, message),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['already_processed', 'applied']);
  });

  it('skips an event id it has seen, even at a new offset', async () => {
    const deps = app();
    const id = randomUUID();
    const batch: Command = { type: 'RecordBatch', sku: 'DUP', ref: 'dup-1', qty: 5, eta: null };
    expect((await consumeMessage(deps, incoming(batch, id))).outcome).toBe('applied');
    expect((await consumeMessage(deps, incoming(batch, id))).outcome).toBe('duplicate');
  });

  it('skips a fact older than the product version and keeps the newer state', async () => {
    const deps = app();
    const fact = (qty: number, version: number): Command => ({
      type: 'RecordBatchQuantity',
      sku: 'STALE',
      ref: 'stale-1',
      qty,
      version,
    });
    await consumeMessage(deps, incoming({ type: 'RecordProduct', sku: 'STALE', version: 1 }));
    await consumeMessage(
      deps,
      incoming({
        type: 'RecordBatch',
        sku: 'STALE',
        ref: 'stale-1',
        qty: 1,
        eta: null,
        version: 1,
      }),
    );
    expect((await consumeMessage(deps, incoming(fact(9, 3)))).outcome).toBe('applied');
    expect((await consumeMessage(deps, incoming(fact(4, 2)))).outcome).toBe('stale');
    expect(await readAvailability(pool, 'STALE')).toEqual([
      { ref: 'stale-1', eta: null, available: 9 },
    ]);
  });

  it('dead-letters a rule violation with its reason and still moves the checkpoint', async () => {
    const deps = app();
    const message = incoming({ type: 'RecordBatchEta', sku: 'NOWHERE', ref: 'x', eta: null });
    expect(await consumeMessage(deps, message)).toEqual({
      outcome: 'dead_lettered',
      reason: { code: 'unknown_product', message: 'Invalid sku NOWHERE' },
    });
    const { rows } = await pool.query(
      `SELECT next_offset FROM consumer_checkpoint WHERE topic = 'facts' AND partition = 0`,
    );
    expect(Number(rows[0].next_offset)).toBe(offset);
  });

  it('refuses a batch reference another sku already uses', async () => {
    const deps = app();
    await consumeMessage(
      deps,
      incoming({ type: 'RecordBatch', sku: 'ONE', ref: 'shared', qty: 1, eta: null }),
    );
    const result = await consumeMessage(
      deps,
      incoming({ type: 'RecordBatch', sku: 'TWO', ref: 'shared', qty: 1, eta: null }),
    );
    expect(result.reason?.code).toBe('batch_exists');
    expect(await readAvailability(pool, 'TWO')).toBeUndefined();
  });

  it('logs a failing event handler and runs the others; the command still commits', async () => {
    calls.length = 0;
    const result = await consumeMessage(
      app(),
      incoming({ type: 'RecordBatch', sku: 'EVT', ref: 'evt-1', qty: 3, eta: '2030-01-01' }),
    );
    expect(result.outcome).toBe('applied');
    expect(calls).toEqual(['failing', 'recorded evt-1']);
    expect(await readAvailability(pool, 'EVT')).toEqual([
      { ref: 'evt-1', eta: '2030-01-01', available: 3 },
    ]);
  });
});

describe('unit of work', () => {
  it('keeps nothing that was not committed', async () => {
    const { openUnitOfWork, bus } = app();
    await runInUnitOfWork(openUnitOfWork, async (uow) => {
      await bus.handle({ type: 'RecordProduct', sku: 'UNCOMMITTED' }, uow);
    });
    expect(await readAvailability(pool, 'UNCOMMITTED')).toBeUndefined();
  });

  it('keeps allocations in allocation order across reloads, for last-in-first-out', async () => {
    const { openUnitOfWork, bus } = app();
    const sku = 'ORDERED';
    for (const command of [
      { type: 'RecordBatch', sku, ref: 'ord-1', qty: 10, eta: null },
      { type: 'RecordAllocation', sku, orderid: 'z-first', qty: 1, batchref: 'ord-1' },
      { type: 'RecordAllocation', sku, orderid: 'a-second', qty: 1, batchref: 'ord-1' },
    ] as Command[]) {
      await runInUnitOfWork(openUnitOfWork, async (uow) => {
        await bus.handle(command, uow);
        await uow.commit();
      });
    }
    await runInUnitOfWork(openUnitOfWork, async (uow) => {
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
});

describe('consumeBatch', () => {
  it('applies a batch of one partition in one transaction, skipping duplicates and processed offsets', async () => {
    const deps = app();
    const id = randomUUID();
    const first = incoming({ type: 'RecordProduct', sku: 'BULK' });
    expect((await consumeBatch(deps, [first])).map((r) => r.outcome)).toEqual(['applied']);
    const results = await consumeBatch(deps, [
      { ...first }, // redelivered at the same offset: the checkpoint is past it
      incoming({ type: 'RecordBatch', sku: 'BULK', ref: 'bulk-1', qty: 4, eta: null }, id),
      incoming({ type: 'RecordBatch', sku: 'BULK', ref: 'bulk-1', qty: 4, eta: null }, id),
      incoming({ type: 'RecordBatch', sku: 'BULK', ref: 'bulk-2', qty: 6, eta: '2031-01-01' }),
    ]);
    expect(results.map((r) => r.outcome)).toEqual([
      'already_processed',
      'applied',
      'duplicate',
      'applied',
    ]);
    expect((await readAvailability(pool, 'BULK'))?.map((b) => b.ref)).toEqual(['bulk-1', 'bulk-2']);
  });

  it('rolls back a batch holding a message that breaks a domain rule, then applies the others and dead-letters that one', async () => {
    const deps = app();
    const results = await consumeBatch(deps, [
      incoming({ type: 'RecordProduct', sku: 'MIXED' }),
      incoming({ type: 'RecordBatch', sku: 'MIXED', ref: 'mixed-1', qty: 3, eta: null }),
      incoming({
        type: 'RecordAllocation',
        sku: 'MIXED',
        orderid: 'o-x',
        qty: 1,
        batchref: 'no-such-batch',
      }),
      incoming({ type: 'RecordBatch', sku: 'MIXED', ref: 'mixed-2', qty: 3, eta: null }),
    ]);
    expect(results.map((r) => r.outcome)).toEqual([
      'applied',
      'applied',
      'dead_lettered',
      'applied',
    ]);
    expect(results[2]!.reason?.code).toBeDefined();
    expect((await readAvailability(pool, 'MIXED'))?.map((b) => b.ref)).toEqual([
      'mixed-1',
      'mixed-2',
    ]);
  });
});
