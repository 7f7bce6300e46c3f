import pg from 'pg';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  databaseServerUrl,
  kafkaBrokers,
  uniqueName,
  type TestDatabase,
} from '@strangler/tests/harness';
import { startAdapter } from './adapter.js';
import { LegacyAdapterError } from './errors.js';
import { parseLsn } from './pg/lsn.js';
import { readEvents, summary } from './testing/events.fixture.js';
import { LEGACY_SCHEMA, LegacyWriter } from './testing/legacy-schema.fixture.js';
import type { AdapterOptions, RunningAdapter } from './types.js';

const logger = pino({ level: 'silent' });
// Each test has its own legacy database: a snapshot reads every row of the captured tables.
let db: TestDatabase;
let pool: pg.Pool;
let writer: LegacyWriter;
const running: RunningAdapter[] = [];

beforeEach(async () => {
  db = await createTestDatabase(databaseServerUrl(), 'adapter');
  pool = new pg.Pool({ connectionString: db.url });
  await pool.query(LEGACY_SCHEMA);
  writer = new LegacyWriter(pool);
});
afterEach(async () => {
  for (const a of running.splice(0)) await a.close();
  await pool.end();
  await db.drop();
});

/** Every test gets its own slot, publication, topic and skus. */
function names() {
  return {
    slot: uniqueName('slot'),
    publication: uniqueName('pub'),
    topic: uniqueName('events'),
    sku: uniqueName('SKU').toUpperCase(),
  };
}

async function start(
  n: ReturnType<typeof names>,
  extra: Partial<AdapterOptions> = {},
): Promise<RunningAdapter> {
  const adapter = await startAdapter({
    databaseUrl: db.url,
    kafkaBrokers: kafkaBrokers(),
    slot: n.slot,
    publication: n.publication,
    topic: n.topic,
    alterReplicaIdentity: true,
    statusIntervalMs: 200,
    logger,
    ...extra,
  });
  running.push(adapter);
  return adapter;
}

