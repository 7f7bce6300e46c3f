import { onCleanup, testDatabase, uniqueName } from '@strangler/tests/harness';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  availability,
  caughtUp,
  events as e,
  kafkaTopic,
  publish,
  startService,
  todayUtc,
} from './testing/kafka.fixture.js';
import type { RunningService } from '@strangler/new-service';

// One service over one topic for the whole file; each test uses its own skus and references.
let service: RunningService;
let topic: string;
let send: (messages: Parameters<typeof publish>[2]) => Promise<void>;
let db: pg.Pool;

beforeAll(async () => {
  const database = await testDatabase('alloc_consume');
  const kafka = await kafkaTopic(1);
  topic = kafka.topic;
  send = (messages) => publish(kafka.producer, topic, messages);
  service = await startService({ databaseUrl: database.url, topic, group: uniqueName('group') });
  db = new pg.Pool({ connectionString: database.url, max: 2 });
  onCleanup(() => db.end());
});

const sku = () => uniqueName('SKU').toUpperCase();

describe('events -> availability (the legacy README semantics)', () => {
  it('dates warehouse stock today (UTC) and lists every batch in allocation order', async () => {
    const s = sku();
    await send([
      e.product(s),
      e.batch(`${s}-jan`, s, 5, '2031-01-10'),
      e.batch(`${s}-wh`, s, 10),
      e.batch(`${s}-jun`, s, 20, '2030-06-01'),
      e.allocated('o1', s, 3, `${s}-wh`),
    ]);
    await caughtUp(service);
    const res = await availability(service, s, '?qty=7');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sku: s,
      requestedQty: 7,
      availableNow: 7,
      totalAvailable: 32,
      batches: [
        { ref: `${s}-wh`, eta: null, available: 7 },
        { ref: `${s}-jun`, eta: '2030-06-01', available: 20 },
        { ref: `${s}-jan`, eta: '2031-01-10', available: 5 },
      ],
      canFulfil: true,
    });
    expect([todayUtc(), new Date(Date.now() - 5000).toISOString().slice(0, 10)]).toContain(
      res.body.earliestDate,
    );
    // More than the warehouse holds: the earliest shipment that takes it whole decides.
    expect((await availability(service, s, '?qty=8')).body.earliestDate).toBe('2030-06-01');
  });

  it('cannot fulfil when no single batch takes the quantity, even if the total could', async () => {
    const s = sku();
    await send([e.product(s), e.batch(`${s}-a`, s, 10), e.batch(`${s}-b`, s, 10, '2030-01-01')]);
    await caughtUp(service);
    expect((await availability(service, s, '?qty=11')).body).toMatchObject({
      totalAvailable: 20,
      canFulfil: false,
      earliestDate: null,
    });
  });

  it('gives units back on deallocation and follows quantity and eta changes', async () => {
    const s = sku();
    await send([
      e.product(s),
      e.batch(`${s}-b`, s, 10, '2030-01-01'),
      e.allocated('o1', s, 4, `${s}-b`),
      e.allocated('o2', s, 3, `${s}-b`),
      // PATCH qty=5 in the legacy app: the quantity, then its LIFO deallocation
      e.quantity(`${s}-b`, s, 5),
      e.deallocated('o2', s, 3, `${s}-b`),
    ]);
    await caughtUp(service);
    expect((await availability(service, s)).body).toMatchObject({
      batches: [{ ref: `${s}-b`, eta: '2030-01-01', available: 1 }],
      availableNow: 0,
    });
    await send([e.deallocated('o1', s, 4, `${s}-b`), e.eta(`${s}-b`, s, null)]);
    await caughtUp(service);
    expect((await availability(service, s, '?qty=5')).body).toMatchObject({
      batches: [{ ref: `${s}-b`, eta: null, available: 5 }],
      availableNow: 5,
      canFulfil: true,
    });
  });

  it('answers a known product without batches with empty figures', async () => {
    const s = sku();
    await send([e.product(s)]);
    await caughtUp(service);
    expect((await availability(service, s)).body).toMatchObject({
      sku: s,
      requestedQty: 1,
      availableNow: 0,
      totalAvailable: 0,
      batches: [],
      canFulfil: false,
      earliestDate: null,
    });
  });

  it('answers 404 Invalid sku for a sku no event mentioned', async () => {
    const s = sku();
    const res = await availability(service, s);
    expect(res.status).toBe(404);
    expect(res.body.message).toBe(`Invalid sku ${s}`);
  });
});

