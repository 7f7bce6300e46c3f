import { describe, expect, it } from 'vitest';
import { kafkaBrokers, uniqueName } from '@strangler/tests/harness';
import { startAdapter } from './adapter.js';
import { LegacyAdapterError } from './errors.js';
import { parseLsn } from './pg/lsn.js';
import {
  adapterTestContext,
  names,
  silent,
  slotConfirmed,
  start,
  stop,
  until,
} from './testing/adapter-harness.fixture.js';
import { readEvents, summary } from './testing/events.fixture.js';
import { shopCatalog } from './testing/shop-catalog.fixture.js';
import { shopMapper } from './testing/shop-mapper.fixture.js';
import type { AdapterOptions } from './types.js';

const t = adapterTestContext();
const AT = '2024-05-01T12:00:00.123456Z';

describe('legacy adapter', () => {
  it('publishes existing rows from the snapshot, then each later transaction in commit order, keyed by aggregate id', async () => {
    const n = names();
    await t.writer.register(7, 'ada@example.com', 'Ada');
    await t.writer.placeOrder(7, 'o-1', '12.50', ['gift', 'a,b']);
    await start(t, n);
    await t.writer.register(8, 'grace@example.com', 'Grace');
    await t.writer.placeOrder(7, 'o-2', '3.00');
    await t.writer.setStatus('o-1', 'shipped');
    await t.writer.rename(7, 'Ada L.');
    const all = await readEvents(kafkaBrokers(), n.topic, 6);
    const events = all.filter((e) => e.key === '7');
    const placed = { customerId: '7', customerEmail: 'ada@example.com' };
    expect(summary(events)).toEqual([
      [
        'customer_registered',
        { customerId: '7', email: 'ada@example.com', name: 'Ada', registeredAt: AT },
      ],
      ['order_placed', { ...placed, orderRef: 'o-1', total: '12.50', tags: ['gift', 'a,b'] }],
      ['order_placed', { ...placed, orderRef: 'o-2', total: '3.00', tags: [] }],
      ['order_status_changed', { customerId: '7', orderRef: 'o-1', status: 'shipped' }],
      ['customer_renamed', { customerId: '7', name: 'Ada L.' }],
    ]);
    expect(new Set(events.map((e) => e.partition)).size).toBe(1);
    expect(events.slice(0, 2).every((e) => e.event.sourceposition?.startsWith('snapshot@'))).toBe(
      true,
    );
    expect(events[2]!.event.sourceposition).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(events[2]!.event.sourcetx).toMatch(/^\d+$/);
    expect(all.every((e) => e.event.source === `/strangler/legacy-adapter/${n.slot}`)).toBe(true);
  });

  it('confirms each transaction to Postgres only once Kafka has it, at exactly its end', async () => {
    const n = names();
    const adapter = await start(t, n);
    await t.writer.register(7, 'ada@example.com');
    await readEvents(kafkaBrokers(), n.topic, 1);
    const confirmed = await until(
      () => slotConfirmed(t.pool, n.slot),
      (c) => c === parseLsn(adapter.status().confirmedLsn) && c > 0n,
      'the slot to confirm',
    );
    const { rows } = await t.pool.query<{ lsn: string }>(
      'SELECT pg_current_wal_lsn()::text AS lsn',
    );
    expect(confirmed).toBeLessThanOrEqual(parseLsn(rows[0]!.lsn));
    expect(adapter.status()).toMatchObject({
      phase: 'streaming',
      transactions: 1,
      events: 1,
      deadLetters: 0,
      publishing: {
        queuedEvents: 0,
        requests: 1,
        failedAttempts: 0,
        lastError: null,
        producerRestarts: 0,
      },
    });
  });

  it('publishes one transaction too big for a Kafka request (over 1 MiB for one key) in order, and confirms it once all of it is in Kafka', async () => {
    const n = names();
    const adapter = await start(t, n);
    const rows = 4000;
    await t.writer.tx(async (c) => {
      await c.query(`INSERT INTO customers (id, email, name) VALUES (7, 'ada@example.com', 'Ada')`);
      // Long references make each event ~400 bytes: ~1.6 MB for one customer, one partition.
      await c.query(
        `INSERT INTO orders (customer_id, reference, total)
         SELECT 7, 'o-' || lpad(i::text, 5, '0') || '-' || repeat('x', 200), i::numeric
         FROM generate_series(1, $1::int) AS i`,
        [rows],
      );
    });
    const events = await readEvents(kafkaBrokers(), n.topic, rows + 1, 60_000);
    expect(events).toHaveLength(rows + 1);
    const totals = events.slice(1).map((e) => (e.event.data as { total: string }).total);
    expect(totals).toEqual(Array.from({ length: rows }, (_, i) => `${i + 1}.00`));
    await until(
      () => adapter.status(),
      (s) => s.transactions === 1 && s.events === rows + 1,
      'the transaction to be confirmed',
    );
  }, 90_000);

  it('resumes after a restart from the first transaction not yet published, losing nothing', async () => {
    const n = names();
    await t.writer.register(7, 'ada@example.com');
    const first = await start(t, n);
    for (let i = 0; i < 5; i++) await t.writer.placeOrder(7, `a${i}`, '1.00');
    await stop(t, first);
    for (let i = 0; i < 5; i++) await t.writer.placeOrder(7, `b${i}`, '1.00');
    await start(t, n);
    await t.writer.placeOrder(7, 'c', '1.00');
    const events = await readEvents(kafkaBrokers(), n.topic, 12);
    const refs = events.flatMap((e) => ('orderRef' in e.event.data ? [e.event.data.orderRef] : []));
    expect(refs).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'b3', 'b4', 'c']);
    expect(new Set(events.map((e) => e.event.id)).size).toBe(events.length);
  });

  it('stops with SLOT_MISSING when its slot disappeared, and starts over on request', async () => {
    const n = names();
    const a = await start(t, n);
    await t.writer.register(7, 'ada@example.com');
    await readEvents(kafkaBrokers(), n.topic, 1);
    await stop(t, a);
    // The walsender of the closed connection may hold the slot for a moment longer.
    await until(
      () =>
        t.pool.query('SELECT pg_drop_replication_slot($1)', [n.slot]).then(
          () => true,
          () => false,
        ),
      (dropped) => dropped,
      'the slot to be dropped',
    );
    const err = await start(t, n).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LegacyAdapterError);
    expect(err).toMatchObject({ code: 'SLOT_MISSING', retriable: false });
    expect((err as Error).message).toContain(`replication slot ${n.slot} is gone`);
    await start(t, n, { resnapshot: true });
    const events = await readEvents(kafkaBrokers(), n.topic, 2);
    expect(events.map((e) => e.event.sourceposition?.startsWith('snapshot@'))).toEqual([
      false,
      true,
    ]);
  });

  it('takes the snapshot again when a slot exists whose snapshot never completed', async () => {
    const n = names();
    await t.writer.register(7, 'ada@example.com');
    await t.pool.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [n.slot]);
    await start(t, n);
    const events = await readEvents(kafkaBrokers(), n.topic, 1);
    expect(summary(events).map(([type]) => type)).toEqual(['customer_registered']);
    expect(events[0]!.event.sourceposition).toMatch(/^snapshot@/);
  });

  it('does not capture transactions written under a skipped replication origin, yet moves past them', async () => {
    const n = names();
    const origin = uniqueName('origin');
    const adapter = await start(t, n, { skipOrigins: [origin] });
    const c = await t.pool.connect();
    try {
      await c.query('SELECT pg_replication_origin_create($1)', [origin]);
      await c.query('SELECT pg_replication_origin_session_setup($1)', [origin]);
      await c.query(
        `INSERT INTO customers (id, email, name) VALUES (99, 'echo@example.com', 'Echo')`,
      );
      await c.query('SELECT pg_replication_origin_session_reset()');
    } finally {
      c.release();
    }
    await t.writer.register(7, 'ada@example.com');
    const events = await readEvents(kafkaBrokers(), n.topic, 1);
    expect(
      summary(events).map(([type, d]) => [type, (d as { customerId: string }).customerId]),
    ).toEqual([['customer_registered', '7']]);
    await until(
      () => adapter.status(),
      (s) => s.transactions === 2,
      'both transactions',
    );
    expect(adapter.status()).toMatchObject({ transactions: 2, events: 1 });
  });

  it('refuses a source it cannot capture, saying what to run', async () => {
    const n = names();
    const base = {
      catalog: shopCatalog,
      topic: n.topic,
      databaseUrl: t.db.url,
      kafkaBrokers: kafkaBrokers(),
      slot: n.slot,
      publication: n.publication,
      logger: silent,
    };
    await t.pool.query(`CREATE TABLE ${n.slot}_nokey (v text)`);
    const noKey = await startAdapter({
      ...base,
      mapper: { tables: [`public.${n.slot}_nokey`], mapChange: () => [] },
    }).catch((e: unknown) => e);
    expect(noKey).toMatchObject({
      code: 'SOURCE_NOT_READY',
      message: expect.stringContaining(`table public.${n.slot}_nokey has no primary key`),
    });

    await t.pool.query(`CREATE TABLE ${n.slot}_plain (id int PRIMARY KEY)`);
    const table = `public.${n.slot}_plain`;
    const identity = await startAdapter({
      ...base,
      mapper: { tables: [table], fullIdentityTables: [table], mapChange: () => [] },
    }).catch((e: unknown) => e);
    expect((identity as Error).message).toContain(
      `run: ALTER TABLE ${table} REPLICA IDENTITY FULL`,
    );
  });

  it('answers a barrier once everything committed before it is in Kafka, with the end offsets then', async () => {
    const n = names();
    const adapter = await start(t, n);
    await t.writer.register(7, 'ada@example.com', 'Ada');
    await t.writer.register(8, 'grace@example.com', 'Grace');
    // Called right after the commits: it waits for them, it does not race them.
    const position = await adapter.barrier();
    expect(position.topic).toBe(n.topic);
    const ends = Object.values(position.offsets).map(Number);
    expect(ends.reduce((a, b) => a + b, 0)).toBe(2);
    expect(adapter.status().events).toBe(2);
    // Nothing new: a keepalive moves the slot to the end of WAL, and the barrier answers at once.
    const again = await adapter.barrier(5000);
    expect(again.offsets).toEqual(position.offsets);
  });

  it('rejects bad options naming the option, with no default catalog, mapper or topic', async () => {
    const ok = {
      catalog: shopCatalog,
      mapper: shopMapper,
      topic: 'shop.events',
      databaseUrl: t.db.url,
      kafkaBrokers: kafkaBrokers(),
    };
    const refused = (options: Partial<AdapterOptions>) =>
      startAdapter({ ...ok, ...options } as AdapterOptions).then(
        () => new Error('started'),
        (e: unknown) => e as Error,
      );
    expect(await refused({ catalog: undefined })).toMatchObject({
      code: 'INVALID_CONFIG',
      message:
        'catalog is required: the event catalog made with defineCatalog (@strangler/event-schemas)',
    });
    expect((await refused({ mapper: undefined })).message).toBe(
      'mapper is required: your anti-corruption layer, made with defineMapper(catalog, { tables, mapChange })',
    );
    expect((await refused({ topic: undefined })).message).toBe(
      'topic is required: the Kafka topic the events go to',
    );
    expect(
      (await refused({ mapper: { tables: ['customers'], mapChange: () => [] } })).message,
    ).toBe(
      'mapper.tables[0] is "customers": name each table with its schema, e.g. "public.customers"',
    );
    expect((await refused({ kafkaBrokers: ['nohost'] })).message).toBe(
      'kafkaBrokers must be a non-empty list of host:port; got ["nohost"]',
    );
    expect((await refused({ slot: 'Bad-Slot' })).message).toContain(
      'slot must be 1-63 lower-case letters',
    );
    expect((await refused({ onTruncate: 'ignore' as never })).message).toBe(
      'onTruncate must be stop or skip; got "ignore"',
    );
    expect((await refused({ onMappingError: 'log' as never })).message).toBe(
      'onMappingError must be stop or dead-letter; got "log"',
    );
    expect((await refused({ deadLetterTopic: 'shop.events' })).message).toContain(
      'deadLetterTopic must differ from topic',
    );
    expect((await refused({ source: 'not a uri' })).message).toContain(
      'source must be a URI-reference',
    );
    expect((await refused({ lingerMs: -1 })).message).toBe(
      'lingerMs must be a whole number of ms from 0 to 1000; got -1',
    );
  });
});