async function slotConfirmed(slot: string): Promise<bigint> {
  const { rows } = await pool.query<{ c: string }>(
    'SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
  return parseLsn(rows[0]!.c);
}

async function until<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('legacy adapter', () => {
  it('publishes existing rows from the snapshot, then each later transaction in commit order, keyed by sku', async () => {
    const n = names();
    await writer.addBatch(`${n.sku}-wh`, n.sku, 10);
    await writer.allocate(`${n.sku}-o1`, n.sku, 3, `${n.sku}-wh`);
    await start(n);
    await writer.addBatch(`${n.sku}-ship`, n.sku, 20, '2030-01-15');
    await writer.allocate(`${n.sku}-o2`, n.sku, 5, `${n.sku}-ship`);
    await writer.changeQuantity(`${n.sku}-wh`, 8);
    await writer.deallocate(`${n.sku}-o1`, n.sku);
    const events = (await readEvents(kafkaBrokers(), n.topic, 7)).filter((e) => e.key === n.sku);
    expect(summary(events)).toEqual([
      ['product_created', { sku: n.sku, version: 2 }],
      ['batch_created', { sku: n.sku, ref: `${n.sku}-wh`, qty: 10, eta: null, version: 2 }],
      [
        'allocated',
        { sku: n.sku, orderid: `${n.sku}-o1`, qty: 3, batchref: `${n.sku}-wh`, version: 2 },
      ],
      [
        'batch_created',
        { sku: n.sku, ref: `${n.sku}-ship`, qty: 20, eta: '2030-01-15', version: 3 },
      ],
      [
        'allocated',
        { sku: n.sku, orderid: `${n.sku}-o2`, qty: 5, batchref: `${n.sku}-ship`, version: 4 },
      ],
      ['batch_quantity_changed', { sku: n.sku, ref: `${n.sku}-wh`, qty: 8, version: 5 }],
      [
        'deallocated',
        { sku: n.sku, orderid: `${n.sku}-o1`, qty: 3, batchref: `${n.sku}-wh`, version: 6 },
      ],
    ]);
    expect(new Set(events.map((e) => e.partition)).size).toBe(1);
    expect(events.slice(0, 3).every((e) => e.event.sourceposition?.startsWith('snapshot@'))).toBe(
      true,
    );
    expect(events[3]!.event.sourceposition).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(events.every((e) => e.event.source === `/strangler/legacy-adapter/${n.slot}`)).toBe(
      true,
    );
  });

  it('confirms each transaction to Postgres only once Kafka has it, at exactly its end', async () => {
    const n = names();
    const adapter = await start(n);
    await writer.addBatch(`${n.sku}-1`, n.sku, 1);
    await readEvents(kafkaBrokers(), n.topic, 2);
    const confirmed = await until(
      () => slotConfirmed(n.slot),
      (c) => c === parseLsn(adapter.status().confirmedLsn) && c > 0n,
      'the slot to confirm',
    );
    const { rows } = await pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    expect(confirmed).toBeLessThanOrEqual(parseLsn(rows[0]!.lsn));
    expect(adapter.status()).toMatchObject({ phase: 'streaming', transactions: 1, events: 2 });
  });

  it('publishes one transaction too big for a Kafka request (over 1 MiB for one sku) in order, and confirms it once all of it is in Kafka', async () => {
    const n = names();
    const adapter = await start(n);
    const rows = 4000;
    await writer.tx(async (c) => {
      await c.query('INSERT INTO products (sku) VALUES ($1)', [n.sku]);
      // Long references make each event ~400 bytes: ~1.6 MB for this sku, one partition.
      await c.query(
        `INSERT INTO batches (reference, sku, purchased_quantity)
         SELECT $1 || '-' || lpad(i::text, 5, '0') || '-' || repeat('x', 200), $2, i
         FROM generate_series(1, $3::int) AS i`,
        [n.sku, n.sku, rows],
      );
    });
    const events = (await readEvents(kafkaBrokers(), n.topic, rows + 1, 60_000)).filter(
      (e) => e.key === n.sku,
    );
    expect(events).toHaveLength(rows + 1);
    const qtys = events.slice(1).map((e) => (e.event.data as { qty: number }).qty);
    expect(qtys).toEqual(Array.from({ length: rows }, (_, i) => i + 1));
    await until(
      () => adapter.status(),
      (s) => s.transactions === 1 && s.events === rows + 1,
      'the transaction to be confirmed',
    );
  }, 90_000);

  it('resumes after a restart from the first transaction not yet published, losing nothing', async () => {
    const n = names();
    const first = await start(n);
    for (let i = 0; i < 5; i++) await writer.addBatch(`${n.sku}-a${i}`, n.sku, i + 1);
    await first.close();
    running.splice(running.indexOf(first), 1);
    for (let i = 0; i < 5; i++) await writer.addBatch(`${n.sku}-b${i}`, n.sku, i + 1);
    await start(n);
    await writer.addBatch(`${n.sku}-c`, n.sku, 1);
    const events = await readEvents(kafkaBrokers(), n.topic, 12);
    const refs = events.flatMap((e) => ('ref' in e.event.data ? [e.event.data.ref] : []));
    expect(refs).toEqual([
      ...[0, 1, 2, 3, 4].map((i) => `${n.sku}-a${i}`),
      ...[0, 1, 2, 3, 4].map((i) => `${n.sku}-b${i}`),
      `${n.sku}-c`,
    ]);
    expect(new Set(events.map((e) => e.event.id)).size).toBe(events.length);
  });

  it('stops with SLOT_MISSING when its slot disappeared, and starts over on request', async () => {
    const n = names();
    const a = await start(n);
    await writer.addBatch(`${n.sku}-1`, n.sku, 1);
    await readEvents(kafkaBrokers(), n.topic, 2);
    await a.close();
    running.splice(running.indexOf(a), 1);
    // The walsender of the closed connection may hold the slot for a moment longer.
    await until(
      () =>
        pool.query('SELECT pg_drop_replication_slot($1)', [n.slot]).then(
          () => true,
          () => false,
        ),
      (dropped) => dropped,
      'the slot to be dropped',
    );
    const err = await start(n).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LegacyAdapterError);
    expect(err).toMatchObject({ code: 'SLOT_MISSING', retriable: false });
    expect((err as Error).message).toContain(`replication slot ${n.slot} is gone`);
    await start(n, { resnapshot: true });
    const events = await readEvents(kafkaBrokers(), n.topic, 4);
    expect(events.slice(2).map((e) => e.event.sourceposition?.startsWith('snapshot@'))).toEqual([
      true,
      true,
    ]);
  });

  it('takes the snapshot again when a slot exists whose snapshot never completed', async () => {
    const n = names();
    await writer.addBatch(`${n.sku}-1`, n.sku, 4);
    await pool.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [n.slot]);
    await start(n);
    const events = (await readEvents(kafkaBrokers(), n.topic, 2)).filter((e) => e.key === n.sku);
    expect(summary(events).map(([t]) => t)).toEqual(['product_created', 'batch_created']);
  });

  it('does not capture transactions written under a skipped replication origin, yet moves past them', async () => {
    const n = names();
    const origin = uniqueName('origin');
    const adapter = await start(n, { skipOrigins: [origin] });
    const c = await pool.connect();
    try {
      await c.query('SELECT pg_replication_origin_create($1)', [origin]);
      await c.query('SELECT pg_replication_origin_session_setup($1)', [origin]);
      await c.query('INSERT INTO products (sku) VALUES ($1)', [`${n.sku}-echo`]);
      await c.query('SELECT pg_replication_origin_session_reset()');
    } finally {
      c.release();
    }
    await writer.addBatch(`${n.sku}-after`, n.sku, 1);
    const events = await readEvents(kafkaBrokers(), n.topic, 2);
    expect(summary(events).map(([t, d]) => [t, d.sku])).toEqual([
      ['product_created', n.sku],
      ['batch_created', n.sku],
    ]);
    expect(adapter.status()).toMatchObject({ transactions: 2, events: 2 });
  });

  it('stops with MAPPING_FAILED, naming the table and position, when a change has no event', async () => {
    const n = names();
    const adapter = await start(n);
    await writer.addBatch(`${n.sku}-gone`, n.sku, 1);
    await readEvents(kafkaBrokers(), n.topic, 2);
    const before = await until(
      () => slotConfirmed(n.slot),
      (c) => c > 0n && c === parseLsn(adapter.status().confirmedLsn),
      'the batch transaction to be confirmed',
    );
    await pool.query('DELETE FROM batches WHERE reference = $1', [`${n.sku}-gone`]);
    const err = await adapter.failed;
    expect(err).toMatchObject({ code: 'MAPPING_FAILED' });
    expect(err.message).toMatch(
      new RegExp(`cannot map delete on public\\.batches at [0-9A-F]+/[0-9A-F]+ .*was deleted`),
    );
    expect(await slotConfirmed(n.slot)).toBe(before);
  });

  it('refuses a source it cannot capture, saying what to run', async () => {
    const n = names();
    await pool.query(`CREATE TABLE ${n.slot}_nokey (v text)`);
    const noKey = await startAdapter({
      databaseUrl: db.url,
      kafkaBrokers: kafkaBrokers(),
      slot: n.slot,
      publication: n.publication,
      logger,
      mapper: {
        tables: [`public.${n.slot}_nokey`],
        fullIdentityTables: [],
        mapChange: async () => [],
      },
    }).catch((e: unknown) => e);
    expect(noKey).toMatchObject({
      code: 'SOURCE_NOT_READY',
      message: expect.stringContaining(`table public.${n.slot}_nokey has no primary key`),
    });

    await pool.query(`CREATE TABLE ${n.slot}_plain (id int PRIMARY KEY)`);
    const identity = await startAdapter({
      databaseUrl: db.url,
      kafkaBrokers: kafkaBrokers(),
      slot: n.slot,
      publication: n.publication,
      logger,
      mapper: {
        tables: [`public.${n.slot}_plain`],
        fullIdentityTables: [`public.${n.slot}_plain`],
        mapChange: async () => [],
      },
    }).catch((e: unknown) => e);
    expect((identity as Error).message).toContain(
      `run: ALTER TABLE public.${n.slot}_plain REPLICA IDENTITY FULL`,
    );
  });

  it('rejects bad options naming the option', async () => {
    await expect(startAdapter({ databaseUrl: db.url, kafkaBrokers: ['nohost'] })).rejects.toThrow(
      'kafkaBrokers must be a non-empty list of host:port; got ["nohost"]',
    );
    await expect(
      startAdapter({ databaseUrl: db.url, kafkaBrokers: kafkaBrokers(), slot: 'Bad-Slot' }),
    ).rejects.toThrow('slot must be 1-63 lower-case letters');
  });
});