describe('exactly-once effect', () => {
  it('applies an event delivered twice (same source and id) once', async () => {
    const s = sku();
    const allocation = e.allocated('o1', s, 2, `${s}-b`);
    // Read before sending: the service may apply the messages before a later read.
    await caughtUp(service);
    const before = (await service.status()).consumers[0]!.messages.duplicate;
    await send([e.product(s), e.batch(`${s}-b`, s, 10), allocation, allocation]);
    await caughtUp(service);
    expect((await availability(service, s)).body.totalAvailable).toBe(8);
    expect((await service.status()).consumers[0]!.messages.duplicate).toBe(before + 1);
  });

  it('skips a whole transaction replayed with the same ids after an adapter crash', async () => {
    const s = sku();
    const tx = [e.product(s), e.batch(`${s}-b`, s, 10), e.allocated('o1', s, 6, `${s}-b`)];
    await send(tx);
    await send(tx);
    await caughtUp(service);
    expect((await availability(service, s)).body.totalAvailable).toBe(4);
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM strangler_inbox WHERE event_id = ANY($1)`,
      [tx.map((m) => m.headers.ce_id)],
    );
    expect(rows[0].n).toBe(3);
  });
});

describe('poison messages', () => {
  async function deadLetter(offset: string) {
    const { rows } = await db.query(
      `SELECT reason_code, reason, message_key, value, headers FROM strangler_dead_letter
       WHERE consumer = 'allocation' AND topic = $1 AND "offset" = $2`,
      [topic, offset],
    );
    return rows[0];
  }

  async function lastOffset(): Promise<string> {
    const status = await service.status();
    return String((status.consumers[0]!.partitions[0]?.highWatermark ?? 0) - 1);
  }

  it('dead-letters a value that is not JSON, with its bytes, and applies the next message', async () => {
    const s = sku();
    const garbage = Buffer.from([0xff, 0x00, 0x13, 0x37]);
    const good = e.batch(`${s}-b`, s, 10);
    await send([{ key: s, value: garbage, headers: good.headers }]);
    const offset = await lastOffset();
    await send([good]);
    await caughtUp(service);
    const row = await deadLetter(offset);
    expect(row.reason_code).toBe('DECODE_FAILED');
    expect(Buffer.compare(row.value, garbage)).toBe(0);
    expect(row.message_key.toString()).toBe(s);
    expect(row.headers.ce_type).toBe(good.headers.ce_type);
    expect((await availability(service, s)).body.totalAvailable).toBe(10);
  });

  it('dead-letters an unknown event type', async () => {
    const good = e.product(sku());
    const unknown = {
      ...good,
      headers: { ...good.headers, ce_type: 'io.strangler.allocation.teleported.v1' },
    };
    await send([unknown]);
    const offset = await lastOffset();
    await caughtUp(service);
    expect(await deadLetter(offset)).toMatchObject({ reason_code: 'UNKNOWN_TYPE' });
  });

  it('dead-letters data that breaks its schema, naming the field', async () => {
    const s = sku();
    const good = e.batch(`${s}-b`, s, 10);
    await send([{ ...good, value: JSON.stringify({ ref: `${s}-b`, sku: s, qty: -1, eta: null }) }]);
    const offset = await lastOffset();
    await caughtUp(service);
    const row = await deadLetter(offset);
    expect(row.reason_code).toBe('INVALID_DATA');
    expect(row.reason).toContain('data.qty');
  });

  it('dead-letters an allocation to an unknown batch, and the next allocation still applies', async () => {
    const s = sku();
    await send([e.product(s), e.batch(`${s}-b`, s, 10), e.allocated('o1', s, 1, `${s}-ghost`)]);
    const offset = await lastOffset();
    await send([e.allocated('o2', s, 2, `${s}-b`)]);
    await caughtUp(service);
    const row = await deadLetter(offset);
    expect(row.reason_code).toBe('unknown_batch');
    expect(row.reason).toBe(`Unknown batch ${s}-ghost for sku ${s}`);
    expect((await availability(service, s)).body.totalAvailable).toBe(8);
  });

  it('replays a dead letter once its cause is fixed, and only once', async () => {
    const s = sku();
    await send([e.product(s), e.allocated('o1', s, 2, `${s}-late`)]);
    const offset = await lastOffset();
    await send([e.batch(`${s}-late`, s, 10)]);
    await caughtUp(service);
    const { rows } = await db.query(
      'SELECT id FROM strangler_dead_letter WHERE topic = $1 AND "offset" = $2',
      [topic, offset],
    );
    const id = String(rows[0].id);
    const waiting = (await service.status()).consumers[0]!.deadLetters ?? 0;
    expect(await service.replayDeadLetters({ ids: [id] })).toEqual([
      { id, consumer: 'allocation', topic, partition: 0, offset, outcome: 'applied' },
    ]);
    expect((await availability(service, s)).body.totalAvailable).toBe(8);
    expect((await service.status()).consumers[0]!.deadLetters).toBe(waiting - 1);
    expect(await service.replayDeadLetters({ ids: [id] })).toEqual([]);
  });
});
