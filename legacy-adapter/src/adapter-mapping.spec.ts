import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { kafkaBrokers } from '@strangler/tests/harness';
import { columns } from './columns/index.js';
import type { DeadLetterRecord } from './mapping/dead-letter.js';
import { defineMapper } from './mapping/define-mapper.js';
import { parseLsn } from './pg/lsn.js';
import {
  adapterTestContext,
  names,
  slotConfirmed,
  start,
  stop,
  until,
} from './testing/adapter-harness.fixture.js';
import { readEvents, readMessages, summary } from './testing/events.fixture.js';
import { shopCatalog } from './testing/shop-catalog.fixture.js';
import { CUSTOMERS, ORDERS, shopMapper } from './testing/shop-mapper.fixture.js';

const t = adapterTestContext();

async function messagesOn(topic: string): Promise<number> {
  const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

const withTruncateHook = defineMapper(shopCatalog, {
  ...shopMapper,
  mapTruncate: (change) => [
    { type: shopCatalog.types.TablesEmptied, data: { tables: change.tables } },
  ],
});

describe('legacy adapter: mapping errors', () => {
  it('stops at a mapping error naming table, position, xid and row; confirms what came before and nothing after, so a restart stops there again', async () => {
    const n = names();
    const adapter = await start(t, n);
    await t.writer.register(7, 'ada@example.com', 'Ada');
    await readEvents(kafkaBrokers(), n.topic, 1);
    const before = await until(
      () => slotConfirmed(t.pool, n.slot),
      (c) => c > 0n && c === parseLsn(adapter.status().confirmedLsn),
      'the first transaction to be confirmed',
    );
    await t.writer.register(8, 'grace@example.com', 'Grace');
    await t.pool.query('DELETE FROM customers WHERE id = 7');
    const err = await adapter.failed;
    const line = new RegExp(
      String.raw`^cannot map delete on public\.customers at [0-9A-F]+/[0-9A-F]+ \(xid \d+, change 1 of 1\): ` +
        String.raw`customer 7 was deleted: the shop has no such event; row \{"id":"7","email":"ada@example\.com","name":"Ada",` +
        String.raw`"registered_at":"2024-05-01 12:00:00\.123456\+00"\}\. Nothing from this change on is confirmed`,
    );
    expect(err).toMatchObject({
      code: 'MAPPING_FAILED',
      retriable: false,
      message: expect.stringMatching(line),
    });
    // Grace's transaction, mapped before the failure, was still published and confirmed.
    const afterFailure = await slotConfirmed(t.pool, n.slot);
    expect(afterFailure).toBeGreaterThan(before);
    expect(adapter.status()).toMatchObject({ phase: 'failed' });
    t.running.splice(t.running.indexOf(adapter), 1);

    const again = await start(t, n);
    expect((await again.failed).message).toBe(err.message);
    expect(await slotConfirmed(t.pool, n.slot)).toBe(afterFailure);
    expect(await messagesOn(n.topic)).toBe(2); // Ada and Grace, once each
  });

  it('dead-letters the raw change and publishes the rest of its transaction, confirming it after both', async () => {
    const n = names();
    const adapter = await start(t, n, { onMappingError: 'dead-letter' });
    await t.writer.tx(async (c) => {
      await c.query(`INSERT INTO customers (id, email, name) VALUES (7, 'ada@example.com', 'Ada')`);
      await c.query(`INSERT INTO customers (id, email, name) VALUES (8, '', 'No Email')`);
      await c.query(`INSERT INTO orders (customer_id, reference, total) VALUES (7, 'o-1', 5)`);
    });
    const events = await readEvents(kafkaBrokers(), n.topic, 2);
    expect(summary(events).map(([type]) => type)).toEqual(['customer_registered', 'order_placed']);
    const [letter] = await readMessages(kafkaBrokers(), `${n.topic}.dead-letters`, 1);
    expect(letter!.key).toBe(CUSTOMERS);
    const record = JSON.parse(letter!.value) as DeadLetterRecord;
    expect(record).toMatchObject({
      table: CUSTOMERS,
      kind: 'insert',
      snapshot: false,
      position: events[0]!.event.sourceposition,
      xid: Number(events[0]!.event.sourcetx),
      index: 1,
      row: { id: '8', email: '', name: 'No Email' },
      old: null,
      error: {
        code: 'INVALID_DATA',
        message: expect.stringContaining('data.email: must not be empty'),
      },
    });
    const confirmed = await until(
      () => slotConfirmed(t.pool, n.slot),
      (c) => c > 0n && c === parseLsn(adapter.status().confirmedLsn),
      'the transaction to be confirmed',
    );
    expect(confirmed).toBeGreaterThan(parseLsn(record.position));
    expect(adapter.status()).toMatchObject({ transactions: 1, events: 2, deadLetters: 1 });
  });

  it('sends a column it cannot read (an unchanged TOAST value) to the dead letters with a marker; REPLICA IDENTITY FULL sends the value', async () => {
    await t.pool
      .query(`CREATE TABLE documents (id int PRIMARY KEY, title text NOT NULL, body text NOT NULL);
      ALTER TABLE documents ALTER COLUMN body SET STORAGE EXTERNAL`);
    // The shop's catalog has no document event: a rename stands in for one, carrying the body's size.
    const documents = (full: boolean) =>
      defineMapper(shopCatalog, {
        tables: ['public.documents'],
        fullIdentityTables: full ? ['public.documents'] : [],
        mapChange: (c) =>
          c.kind === 'update'
            ? [
                {
                  type: shopCatalog.types.CustomerRenamed,
                  data: {
                    customerId: columns.text(c.row, 'id'),
                    name: `${columns.text(c.row, 'title')}:${columns.text(c.row, 'body').length}`,
                  },
                },
              ]
            : [],
      });
    const body = `'${'x'.repeat(10_000)}'`;
    const plain = names();
    const first = await start(t, plain, {
      mapper: documents(false),
      onMappingError: 'dead-letter',
    });
    await t.pool.query(`INSERT INTO documents VALUES (1, 'draft', ${body})`);
    await t.pool.query(`UPDATE documents SET title = 'final' WHERE id = 1`);
    const [letter] = await readMessages(kafkaBrokers(), `${plain.topic}.dead-letters`, 1);
    expect(JSON.parse(letter!.value)).toMatchObject({
      kind: 'update',
      row: { id: '1', title: 'final', body: { unchangedToast: true } },
      old: null,
      error: {
        code: 'UNCHANGED_TOAST',
        message: expect.stringContaining('set REPLICA IDENTITY FULL'),
      },
    });
    await stop(t, first);

    const full = names();
    await start(t, full, { mapper: documents(true) });
    await t.pool.query(`UPDATE documents SET title = 'again' WHERE id = 1`);
    const events = await readEvents(kafkaBrokers(), full.topic, 1);
    expect(events[0]!.event.data).toEqual({ customerId: '1', name: 'again:10000' });
  });
});

describe('legacy adapter: truncate', () => {
  it('stops at a TRUNCATE the mapper has no hook for, naming the tables and the fix, confirming nothing of it', async () => {
    const n = names();
    const adapter = await start(t, n);
    await t.writer.register(7, 'ada@example.com');
    await readEvents(kafkaBrokers(), n.topic, 1);
    const before = await until(
      () => slotConfirmed(t.pool, n.slot),
      (c) => c > 0n && c === parseLsn(adapter.status().confirmedLsn),
      'the registration to be confirmed',
    );
    await t.pool.query('TRUNCATE orders, customers');
    const err = await adapter.failed;
    expect(err).toMatchObject({ code: 'UNHANDLED_TRUNCATE', retriable: false });
    expect(err.message).toMatch(
      /^TRUNCATE of public\.(orders, public\.customers|customers, public\.orders) at [0-9A-F]+\/[0-9A-F]+ \(xid \d+, change 1 of 1\): the mapper has no mapTruncate; add mapTruncate to the mapper to emit an event, or start with --on-truncate skip\./,
    );
    expect(await slotConfirmed(t.pool, n.slot)).toBe(before);
  });

  it('skips a TRUNCATE with onTruncate skip and goes on past it', async () => {
    const n = names();
    const adapter = await start(t, n, { onTruncate: 'skip' });
    await t.pool.query('TRUNCATE orders');
    await t.writer.register(9, 'after@example.com');
    const events = await readEvents(kafkaBrokers(), n.topic, 1);
    expect(summary(events)[0]![1]).toMatchObject({ customerId: '9' });
    await until(
      () => slotConfirmed(t.pool, n.slot),
      (c) => adapter.status().transactions === 2 && c === parseLsn(adapter.status().confirmedLsn),
      'both transactions to be confirmed',
    );
  });

  it('publishes the events of mapTruncate in commit order with the rest', async () => {
    const n = names();
    await start(t, n, { mapper: withTruncateHook });
    await t.writer.tx(async (c) => {
      await c.query(`INSERT INTO customers (id, email, name) VALUES (7, 'ada@example.com', 'Ada')`);
      await c.query('TRUNCATE orders');
    });
    const events = await readEvents(kafkaBrokers(), n.topic, 2);
    const byType = new Map(summary(events));
    expect(byType.get('tables_emptied')).toEqual({ tables: [ORDERS] });
    const ids = events.map((e) => [e.event.type.split('.')[3], e.event.sourceposition]);
    expect(ids[0]![1]).toBe(ids[1]![1]); // one transaction, one position
  });
});

describe('legacy adapter: value forms', () => {
  it('reads timestamptz as UTC in the snapshot and on the stream, whatever the database time zone', async () => {
    await t.pool.query(`ALTER DATABASE "${t.db.name}" SET timezone = 'Asia/Kolkata'`);
    const raw: string[] = [];
    const recording = defineMapper(shopCatalog, {
      ...shopMapper,
      mapChange: (c, ctx) => {
        if (c.kind === 'insert' && c.table === CUSTOMERS) raw.push(String(c.row.registered_at));
        return shopMapper.mapChange(c, ctx);
      },
    });
    const at = '2024-05-01 12:00:00.123456+00';
    await t.writer.register(7, 'ada@example.com', 'Ada', at);
    const n = names();
    await start(t, n, { mapper: recording });
    await t.writer.register(8, 'grace@example.com', 'Grace', at);
    const events = await readEvents(kafkaBrokers(), n.topic, 2);
    expect(raw).toEqual([at, at]);
    expect(events.map((e) => (e.event.data as { registeredAt: string }).registeredAt)).toEqual([
      '2024-05-01T12:00:00.123456Z',
      '2024-05-01T12:00:00.123456Z',
    ]);
    // A new session of that database prints another offset: the adapter's settings made the difference.
    const fresh = new pg.Client({ connectionString: t.db.url });
    await fresh.connect();
    try {
      const { rows } = await fresh.query<{ v: string }>(
        `SELECT registered_at::text AS v FROM customers WHERE id = 7`,
      );
      expect(rows[0]!.v).toBe('2024-05-01 17:30:00.123456+05:30');
    } finally {
      await fresh.end();
    }
  });
});
